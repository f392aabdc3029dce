"""Words for messages: what an upgrade op did, and the op that undoes it."""

from __future__ import annotations

from typing import Final

from analyzer.inverses.changes import CREATES, RENAMES, Change
from analyzer.inverses.names import Name

CONSTRAINT_WORDS: Final[dict[str | None, str]] = {
    "foreignkey": "foreign key",
    "unique": "unique constraint",
    "check": "check constraint",
    "primary": "primary key",
    None: "exclusion constraint",
}

_RECREATE_CONSTRAINT: Final[dict[str, str]] = {
    "foreignkey": "create_foreign_key",
    "unique": "create_unique_constraint",
    "check": "create_check_constraint",
    "primary": "create_primary_key",
}


def quote(name: Name) -> str:
    """A name as a Python string literal in messages (`"users"`)."""
    text = name if isinstance(name, str) else "<name>"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def qualified(schema: Name, table: Name) -> str:
    """`schema.table`, or `table` in the default schema."""
    name = table if isinstance(table, str) else "?"
    return f"{schema}.{name}" if isinstance(schema, str) else name


def _schema_argument(change: Change) -> str:
    return f", schema={quote(change.schema)}" if isinstance(change.schema, str) else ""


def _column_list(columns: tuple[str, ...] | None) -> str:
    return f" ({', '.join(columns)})" if columns else ""


def what_upgrade_does(change: Change) -> str:
    """What the upgrade op did, for messages: `creates index ix_users_email on users`."""
    table = qualified(change.schema, change.table)
    kind = change.kind
    if kind == "create_table":
        if isinstance(change.created_as, str):
            return f"creates table {change.created_as} (renamed to {table} in upgrade())"
        return f"creates table {table}"
    if kind == "add_column":
        return f"adds column {table}.{change.name}"
    if kind == "create_index":
        if change.name is None:
            return f"creates an unnamed index on {table}{_column_list(change.columns)}"
        return f"creates index {change.name} on {table}"
    if kind == "create_constraint":
        word = CONSTRAINT_WORDS[change.constraint_type]
        if change.name is None:
            return f"creates an unnamed {word} on {table}{_column_list(change.columns)}"
        return f"creates {word} {change.name} on {table}"
    if kind == "rename_table":
        return f"renames table {qualified(change.schema, change.original)} to {change.table}"
    if kind == "rename_column":
        return f"renames column {table}.{change.original} to {change.name}"
    if kind == "drop_table":
        return f"drops table {table}"
    if kind == "drop_column":
        return f"drops column {table}.{change.name}"
    if kind == "drop_index":
        on = f" on {table}" if isinstance(change.table, str) else ""
        return f"drops index {change.name}{on}"
    dropped = CONSTRAINT_WORDS.get(change.constraint_type) if change.constraint_type else None
    return f"drops {dropped or 'constraint'} {change.name} on {table}"


def what_downgrade_misses(change: Change) -> str:
    """`does not drop it`, `does not rename it back`, `does not recreate it`, ..."""
    if change.kind in CREATES:
        return "does not drop it"
    if change.kind in RENAMES:
        return "does not rename it back"
    if change.kind == "drop_column":
        return "does not add it back"
    return "does not recreate it"


def undo_op(change: Change, *, batch: bool = False) -> str:
    """The op that undoes `change`, as source text. `batch` asks for the `batch_op.`
    form (inside `with op.batch_alter_table(table) as batch_op:`) where one exists."""
    table, name, schema = quote(change.table), quote(change.name), _schema_argument(change)
    kind = change.kind
    type_ = f", type_={quote(change.constraint_type)}" if change.constraint_type else ""
    if kind == "create_table":
        return f"op.drop_table({table}{schema})"
    if kind == "add_column":
        return (
            f"batch_op.drop_column({name})" if batch else f"op.drop_column({table}, {name}{schema})"
        )
    if kind == "create_index":
        if batch:
            return f"batch_op.drop_index({name})"
        return f"op.drop_index({name}, table_name={table}{schema})"
    if kind == "create_constraint":
        if batch:
            return f"batch_op.drop_constraint({name}{type_})"
        return f"op.drop_constraint({name}, {table}{type_}{schema})"
    if kind == "rename_table":
        return f"op.rename_table({table}, {quote(change.original)}{schema})"
    if kind == "rename_column":
        original = quote(change.original)
        if batch:
            return f"batch_op.alter_column({name}, new_column_name={original})"
        return f"op.alter_column({table}, {name}, new_column_name={original}{schema})"
    if kind == "drop_table":
        return f"op.create_table({table}, ...)"
    if kind == "drop_column":
        column = f"sa.Column({name}, ...)"
        return f"batch_op.add_column({column})" if batch else f"op.add_column({table}, {column})"
    if kind == "drop_index":
        if batch:
            return f"batch_op.create_index({name}, [...])"
        on = table if isinstance(change.table, str) else '"<table>"'
        return f"op.create_index({name}, {on}, [...])"
    create = _RECREATE_CONSTRAINT.get(change.constraint_type or "", "create_...")
    if batch:
        return f"batch_op.{create}({name}, ...)"
    return f"op.{create}({name}, {table}, ...)"


def change_key(change: Change) -> str:
    """Stable text for fingerprints: `create_index users.ix_users_email`,
    `add_column users.bio`, `create_constraint users(email)` (unnamed)."""
    table = qualified(change.schema, change.table)
    kind = change.kind
    if kind in ("create_table", "drop_table"):
        identity = table
    elif kind == "rename_table":
        identity = f"{qualified(change.schema, change.original)}>{table}"
    elif kind == "rename_column":
        identity = f"{table}.{change.original}>{change.name}"
    elif kind in ("add_column", "drop_column"):
        identity = f"{table}.{change.name}"
    elif change.name is None:
        identity = f"{table}({','.join(change.columns or ())})"
    else:
        identity = f"{table}.{change.name}"
    return f"{kind} {identity}"
