"""The replayed schema: immutable tables, columns, indexes and foreign keys.

Every value is frozen; a change makes a new `Table` (sharing its unchanged parts) and a
new `Schema`, whose table map is persistent (`immutables.Map`: an update copies one
path of a hash trie, not the whole map), so replaying a long history stays linear.

Names compare case-insensitively (`fold`): SQLAlchemy quotes mixed-case names and SQL
folds unquoted ones, and a migration that ran at all used one spelling consistently.
Primary keys, unique constraints and exclusion constraints are `Index` entries of
their `kind`, because each of them is an index in the database (what the
`unindexed-foreign-key` rule needs to know).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Literal

import immutables

from analyzer.positions import Span

IndexKind = Literal["index", "unique", "primary", "exclude"]
"""`index` is CREATE INDEX (unique or not); the others are constraints backed by an index."""

NameSpace = Literal["relation", "constraint"]
"""PostgreSQL's two kinds of name that are unique in a schema: relations (tables and
indexes, those of constraints included) and constraints (keys, checks, exclusions)."""

NAME_SPACES: tuple[NameSpace, ...] = ("relation", "constraint")


def fold(name: str) -> str:
    return name.casefold()


@dataclass(frozen=True, slots=True)
class Origin:
    """Where something was declared: file, span of the call, revision id."""

    path: str
    span: Span
    revision: str


@dataclass(frozen=True, slots=True, order=True)
class TableName:
    schema: str | None
    """None for the default schema (`public` on PostgreSQL, `dbo` on SQL Server)."""
    name: str

    @property
    def key(self) -> tuple[str, str]:
        return (fold(self.schema or ""), fold(self.name))

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str = ""
    """The type as written (`sa.String(length=50)`, `varchar(50)`), for `debug schema`."""
    nullable: bool | None = None


@dataclass(frozen=True, slots=True)
class Index:
    """An index, or a primary key / unique / exclusion constraint (each is an index)."""

    name: str | None
    columns: tuple[str | None, ...]
    """Key columns in order; None for an expression."""
    kind: IndexKind
    origin: Origin
    unique: bool = False
    where: str | None = None
    """The predicate of a partial index."""
    include: tuple[str, ...] = ()
    """Non-key `INCLUDE` columns."""
    implicit_name: bool = False
    """True when `name` is the one the database chose (the migration gave none)."""
    expression_columns: tuple[str, ...] = ()
    """Columns that its expressions and predicate use: dropping one drops the index."""

    def covers(self, columns: Iterable[str]) -> bool:
        """True when `columns` are exactly this index's first key columns, in any order,
        and the index is not partial (what a foreign key lookup can use)."""
        wanted = {fold(column) for column in columns}
        head = self.columns[: len(wanted)]
        if self.where is not None or len(head) < len(wanted) or None in head:
            return False
        return {fold(column) for column in head if column is not None} == wanted

    def mentions(self, column: str) -> bool:
        folded = fold(column)
        return any(
            c is not None and fold(c) == folded
            for c in (*self.columns, *self.include, *self.expression_columns)
        )


@dataclass(frozen=True, slots=True)
class ForeignKey:
    name: str | None
    columns: tuple[str, ...]
    referred_table: TableName
    referred_columns: tuple[str, ...]
    """Empty when the SQL named no columns (the referred table's primary key)."""
    origin: Origin
    implicit_name: bool = False


@dataclass(frozen=True, slots=True)
class Check:
    name: str | None
    origin: Origin


@dataclass(frozen=True, slots=True)
class Uncertainty:
    """Why a table's state is not known exactly; schema rules report nothing on it."""

    reason: str
    origin: Origin | None = None


@dataclass(frozen=True, slots=True)
class Table:
    name: TableName
    origin: Origin | None
    """Where it was created; None for a table first seen in an op that changes it."""
    columns: tuple[Column, ...] = ()
    indexes: tuple[Index, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    checks: tuple[Check, ...] = ()
    uncertain: tuple[Uncertainty, ...] = ()

    @property
    def certain(self) -> bool:
        return not self.uncertain

    def column(self, name: str) -> Column | None:
        folded = fold(name)
        return next((c for c in self.columns if fold(c.name) == folded), None)

    def names_in(self, space: NameSpace) -> set[str]:
        """Folded names this table takes in its schema's `space`."""
        if space == "relation":
            named: list[str | None] = [self.name.name, *(i.name for i in self.indexes)]
        else:
            named = [
                *(fk.name for fk in self.foreign_keys),
                *(c.name for c in self.checks),
                *(i.name for i in self.indexes if i.kind != "index"),
            ]
        return {fold(name) for name in named if name is not None}

    def index_named(self, name: str) -> Index | None:
        folded = fold(name)
        return next((i for i in self.indexes if i.name and fold(i.name) == folded), None)

    # --- pure updates -------------------------------------------------------------------

    def with_column(self, column: Column) -> Table:
        kept = tuple(c for c in self.columns if fold(c.name) != fold(column.name))
        return replace(self, columns=(*kept, column))

    def with_index(self, index: Index) -> Table:
        return replace(self, indexes=(*self.indexes, index))

    def with_foreign_key(self, foreign_key: ForeignKey) -> Table:
        return replace(self, foreign_keys=(*self.foreign_keys, foreign_key))

    def with_check(self, check: Check) -> Table:
        return replace(self, checks=(*self.checks, check))

    def with_uncertainty(self, uncertainty: Uncertainty) -> Table:
        if uncertainty in self.uncertain:
            return self
        return replace(self, uncertain=(*self.uncertain, uncertainty))

    def without_column(self, name: str) -> Table:
        """What dropping a column does: its indexes, constraints and keys go with it."""
        folded = fold(name)
        return replace(
            self,
            columns=tuple(c for c in self.columns if fold(c.name) != folded),
            indexes=tuple(i for i in self.indexes if not i.mentions(name)),
            foreign_keys=tuple(
                fk for fk in self.foreign_keys if folded not in {fold(c) for c in fk.columns}
            ),
        )

    def renamed_column(self, old: str, new: str) -> Table:
        def rename(column: str) -> str:
            return new if fold(column) == fold(old) else column

        return replace(
            self,
            columns=tuple(
                replace(c, name=new) if fold(c.name) == fold(old) else c for c in self.columns
            ),
            indexes=tuple(
                replace(
                    i,
                    columns=tuple(None if c is None else rename(c) for c in i.columns),
                    include=tuple(rename(c) for c in i.include),
                    expression_columns=tuple(rename(c) for c in i.expression_columns),
                )
                for i in self.indexes
            ),
            foreign_keys=tuple(
                replace(fk, columns=tuple(rename(c) for c in fk.columns))
                for fk in self.foreign_keys
            ),
        )


def _same_names(old: Table, new: Table) -> bool:
    """Whether `names_in` is the same for both, known without counting: the updates keep
    the tuples they do not change."""
    return (
        old.name == new.name
        and old.indexes is new.indexes
        and old.foreign_keys is new.foreign_keys
        and old.checks is new.checks
    )


NameKey = tuple[str, NameSpace, str]
"""(folded schema, name space, folded name)."""


def _count_names(
    names: immutables.Map[NameKey, int], table: Table | None, step: int
) -> immutables.Map[NameKey, int]:
    """`names` with the table's names counted `step` more times (gone at zero)."""
    if table is None:
        return names
    namespace = table.name.key[0]
    counting = names.mutate()
    for space in NAME_SPACES:
        for name in table.names_in(space):
            key: NameKey = (namespace, space, name)
            count = counting.get(key, 0) + step
            if count > 0:
                counting[key] = count
            elif key in counting:
                del counting[key]
    return counting.finish()


@dataclass(frozen=True, slots=True)
class Schema:
    """Every table at one point of the history, by `TableName.key`."""

    tables: immutables.Map[tuple[str, str], Table]
    dialect: str = "postgresql"
    names: immutables.Map[NameKey, int] = field(default_factory=immutables.Map)
    """How many of the tables' relations and constraints have each name: the names a
    database-chosen name must avoid (`name_taken`)."""

    @classmethod
    def empty(cls, dialect: str = "postgresql") -> Schema:
        return cls(immutables.Map(), dialect)

    @classmethod
    def of(cls, tables: Iterable[Table], dialect: str) -> Schema:
        """The schema holding these tables (distinct names)."""
        schema = cls.empty(dialect)
        for table in tables:
            schema = schema.put(table)
        return schema

    def get(self, name: TableName) -> Table | None:
        return self.tables.get(name.key)

    def put(self, table: Table) -> Schema:
        old = self.tables.get(table.name.key)
        names = self.names
        if old is None or not _same_names(old, table):  # not just a column added or a mark
            names = _count_names(_count_names(names, old, -1), table, 1)
        return Schema(self.tables.set(table.name.key, table), self.dialect, names)

    def remove(self, name: TableName) -> Schema:
        if name.key not in self.tables:
            return self
        names = _count_names(self.names, self.tables[name.key], -1)
        return Schema(self.tables.delete(name.key), self.dialect, names)

    def name_taken(self, schema: str | None, space: NameSpace, name: str) -> bool:
        """Whether a table of `schema` has a relation or constraint called `name`."""
        return (fold(schema or ""), space, fold(name)) in self.names

    def sorted_tables(self) -> list[Table]:
        """Tables by schema and name (the map itself has no stable order)."""
        return sorted(self.tables.values(), key=lambda t: (t.name.key, t.name.name))

    def __iter__(self) -> Iterator[Table]:
        return iter(self.sorted_tables())

    def __len__(self) -> int:
        return len(self.tables)

    def mark_uncertain(self, name: TableName, uncertainty: Uncertainty) -> Schema:
        table = self.get(name)
        if table is None:
            return self
        return self.put(table.with_uncertainty(uncertainty))

    def mark_all_uncertain(self, uncertainty: Uncertainty) -> Schema:
        with self.tables.mutate() as tables:
            for key, table in self.tables.items():
                tables[key] = table.with_uncertainty(uncertainty)
            updated = tables.finish()
        return Schema(updated, self.dialect, self.names)
