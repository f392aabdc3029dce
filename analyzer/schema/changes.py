"""What an op or an SQL statement does to the schema, and `apply`, which does it.

Alembic ops (`handlers.py`) and SQL statements (`sql.py`) are both translated into
these few changes, so `op.create_index(...)` and `CREATE INDEX ...` share one meaning.
`apply(schema, change)` is a pure function: it returns a new `Schema`.

The database's own behaviour is modelled where it decides what exists afterwards:
dropping a column drops the indexes and keys that use it, dropping a table drops the
foreign keys that refer to it (PostgreSQL's CASCADE, SQLite's dangling references),
renames carry over to the foreign keys that refer to the renamed table or column.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from analyzer.schema.constructs import (
    CheckSpec,
    ColumnSpec,
    ForeignKeySpec,
    IndexSpec,
    TableSpec,
)
from analyzer.schema.model import (
    NAME_SPACES,
    Check,
    Column,
    ForeignKey,
    Index,
    NameSpace,
    Origin,
    Schema,
    Table,
    TableName,
    Uncertainty,
    fold,
)
from analyzer.schema.naming import (
    conventional_names,
    postgres_name,
    sqlalchemy_index_name,
    truncate_identifier,
)


@dataclass(frozen=True, slots=True)
class CreateTable:
    table: TableName
    spec: TableSpec
    origin: Origin
    written_schema: str | None = None
    """The schema as the migration spelled it (SQLAlchemy's index names use it)."""
    if_not_exists: bool = False


@dataclass(frozen=True, slots=True)
class AddColumn:
    table: TableName
    column: ColumnSpec
    origin: Origin
    written_schema: str | None = None
    primary_key: bool = False
    """SQL `ADD COLUMN ... PRIMARY KEY` adds a key; alembic's add_column ignores one."""
    if_not_exists: bool = False


@dataclass(frozen=True, slots=True)
class AddIndex:
    """CREATE INDEX, or ADD a primary key, unique or exclusion constraint."""

    table: TableName
    index: IndexSpec
    origin: Origin
    written_schema: str | None = None
    if_not_exists: bool = False


@dataclass(frozen=True, slots=True)
class AddForeignKey:
    table: TableName
    foreign_key: ForeignKeySpec
    origin: Origin


@dataclass(frozen=True, slots=True)
class AddCheck:
    table: TableName
    check: CheckSpec
    origin: Origin


@dataclass(frozen=True, slots=True)
class DropTable:
    table: TableName
    origin: Origin


@dataclass(frozen=True, slots=True)
class DropColumn:
    table: TableName
    column: str
    origin: Origin


@dataclass(frozen=True, slots=True)
class DropIndex:
    name: str
    schema: str | None
    """Where to look when `table` is None (SQL `DROP INDEX` names no table)."""
    table: TableName | None
    origin: Origin


@dataclass(frozen=True, slots=True)
class DropConstraint:
    table: TableName
    name: str
    kinds: frozenset[str] | None
    """alembic's `type_` (`foreignkey`, `unique`, `primary`, `check`), None for any."""
    origin: Origin
    cascade: bool = False


@dataclass(frozen=True, slots=True)
class RenameTable:
    table: TableName
    new_name: str
    origin: Origin


@dataclass(frozen=True, slots=True)
class RenameColumn:
    table: TableName
    column: str
    new_name: str
    origin: Origin


@dataclass(frozen=True, slots=True)
class RenameIndex:
    schema: str | None
    name: str
    new_name: str
    origin: Origin


@dataclass(frozen=True, slots=True)
class RenameConstraint:
    table: TableName
    name: str
    new_name: str
    origin: Origin


@dataclass(frozen=True, slots=True)
class MarkUncertain:
    """Something changed `tables` (None: possibly any table) in a way not known exactly."""

    tables: tuple[TableName, ...] | None
    reason: str
    origin: Origin


@dataclass(frozen=True, slots=True)
class Unanalyzable:
    """SQL (or a custom op) the analyzer cannot read: the known tables among `words`
    become uncertain (every table when `everything`), and SQL is reported as a note."""

    reason: str
    words: frozenset[str]
    origin: Origin
    everything: bool = False
    sql: bool = True
    """False for a custom op: its tables turn uncertain, but it is not SQL to report."""

    @property
    def description(self) -> str:
        return f"SQL in op.execute {self.reason}" if self.sql else self.reason


Change = (
    CreateTable
    | AddColumn
    | AddIndex
    | AddForeignKey
    | AddCheck
    | DropTable
    | DropColumn
    | DropIndex
    | DropConstraint
    | RenameTable
    | RenameColumn
    | RenameIndex
    | RenameConstraint
    | MarkUncertain
    | Unanalyzable
)


MAX_TABLE_PARTS = 1_600
"""Columns, indexes and constraints a table may reach before the replay stops following
it (PostgreSQL allows 1,600 columns). Each change copies the table it changes, so a
hostile file growing one table without end would cost time quadratic in its length."""

CHANGES_TO_A_TABLE = (
    AddColumn,
    AddIndex,
    AddForeignKey,
    AddCheck,
    DropColumn,
    DropConstraint,
    RenameColumn,
    RenameConstraint,
)


def apply(schema: Schema, change: Change) -> Schema:
    """The schema after `change`."""
    if isinstance(change, CHANGES_TO_A_TABLE):
        table = schema.get(change.table)
        if table is not None and _parts(table) >= MAX_TABLE_PARTS:
            return _too_large(schema, table, change.origin)
    match change:
        case CreateTable():
            return _create_table(schema, change)
        case AddColumn():
            return _add_column(schema, change)
        case AddIndex():
            table = _target(schema, change.table, change.origin)
            if change.if_not_exists and change.index.name and table.index_named(change.index.name):
                return schema
            index = _index(table, change.index, change.origin, change.written_schema, schema)
            return schema.put(table.with_index(index))
        case AddForeignKey():
            table = _target(schema, change.table, change.origin)
            return schema.put(
                table.with_foreign_key(
                    _foreign_key(table, change.foreign_key, change.origin, schema)
                )
            )
        case AddCheck():
            table = _target(schema, change.table, change.origin)
            name = change.check.name
            named = None if name is None else truncate_identifier(name, schema.dialect)
            return schema.put(table.with_check(Check(named, change.origin)))
        case DropTable():
            return _drop_table(schema, change.table)
        case DropColumn():
            return _drop_column(schema, change)
        case DropIndex():
            return _drop_index(schema, change)
        case DropConstraint():
            return _drop_constraint(schema, change)
        case RenameTable():
            return _rename_table(schema, change)
        case RenameColumn():
            return _rename_column(schema, change)
        case RenameIndex():
            return _rename_index(schema, change)
        case RenameConstraint():
            return _rename_constraint(schema, change)
        case MarkUncertain():
            uncertainty = Uncertainty(change.reason, change.origin)
            if change.tables is None:
                return schema.mark_all_uncertain(uncertainty)
            for table_name in change.tables:
                schema = schema.mark_uncertain(table_name, uncertainty)
            return schema
        case Unanalyzable():
            uncertainty = Uncertainty(change.description, change.origin)
            if change.everything:
                return schema.mark_all_uncertain(uncertainty)
            for table in named_tables(schema, change.words):
                schema = schema.put(table.with_uncertainty(uncertainty))
            return schema


def named_tables(schema: Schema, words: frozenset[str]) -> list[Table]:
    """The known tables whose name (or schema-qualified name) is among `words` (folded)."""
    return [
        table
        for table in schema.sorted_tables()
        if fold(table.name.name) in words or fold(str(table.name)) in words
    ]


# --- tables ---------------------------------------------------------------------------


def _target(schema: Schema, name: TableName, origin: Origin) -> Table:
    """The table an op changes; one the replay never saw created is uncertain (it came
    from somewhere the analyzer cannot read, so it may hold indexes nobody sees)."""
    table = schema.get(name)
    if table is not None:
        return table
    return Table(
        name,
        origin=None,
        uncertain=(Uncertainty(f"{name} is changed but never created by a migration", origin),),
    )


def _parts(table: Table) -> int:
    return len(table.columns) + len(table.indexes) + len(table.foreign_keys) + len(table.checks)


def _too_large(schema: Schema, table: Table, origin: Origin) -> Schema:
    """The table becomes uncertain (once) and the change is not applied."""
    reason = (
        f"{table.name} has {MAX_TABLE_PARTS} or more columns, indexes and constraints; "
        "later changes to it are not followed"
    )
    if any(uncertainty.reason == reason for uncertainty in table.uncertain):
        return schema
    return schema.put(table.with_uncertainty(Uncertainty(reason, origin)))


def _create_table(schema: Schema, change: CreateTable) -> Schema:
    existing = schema.get(change.table)
    if existing is not None and change.if_not_exists:
        return schema
    uncertain: tuple[Uncertainty, ...] = ()
    if existing is not None:
        reason = f"{change.table} is created again without being dropped"
        uncertain = (Uncertainty(reason, change.origin),)
    spec = change.spec
    columns = tuple(Column(c.name, c.type, c.nullable) for c in spec.columns)
    table = Table(change.table, change.origin, columns, uncertain=uncertain)
    primary = [i for i in spec.indexes if i.kind == "primary"]
    if not primary and any(c.primary_key for c in spec.columns):
        keys = tuple(c.name for c in spec.columns if c.primary_key)
        primary = [IndexSpec(None, keys, "primary", change.origin.span, unique=True)]
    others = [i for i in spec.indexes if i.kind != "primary"]
    for index_spec in [*primary, *_column_indexes(spec.columns), *others]:
        index = _index(table, index_spec, change.origin, change.written_schema, schema)
        table = table.with_index(index)
    for foreign_key in spec.foreign_keys:
        table = table.with_foreign_key(_foreign_key(table, foreign_key, change.origin, schema))
    checks = tuple(
        Check(
            None if c.name is None else truncate_identifier(c.name, schema.dialect), change.origin
        )
        for c in spec.checks
    )
    return schema.put(replace(table, checks=checks))


def _column_indexes(columns: Iterable[ColumnSpec]) -> list[IndexSpec]:
    """`index=True` makes an index SQLAlchemy names `ix_...` (unique with `unique=True`);
    `unique=True` alone makes an unnamed unique constraint."""
    specs = []
    for column in columns:
        if column.index:
            specs.append(
                IndexSpec(
                    None,
                    (column.name,),
                    "index",
                    column.span,
                    unique=column.unique,
                    sqlalchemy_label=column.name,
                )
            )
        elif column.unique:
            specs.append(IndexSpec(None, (column.name,), "unique", column.span, unique=True))
    return specs


def _add_column(schema: Schema, change: AddColumn) -> Schema:
    table = _target(schema, change.table, change.origin)
    column = change.column
    if change.if_not_exists and table.column(column.name) is not None:
        return schema
    table = table.with_column(Column(column.name, column.type, column.nullable))
    specs = _column_indexes([column])
    if change.primary_key and column.primary_key:
        specs.insert(0, IndexSpec(None, (column.name,), "primary", column.span, unique=True))
    for spec in specs:
        table = table.with_index(_index(table, spec, change.origin, change.written_schema, schema))
    for foreign_key in column.foreign_keys:
        table = table.with_foreign_key(_foreign_key(table, foreign_key, change.origin, schema))
    return schema.put(table)


def _index(
    table: Table, spec: IndexSpec, origin: Origin, written_schema: str | None, schema: Schema
) -> Index:
    """An index with the name it really gets (see `naming`)."""
    dialect = schema.dialect
    implicit = False
    if spec.name is not None:
        name: str | None = truncate_identifier(spec.name, dialect)
    elif spec.sqlalchemy_label is not None:
        name = sqlalchemy_index_name(
            written_schema, table.name.name, spec.sqlalchemy_label, dialect
        )
    elif dialect == "postgresql":
        columns = [column or "expr" for column in spec.columns]
        spaces: tuple[NameSpace, ...] = ("relation",) if spec.kind == "index" else NAME_SPACES
        taken = _Taken(schema, table, spaces)
        name = postgres_name(table.name.name, columns, spec.kind, taken)
        implicit = True
    else:
        name, implicit = None, True
    return Index(
        name=name,
        columns=spec.columns,
        kind=spec.kind,
        origin=Origin(origin.path, spec.span, origin.revision),
        unique=spec.unique or spec.kind in ("unique", "primary"),
        where=spec.where,
        include=spec.include,
        implicit_name=implicit,
        expression_columns=spec.expression_columns,
    )


class _Taken:
    """The folded names a database-chosen name must avoid: PostgreSQL picks one that no
    relation (or, for a constraint, no constraint) of the table's schema has yet, the
    table being built included."""

    def __init__(self, schema: Schema, table: Table, spaces: tuple[NameSpace, ...]) -> None:
        self._schema, self._table_schema, self._spaces = schema, table.name.schema, spaces
        self._own = set().union(*(table.names_in(space) for space in spaces))

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        return name in self._own or any(
            self._schema.name_taken(self._table_schema, space, name) for space in self._spaces
        )


def _foreign_key(table: Table, spec: ForeignKeySpec, origin: Origin, schema: Schema) -> ForeignKey:
    implicit = spec.name is None
    dialect = schema.dialect
    if spec.name is not None:
        name: str | None = truncate_identifier(spec.name, dialect)
    elif dialect == "postgresql":
        taken = _Taken(schema, table, ("constraint",))
        name = postgres_name(table.name.name, spec.columns, "foreignkey", taken)
    else:
        name = None
    return ForeignKey(
        name=name,
        columns=spec.columns,
        referred_table=spec.referred_table,
        referred_columns=spec.referred_columns,
        origin=Origin(origin.path, spec.span, origin.revision),
        implicit_name=implicit,
    )


# --- drops ----------------------------------------------------------------------------


def _may_be_referenced(table: Table, columns: Iterable[str] | None = None) -> bool:
    """Whether another table's foreign key can refer to `table` (to `columns`): a key
    must refer to a primary key or unique index. Tables the replay does not know fully
    might have one."""
    if not table.certain or table.origin is None:
        return True
    unique = [i for i in table.indexes if i.unique]
    if columns is None:
        return bool(unique)
    return any(index.mentions(column) for index in unique for column in columns)


def _without_references(
    schema: Schema, referred: TableName, columns: Iterable[str] | None = None
) -> Schema:
    """Drop the foreign keys that refer to `referred` (to one of `columns`)."""
    folded = None if columns is None else {fold(c) for c in columns}

    def refers(fk: ForeignKey) -> bool:
        if fk.referred_table.key != referred.key:
            return False
        if folded is None or not fk.referred_columns:
            return True
        return any(fold(c) in folded for c in fk.referred_columns)

    for table in schema.sorted_tables():
        kept = tuple(fk for fk in table.foreign_keys if not refers(fk))
        if len(kept) != len(table.foreign_keys):
            schema = schema.put(replace(table, foreign_keys=kept))
    return schema


def _drop_table(schema: Schema, name: TableName) -> Schema:
    table = schema.get(name)
    if table is None:
        return schema
    schema = schema.remove(name)
    if _may_be_referenced(table):
        schema = _without_references(schema, name)
    return schema


def _drop_column(schema: Schema, change: DropColumn) -> Schema:
    table = schema.get(change.table)
    if table is None:
        return schema
    schema = schema.put(table.without_column(change.column))
    if _may_be_referenced(table, [change.column]):
        schema = _without_references(schema, change.table, [change.column])
    return schema


def _drop_index(schema: Schema, change: DropIndex) -> Schema:
    """Only a plain index can be dropped as an index; a name that matches nothing only
    means the replay misses an index, which hides findings and never invents one."""
    if change.table is not None:
        candidates = [t for t in [schema.get(change.table)] if t is not None]
    else:
        wanted = fold(change.schema or "")
        candidates = [t for t in schema.sorted_tables() if fold(t.name.schema or "") == wanted]
    folded = fold(change.name)
    for table in candidates:
        kept = tuple(
            i
            for i in table.indexes
            if not (i.kind == "index" and i.name and fold(i.name) == folded)
        )
        if len(kept) != len(table.indexes):
            return schema.put(replace(table, indexes=kept))
    return schema


def _drop_constraint(schema: Schema, change: DropConstraint) -> Schema:
    table = schema.get(change.table)
    if table is None:
        return schema
    kinds = change.kinds
    for exact in (True, False):
        matched = _match_constraint(table, change.name, kinds, exact)
        if matched is None:
            continue
        if isinstance(matched, ForeignKey):
            kept_fks = tuple(fk for fk in table.foreign_keys if fk is not matched)
            return schema.put(replace(table, foreign_keys=kept_fks))
        if isinstance(matched, Check):
            return schema.put(
                replace(table, checks=tuple(c for c in table.checks if c is not matched))
            )
        schema = schema.put(
            replace(table, indexes=tuple(i for i in table.indexes if i is not matched))
        )
        if change.cascade:
            columns = [c for c in matched.columns if c is not None]
            schema = _without_references(schema, change.table, columns)
        return schema
    if (kinds is None or "foreignkey" in kinds) and table.foreign_keys:
        return schema.put(
            table.with_uncertainty(
                Uncertainty(
                    f"drops constraint {change.name!r}, which matches no constraint the "
                    f"analyzer knows on {change.table} (it may be a foreign key)",
                    change.origin,
                )
            )
        )
    return schema


def _match_constraint(
    table: Table, name: str, kinds: frozenset[str] | None, exact: bool
) -> ForeignKey | Index | Check | None:
    """The constraint `name` drops: by its (real or database-chosen) name, or, for one
    the migration left unnamed, by a common naming convention's spelling."""
    folded = fold(name)

    def allowed(kind: str) -> bool:
        return kinds is None or kind in kinds

    def matches(item: ForeignKey | Index | Check, kind: str, columns: tuple[str, ...]) -> bool:
        if exact:
            return item.name is not None and fold(item.name) == folded
        if isinstance(item, Check) or not item.implicit_name:
            return False
        referred = item.referred_table.name if isinstance(item, ForeignKey) else None
        return folded in conventional_names(kind, table.name.name, columns, referred)

    if allowed("foreignkey"):
        for fk in table.foreign_keys:
            if matches(fk, "foreignkey", fk.columns):
                return fk
    for index in table.indexes:
        kind = {"primary": "primary", "unique": "unique", "exclude": "exclude"}.get(index.kind)
        if kind is not None and allowed(kind):
            columns = tuple(c or "expr" for c in index.columns)
            if matches(index, kind, columns):
                return index
    if allowed("check"):
        for check in table.checks:
            if matches(check, "check", ()):
                return check
    return None


# --- renames --------------------------------------------------------------------------


def _rename_table(schema: Schema, change: RenameTable) -> Schema:
    table = schema.get(change.table)
    if table is None:
        return schema
    new = TableName(change.table.schema, change.new_name)
    schema = schema.remove(change.table).put(replace(table, name=new))
    for other in schema.sorted_tables():
        moved = tuple(
            replace(fk, referred_table=new) if fk.referred_table.key == change.table.key else fk
            for fk in other.foreign_keys
        )
        if moved != other.foreign_keys:
            schema = schema.put(replace(other, foreign_keys=moved))
    return schema


def _rename_column(schema: Schema, change: RenameColumn) -> Schema:
    table = schema.get(change.table)
    if table is None:
        return schema
    schema = schema.put(table.renamed_column(change.column, change.new_name))
    if not _may_be_referenced(table, [change.column]):
        return schema
    old = fold(change.column)
    for other in schema.sorted_tables():
        moved = tuple(
            replace(
                fk,
                referred_columns=tuple(
                    change.new_name if fold(c) == old else c for c in fk.referred_columns
                ),
            )
            if fk.referred_table.key == change.table.key
            else fk
            for fk in other.foreign_keys
        )
        if moved != other.foreign_keys:
            schema = schema.put(replace(other, foreign_keys=moved))
    return schema


def _rename_index(schema: Schema, change: RenameIndex) -> Schema:
    wanted, folded = fold(change.schema or ""), fold(change.name)
    new_name = truncate_identifier(change.new_name, schema.dialect)
    for table in schema.sorted_tables():
        if fold(table.name.schema or "") != wanted:
            continue
        renamed = tuple(
            replace(i, name=new_name, implicit_name=False)
            if i.name and fold(i.name) == folded
            else i
            for i in table.indexes
        )
        if renamed != table.indexes:
            return schema.put(replace(table, indexes=renamed))
    return schema


def _rename_constraint(schema: Schema, change: RenameConstraint) -> Schema:
    table = schema.get(change.table)
    if table is None:
        return schema
    folded = fold(change.name)
    new_name = truncate_identifier(change.new_name, schema.dialect)

    def hit(name: str | None) -> bool:
        return name is not None and fold(name) == folded

    return schema.put(
        replace(
            table,
            foreign_keys=tuple(
                replace(fk, name=new_name, implicit_name=False) if hit(fk.name) else fk
                for fk in table.foreign_keys
            ),
            indexes=tuple(
                replace(i, name=new_name, implicit_name=False)
                if hit(i.name) and i.kind != "index"
                else i
                for i in table.indexes
            ),
            checks=tuple(replace(c, name=new_name) if hit(c.name) else c for c in table.checks),
        )
    )
