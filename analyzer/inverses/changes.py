"""Tracking: the changes `upgrade()` leaves, and the ones `downgrade()` undoes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Final, Literal, cast

from analyzer.facts import Op
from analyzer.inverses.names import (
    ANY,
    Mentions,
    Name,
    Wildcard,
    column_name,
    columns_of,
    mentioned,
    name_of,
    same,
    schema_of,
)
from analyzer.ops import BoundOp, bind

ChangeKind = Literal[
    "create_table",
    "add_column",
    "create_index",
    "create_constraint",
    "rename_table",
    "rename_column",
    "drop_table",
    "drop_column",
    "drop_index",
    "drop_constraint",
]

CREATES: Final = frozenset({"create_table", "add_column", "create_index", "create_constraint"})
DROPS: Final = frozenset({"drop_table", "drop_column", "drop_index", "drop_constraint"})
RENAMES: Final = frozenset({"rename_table", "rename_column"})

CONSTRAINT_TYPES: Final[dict[str, str | None]] = {
    "create_foreign_key": "foreignkey",
    "create_unique_constraint": "unique",
    "create_check_constraint": "check",
    "create_primary_key": "primary",
    "create_exclude_constraint": None,
}
"""alembic's create op -> the `type_` that `drop_constraint` takes for it."""

_CONSTRAINT_COLUMNS: Final = {
    "create_foreign_key": "local_cols",
    "create_unique_constraint": "columns",
    "create_primary_key": "columns",
}


@dataclass
class Change:
    """One object that `upgrade()` creates, drops or renames (mutable while tracking).

    `table` and `name` are the names at the current point of the walk; `created_as`
    and `original` keep the names the upgrade op used. For a table change `name` is
    None and the table is `table`; for a rename `original` is the name before it.
    """

    kind: ChangeKind
    op: Op
    schema: Name
    table: Name
    name: Name = None
    columns: tuple[str, ...] | None = None
    """Columns of an index or constraint (current names); None when not literal."""
    constraint_type: str | None = None
    original: Name = None
    created_as: Name = None
    """The table name the creating op used, when the upgrade renamed it afterwards."""
    dropped_columns: set[str] = field(default_factory=set)
    undone: bool = False

    @property
    def batch(self) -> bool:
        return self.op.batch is not None

    def words(self) -> frozenset[str]:
        """Names a SQL statement must mention to possibly be this change's inverse."""
        names: list[Name]
        if self.kind in ("create_table", "drop_table"):
            names = [self.table]
        elif self.kind == "rename_table":
            names = [self.table, self.original]
        elif self.kind in ("add_column", "drop_column"):
            names = [self.table, self.name]
        elif self.kind == "rename_column":
            names = [self.table, self.name, self.original]
        elif self.name is None:
            names = [self.table]
        else:
            names = [self.name]
        return frozenset(name.lower() for name in names if isinstance(name, str))


def _may_touch(words: Mentions, change: Change) -> bool:
    if isinstance(words, Wildcard):
        return True
    return change.words() <= words


class Tracked:
    """The changes of one revision, found by table and by name: each op looks only at
    the changes it may match, so a revision of thousands of ops stays linear."""

    def __init__(self) -> None:
        self.all: list[Change] = []
        self._by_table: dict[str, list[Change]] = {}
        self._by_name: dict[str, list[Change]] = {}
        self._unnamed: list[Change] = []
        self._loose: list[Change] = []
        """Changes whose table is not a literal (a `drop_index` without `table_name`)."""

    def add(self, change: Change) -> None:
        self.all.append(change)
        self._index(change)

    def reindex(self) -> None:
        """After a rename: tables and names moved."""
        self._by_table, self._by_name, self._unnamed, self._loose = {}, {}, [], []
        for change in self.all:
            self._index(change)

    def _index(self, change: Change) -> None:
        if isinstance(change.table, str):
            self._by_table.setdefault(change.table, []).append(change)
        else:
            self._loose.append(change)
        if change.kind in _NAMED_OBJECTS:
            if isinstance(change.name, str):
                self._by_name.setdefault(change.name, []).append(change)
            elif change.name is None:
                self._unnamed.append(change)

    def on_table(self, table: Name) -> list[Change]:
        """The changes that may be on `table` (all of them when it is not a literal)."""
        if not isinstance(table, str):
            return self.all
        return [*self._by_table.get(table, ()), *self._loose]

    def indexes_and_constraints(self, name: Name) -> list[Change]:
        """Indexes and constraints that may be called `name`, and the unnamed ones."""
        if not isinstance(name, str):
            return self.all
        return [*self._by_name.get(name, ()), *self._unnamed]


_NAMED_OBJECTS: Final = frozenset(
    {"create_index", "create_constraint", "drop_index", "drop_constraint"}
)


# --- the upgrade ----------------------------------------------------------------------------


class _Unknowable(Exception):
    """A rename whose names are not literals: later names cannot be followed."""


def track_upgrade(ops: Iterable[Op], dialect: str) -> list[Change] | None:
    """The changes `upgrade()` leaves for `downgrade()` to undo, in upgrade order; None
    when a rename with non-literal names makes them unknowable."""
    tracked = Tracked()
    try:
        for op in ops:
            _upgrade_op(bind(op), tracked, dialect)
    except _Unknowable:
        return None
    return [change for change in tracked.all if not change.undone]


def _upgrade_op(bound: BoundOp, tracked: Tracked, dialect: str) -> None:
    op = bound.op
    schema = schema_of(bound.schema, dialect)
    table = name_of(bound.table)
    words = mentioned(bound)
    if words is not None:
        if words:
            for change in tracked.all:
                if not change.undone and _may_touch(words, change):
                    change.undone = True  # the SQL may change it: stop checking it
        return
    name = op.name
    if name in ("rename_table", "alter_column"):
        if name == "rename_table":
            _upgrade_rename_table(bound, tracked, schema)
        elif bound.has("new_column_name"):
            _upgrade_rename_column(bound, tracked, schema, table)
        return
    if name in ("drop_table", "drop_column", "drop_index", "drop_constraint"):
        _upgrade_drop(bound, tracked, schema, table, dialect)
        return
    if not isinstance(table, str) or schema is ANY:
        return
    if name == "create_table":
        tracked.add(Change("create_table", op, schema, table))
    elif name == "add_column":
        column = column_name(bound.get("column"))
        if isinstance(column, str):
            tracked.add(Change("add_column", op, schema, table, column))
    elif name == "create_index":
        index = name_of(bound.get("index_name"))
        if index is not ANY:
            columns = columns_of(bound.get("columns"))
            tracked.add(Change("create_index", op, schema, table, index, columns))
    elif name in CONSTRAINT_TYPES:
        constraint = name_of(bound.get("constraint_name"))
        if constraint is not ANY:
            parameter = _CONSTRAINT_COLUMNS.get(name)
            tracked.add(
                Change(
                    "create_constraint",
                    op,
                    schema,
                    table,
                    constraint,
                    columns_of(bound.get(parameter)) if parameter else None,
                    constraint_type=CONSTRAINT_TYPES[name],
                )
            )


def _upgrade_rename_table(bound: BoundOp, tracked: Tracked, schema: Name) -> None:
    old, new = name_of(bound.get("old_table_name")), name_of(bound.get("new_table_name"))
    if not isinstance(old, str) or not isinstance(new, str) or schema is ANY:
        raise _Unknowable
    followed = False
    for change in tracked.on_table(old):
        if change.undone or change.kind == "drop_table":
            continue
        if change.table == old and change.schema == schema:
            if change.kind in ("create_table", "rename_table"):
                followed = True
                if change.kind == "create_table" and change.created_as is None:
                    change.created_as = old
            change.table = new
    if not followed:
        tracked.add(Change("rename_table", bound.op, schema, new, original=old))
    tracked.reindex()


def _upgrade_rename_column(bound: BoundOp, tracked: Tracked, schema: Name, table: Name) -> None:
    old, new = name_of(bound.get("column_name")), name_of(bound.get("new_column_name"))
    if not (isinstance(old, str) and isinstance(new, str) and isinstance(table, str)):
        raise _Unknowable
    if schema is ANY:
        raise _Unknowable
    live = [change for change in tracked.on_table(table) if not change.undone]
    if not _rename_column(live, schema, table, old, new):
        tracked.add(Change("rename_column", bound.op, schema, table, new, original=old))


def _rename_column(changes: list[Change], schema: Name, table: Name, old: str, new: str) -> bool:
    """Follow a column rename; True when the column was added or renamed by the upgrade."""
    followed = False
    for change in changes:
        if not (same(change.table, table) and same(change.schema, schema)):
            continue
        if change.kind in ("add_column", "rename_column") and change.name == old:
            change.name = new
            followed = True
        elif change.columns is not None and old in change.columns:
            change.columns = tuple(new if column == old else column for column in change.columns)
    return followed


def _upgrade_drop(
    bound: BoundOp, tracked: Tracked, schema: Name, table: Name, dialect: str
) -> None:
    """A drop in the upgrade: of an object it created (nothing left to undo), or of an
    object that existed before (the downgrade must recreate it)."""
    dropped = _drop(bound, schema, table)
    if _undo(dropped, tracked, dialect):
        return
    if isinstance(dropped.table, Wildcard) or isinstance(dropped.name, Wildcard):
        return
    for change in tracked.on_table(table):
        if change.undone or change.table != table:
            continue
        if dropped.kind == "drop_table" and change.kind == "rename_table":
            # renamed and then dropped: the downgrade must recreate the original table
            change.undone = True
            dropped.table = change.original
        elif (dropped.kind, change.kind) == ("drop_column", "rename_column") and (
            change.name == dropped.name
        ):
            change.undone = True
            dropped.name = change.original
    tracked.add(dropped)


def _drop(bound: BoundOp, schema: Name, table: Name) -> Change:
    """A `drop_*` op as the change it makes (`name`: the column, index or constraint)."""
    kind = cast(ChangeKind, bound.name)
    parameter = {
        "drop_column": "column_name",
        "drop_index": "index_name",
        "drop_constraint": "constraint_name",
    }.get(kind)
    type_ = bound.get("type_")
    return Change(
        kind,
        bound.op,
        schema,
        table,
        name_of(bound.get(parameter)) if parameter else None,
        constraint_type=type_ if isinstance(type_, str) else None,
    )


# --- the downgrade --------------------------------------------------------------------------


def apply_downgrade(changes: list[Change], ops: Iterable[Op], dialect: str) -> None:
    """Mark every change that the downgrade's ops undo (or may undo)."""
    tracked = Tracked()
    for change in changes:
        tracked.add(change)
    for op in ops:
        bound = bind(op)
        words = mentioned(bound)
        if words is not None:
            for change in changes if words else ():
                if _may_touch(words, change):
                    change.undone = True
            continue
        if not _downgrade_op(bound, tracked, dialect):
            for change in changes:
                change.undone = True  # a rename we cannot follow
            return
    for change in changes:
        current = change.table if change.kind == "rename_table" else change.name
        if change.kind in RENAMES and current == change.original:
            change.undone = True  # renamed back


def _downgrade_op(bound: BoundOp, tracked: Tracked, dialect: str) -> bool:
    """Apply one downgrade op; False when it is a rename that cannot be followed."""
    schema = schema_of(bound.schema, dialect)
    table = name_of(bound.table)
    name = bound.name
    if name == "rename_table":
        old, new = name_of(bound.get("old_table_name")), name_of(bound.get("new_table_name"))
        if not (isinstance(old, str) and isinstance(new, str)) or schema is ANY:
            return False
        for change in tracked.on_table(old):
            if change.kind != "drop_table" and change.table == old and change.schema == schema:
                change.table = new
        tracked.reindex()
    elif name == "alter_column" and bound.has("new_column_name"):
        old, new = name_of(bound.get("column_name")), name_of(bound.get("new_column_name"))
        if not (isinstance(old, str) and isinstance(new, str)) or table is ANY:
            return False
        followed = [c for c in tracked.on_table(table) if c.kind in CREATES | RENAMES]
        _rename_column(followed, schema, table, old, new)
    elif name in ("drop_table", "drop_column", "drop_index", "drop_constraint"):
        _undo(_drop(bound, schema, table), tracked, dialect)
    elif name in ("create_table", "add_column", "create_index") or name in CONSTRAINT_TYPES:
        _recreate(bound, schema, table, tracked)
    return True


def _undo(drop: Change, tracked: Tracked, dialect: str) -> bool:
    """Mark the creates that `drop` undoes; True if it names one of them (for a drop by
    name: or when it may be the drop of an unnamed one)."""
    by_name = drop.kind in ("drop_index", "drop_constraint")
    candidates = (
        tracked.indexes_and_constraints(drop.name) if by_name else tracked.on_table(drop.table)
    )
    creates = [c for c in candidates if c.kind in CREATES and not c.undone]
    named = False
    for change in creates:
        if drop.kind == "drop_table":
            hit = same(change.table, drop.table) and same(change.schema, drop.schema)
            named = named or (hit and change.kind == "create_table")
        elif drop.kind == "drop_column":
            hit = _drops_column(drop, change, dialect)
            named = named or (hit and change.kind == "add_column")
        else:
            hit = _same_index_or_constraint(drop, change)
            named = named or (hit and change.name is not None)
        if hit:
            change.undone = True
    if by_name and not named:
        for change in list(_unnamed_candidates(drop, creates)):
            change.undone = True
            named = True
    return named


def _drops_column(drop: Change, change: Change, dialect: str) -> bool:
    if not (same(change.table, drop.table) and same(change.schema, drop.schema)):
        return False
    if change.kind == "add_column":
        return same(change.name, drop.name)
    if change.kind not in ("create_index", "create_constraint"):
        return False
    if change.columns is None or isinstance(drop.name, Wildcard):
        return True
    if drop.name not in change.columns:
        return False
    change.dropped_columns.add(drop.name)
    if dialect == "mysql":
        return change.dropped_columns >= set(change.columns)
    return True


def _same_index_or_constraint(drop: Change, change: Change) -> bool:
    """An index or constraint dropped by its name (indexes are named per schema,
    constraints per table; a constraint and its backing index share the name)."""
    if change.kind not in ("create_index", "create_constraint") or change.name is None:
        return False
    if not same(change.name, drop.name) or not same(change.schema, drop.schema):
        return False
    if drop.kind == "drop_constraint" and change.kind == "create_constraint":
        return same(change.table, drop.table)
    return True


def _unnamed_candidates(drop: Change, creates: list[Change]) -> Iterator[Change]:
    """Unnamed indexes/constraints that a drop naming nothing this revision created may
    drop: on the same table (the database or a naming convention chose the name)."""
    for change in creates:
        if change.undone or change.name is not None or not same(change.schema, drop.schema):
            continue
        if drop.kind == "drop_index" and change.kind == "create_index":
            if drop.table is None or same(change.table, drop.table):
                yield change
        elif drop.kind == "drop_constraint" and change.kind == "create_constraint":
            compatible = (
                drop.constraint_type is None
                or change.constraint_type is None
                or drop.constraint_type == change.constraint_type
            )
            if compatible and same(change.table, drop.table):
                yield change


def _recreate(bound: BoundOp, schema: Name, table: Name, tracked: Tracked) -> None:
    """A create in the downgrade undoes the upgrade's drop of the object it names."""
    name = bound.name
    if name in ("create_table", "add_column"):
        column = column_name(bound.get("column")) if name == "add_column" else None
        for change in tracked.on_table(table):
            if change.kind not in DROPS or not same(change.table, table):
                continue
            if not same(change.schema, schema):
                continue
            if name == "create_table" or (
                change.kind == "drop_column" and same(change.name, column)
            ):
                change.undone = True
        return
    parameter = "index_name" if name == "create_index" else "constraint_name"
    created = name_of(bound.get(parameter))
    for change in tracked.indexes_and_constraints(created):
        if change.kind not in ("drop_index", "drop_constraint") or change.name is None:
            continue
        same_table = change.kind == "drop_index" or same(change.table, table)
        if same_table and same(change.name, created) and same(change.schema, schema):
            change.undone = True
