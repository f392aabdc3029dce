"""SQLAlchemy constructs, as the parser extracted them, read into plain specs.

`sa.Column("post_id", sa.Integer(), sa.ForeignKey("posts.id"), index=True)` arrives as
a `Call` value; this module turns it (and `ForeignKeyConstraint`,
`PrimaryKeyConstraint`, `UniqueConstraint`, `CheckConstraint`, `Index`,
`ExcludeConstraint`) into specs the handlers apply to a table. Constructs are matched by
their last name segment, so `sa.Column`, `Column` and `db.Column` are all columns.

Anything that could hide an index or a foreign key and is not a literal (a column name
in a variable, `**kwargs`, a construct built by a helper) raises `Unreadable`: the
handler then marks the table uncertain instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analyzer.positions import Span
from analyzer.schema.model import IndexKind, TableName
from analyzer.values import STAR_ARGS, Call, Ref, Value, describe

DEFAULT_SCHEMAS = {"postgresql": "public", "mssql": "dbo"}

WHERE_OPTIONS = {"postgresql": "postgresql_where", "sqlite": "sqlite_where", "mssql": "mssql_where"}
"""The dialect option that makes an index partial (others are ignored by that dialect)."""

INCLUDE_OPTIONS = {"postgresql": "postgresql_include", "mssql": "mssql_include"}

ORDERING_WRAPPERS = frozenset(
    {"asc", "desc", "nulls_first", "nulls_last", "nullsfirst", "nullslast", "collate"}
)
"""Calls that order or collate a column without making it an expression."""

COLUMN_ITEMS = frozenset(
    {"Sequence", "Identity", "Computed", "CheckConstraint", "DefaultClause", "FetchedValue"}
)
"""Column arguments that neither index nor reference anything."""


class Unreadable(Exception):
    """A construct that may hide an index or a key and is not a literal."""

    def __init__(self, what: str, value: Value) -> None:
        super().__init__(f"cannot read {what} (`{describe(value)}` is not a literal)")


def table_name(name: str, schema: str | None, dialect: str) -> TableName:
    """A table's name with the dialect's default schema written as None."""
    if schema is not None and schema.casefold() == DEFAULT_SCHEMAS.get(dialect, ""):
        schema = None
    return TableName(schema, name)


def text(value: Value, what: str) -> str:
    if isinstance(value, str):
        return value
    raise Unreadable(what, value)


def optional_text(value: Value, what: str) -> str | None:
    return None if value is None else text(value, what)


def names(value: Value, what: str) -> tuple[str, ...]:
    """A list or tuple of names."""
    if isinstance(value, tuple) and all(isinstance(item, str) for item in value):
        return tuple(item for item in value if isinstance(item, str))
    raise Unreadable(what, value)


def flag(value: Value, what: str) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    raise Unreadable(what, value)


def no_star_kwargs(call: Call) -> None:
    if call.has_kwarg(STAR_ARGS):
        raise Unreadable(f"`**` arguments of {call.short_name}", call.kwarg(STAR_ARGS))


def sql_text(value: Value) -> str | None:
    """The SQL of a literal string, `sa.text("...")`, `sa.DDL("...")` or `dedent("...")`."""
    if isinstance(value, str):
        return value
    if (
        isinstance(value, Call)
        and value.short_name in {"text", "DDL", "dedent", "literal_column"}
        and len(value.args) == 1
        and not value.kwargs
    ):
        return sql_text(value.args[0])
    return None


@dataclass(frozen=True, slots=True)
class ForeignKeySpec:
    name: str | None
    columns: tuple[str, ...]
    referred_table: TableName
    referred_columns: tuple[str, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class IndexSpec:
    """An index or index-backed constraint before it has its final name.

    `sqlalchemy_label` is set for an index SQLAlchemy names itself
    (`ix_%(column_0_label)s`): the first element's label."""

    name: str | None
    columns: tuple[str | None, ...]
    kind: IndexKind
    span: Span
    unique: bool = False
    where: str | None = None
    include: tuple[str, ...] = ()
    sqlalchemy_label: str | None = None
    expression_columns: tuple[str, ...] = ()
    """Columns its expressions and predicate use (dropping one drops the index)."""


@dataclass(frozen=True, slots=True)
class CheckSpec:
    name: str | None
    span: Span


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    name: str
    type: str
    nullable: bool | None
    primary_key: bool
    index: bool
    unique: bool
    foreign_keys: tuple[ForeignKeySpec, ...]
    span: Span


@dataclass
class TableSpec:
    """Everything `create_table` declares, in order."""

    columns: list[ColumnSpec] = field(default_factory=list)
    indexes: list[IndexSpec] = field(default_factory=list)
    foreign_keys: list[ForeignKeySpec] = field(default_factory=list)
    checks: list[CheckSpec] = field(default_factory=list)


def referred(value: Value, dialect: str) -> tuple[TableName, str]:
    """`"posts.id"` or `"blog.posts.id"` -> (table, column)."""
    target = text(value, "the target of a foreign key")
    parts = target.split(".")
    if len(parts) == 2:
        return table_name(parts[0], None, dialect), parts[1]
    if len(parts) >= 3:
        return table_name(parts[-2], ".".join(parts[:-2]), dialect), parts[-1]
    raise Unreadable("the target of a foreign key", value)


def read_column(call: Call, dialect: str) -> ColumnSpec:
    """`Column(name, type, *items, primary_key=, index=, unique=, nullable=)`."""
    no_star_kwargs(call)
    rest = list(call.args)
    name: str
    if rest and isinstance(rest[0], str):
        name = rest[0]
        rest.pop(0)
    else:
        name = text(call.kwarg("name"), "a column name")
    column_type = call.kwarg("type_")
    if rest and not (isinstance(rest[0], Call) and _is_column_item(rest[0])):
        column_type = rest.pop(0)
    foreign_keys = []
    for item in rest:
        if isinstance(item, Call) and item.short_name == "ForeignKey":
            foreign_keys.append(read_inline_foreign_key(item, name, dialect))
    nullable = call.kwarg("nullable")
    return ColumnSpec(
        name=name,
        type=type_text(column_type),
        nullable=nullable if isinstance(nullable, bool) else None,
        primary_key=flag(call.kwarg("primary_key"), "primary_key="),
        index=flag(call.kwarg("index"), "index="),
        unique=flag(call.kwarg("unique"), "unique="),
        foreign_keys=tuple(foreign_keys),
        span=call.span,
    )


def type_text(value: Value) -> str:
    """A column type as written, without the module: `String(length=50)`."""
    if value is None:
        return ""
    if isinstance(value, Call):
        arguments = [type_text(a) if isinstance(a, Call) else describe(a) for a in value.args]
        arguments += [f"{key}={describe(item)}" for key, item in value.kwargs]
        return f"{value.short_name}({', '.join(arguments)})"
    if isinstance(value, Ref):
        return value.name.rpartition(".")[2]
    return describe(value)


def _is_column_item(call: Call) -> bool:
    return call.short_name == "ForeignKey" or call.short_name in COLUMN_ITEMS


def read_inline_foreign_key(call: Call, column: str, dialect: str) -> ForeignKeySpec:
    """`ForeignKey("posts.id", name=...)` inside a `Column`."""
    table, referred_column = referred(call.arg(0, "column"), dialect)
    return ForeignKeySpec(
        name=optional_text(call.kwarg("name"), "a foreign key name"),
        columns=(column,),
        referred_table=table,
        referred_columns=(referred_column,),
        span=call.span,
    )


def read_foreign_key_constraint(call: Call, dialect: str) -> ForeignKeySpec:
    """`ForeignKeyConstraint(["a", "b"], ["t.x", "t.y"], name=...)`."""
    columns = names(call.arg(0, "columns"), "foreign key columns")
    targets = call.arg(1, "refcolumns")
    if not isinstance(targets, tuple) or not targets:
        raise Unreadable("foreign key target columns", targets)
    pairs = [referred(target, dialect) for target in targets]
    tables = {table for table, _ in pairs}
    if len(tables) != 1 or len(pairs) != len(columns):
        raise Unreadable("foreign key target columns", targets)
    return ForeignKeySpec(
        name=optional_text(call.kwarg("name"), "a constraint name"),
        columns=columns,
        referred_table=pairs[0][0],
        referred_columns=tuple(column for _, column in pairs),
        span=call.span,
    )


def read_key_constraint(call: Call, kind: IndexKind, dialect: str) -> IndexSpec:
    """`PrimaryKeyConstraint(*columns, name=)` / `UniqueConstraint(*columns, name=)`."""
    return IndexSpec(
        name=optional_text(call.kwarg("name"), "a constraint name"),
        columns=names(call.args, "constraint columns"),
        kind=kind,
        span=call.span,
        unique=True,
        include=_include(call, dialect),
    )


def _include(call: Call, dialect: str) -> tuple[str, ...]:
    option = INCLUDE_OPTIONS.get(dialect)
    value = call.kwarg(option) if option else None
    return () if value is None else names(value, "INCLUDE columns")


def _where_value(call: Call, dialect: str, option: str | None = None) -> Value:
    option = option or WHERE_OPTIONS.get(dialect)
    return call.kwarg(option) if option else None


def _where(call: Call, dialect: str, option: str | None = None) -> str | None:
    value = _where_value(call, dialect, option)
    if value is None:
        return None
    return sql_text(value) or describe(value)


def read_index(call: Call, dialect: str) -> IndexSpec:
    """`Index(name, *elements, unique=, postgresql_where=, postgresql_include=)`."""
    no_star_kwargs(call)
    name = call.arg(0, "name")
    elements = call.args[1:]
    columns = tuple(index_element(element, dialect) for element in elements)
    return IndexSpec(
        name=optional_text(name, "an index name"),
        columns=columns,
        kind="index",
        span=call.span,
        unique=flag(call.kwarg("unique"), "unique="),
        where=_where(call, dialect),
        include=_include(call, dialect),
        sqlalchemy_label=_label(elements[0]) if elements else None,
        expression_columns=expression_columns(elements, _where_value(call, dialect), dialect),
    )


def read_exclude(call: Call, dialect: str) -> IndexSpec:
    """`ExcludeConstraint((column, operator), ..., name=, where=)` (PostgreSQL)."""
    columns: list[str | None] = []
    for element in call.args:
        if not isinstance(element, tuple) or len(element) != 2:
            raise Unreadable("an exclusion constraint element", element)
        columns.append(index_element(element[0], dialect))
    where = _where_value(call, dialect, "where")
    return IndexSpec(
        name=optional_text(call.kwarg("name"), "a constraint name"),
        columns=tuple(columns),
        kind="exclude",
        span=call.span,
        where=_where(call, dialect, "where"),
        expression_columns=expression_columns(
            tuple(element[0] for element in call.args if isinstance(element, tuple)),
            where,
            dialect,
        ),
    )


def read_check(call: Call) -> CheckSpec:
    return CheckSpec(optional_text(call.kwarg("name"), "a constraint name"), call.span)


def index_element(value: Value, dialect: str) -> str | None:
    """A column name, or None for an expression (`sa.text("lower(email)")`)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Call):
        if value.short_name == "column" and value.args:
            return text(value.args[0], "a column name")
        if value.short_name in ORDERING_WRAPPERS and value.args:
            return index_element(value.args[0], dialect)
        sql = sql_text(value)
        if sql is not None:
            from analyzer.schema.sql import index_element_column

            column = index_element_column(sql, dialect)
            if column is False:
                raise Unreadable("an index element", value)
            return column
        if ".func." in f".{value.func}":
            return None
    raise Unreadable("an index element", value)


def expression_columns(elements: tuple[Value, ...], where: Value, dialect: str) -> tuple[str, ...]:
    """The columns that an index's expressions (`sa.text("lower(email)")`,
    `sa.func.lower(sa.column("email"))`) and its predicate use: the database drops the
    index with any of them. A part it cannot read adds none."""
    found: dict[str, None] = {}
    for element in elements:
        for column in _element_columns(element, dialect):
            found[column] = None
    if where is not None:
        sql = sql_text(where)
        if sql is not None:
            from analyzer.schema.sql import expression_columns as sql_columns

            found.update(dict.fromkeys(sql_columns(sql, dialect, predicate=True)))
        else:
            found.update(dict.fromkeys(_called_columns(where)))
    return tuple(found)


def _element_columns(element: Value, dialect: str) -> tuple[str, ...]:
    if isinstance(element, Call):
        if element.short_name == "column":
            return ()
        if element.short_name in ORDERING_WRAPPERS and element.args:
            return _element_columns(element.args[0], dialect)
        sql = sql_text(element)
        if sql is not None:
            from analyzer.schema.sql import expression_columns as sql_columns

            return sql_columns(sql, dialect)
        return _called_columns(element)
    return ()


def _called_columns(value: Value) -> tuple[str, ...]:
    """`sa.column("x")` / `sa.literal_column("x")` anywhere inside a call's arguments."""
    if isinstance(value, tuple):
        return tuple(c for item in value for c in _called_columns(item))
    if not isinstance(value, Call):
        return ()
    if value.short_name in {"column", "literal_column"} and value.args:
        first = value.args[0]
        return (first,) if isinstance(first, str) else ()
    arguments = (*value.args, *(item for _, item in value.kwargs))
    return tuple(c for item in arguments for c in _called_columns(item))


def _label(element: Value) -> str:
    """What SQLAlchemy's `column_0_label` is for an index element."""
    if isinstance(element, str):
        return element
    if isinstance(element, Call) and element.args:
        if element.short_name == "column" or element.short_name in ORDERING_WRAPPERS:
            return _label(element.args[0])
        sql = sql_text(element)
        if sql is not None:
            return sql
    return describe(element)


def read_table_elements(items: tuple[Value, ...], dialect: str) -> TableSpec:
    """The `*columns` of `create_table`: columns, constraints and indexes."""
    spec = TableSpec()
    for item in items:
        if not isinstance(item, Call):
            raise Unreadable("a create_table element", item)
        kind = item.short_name
        if kind == "Column":
            column = read_column(item, dialect)
            spec.columns.append(column)
            spec.foreign_keys.extend(column.foreign_keys)
        elif kind == "ForeignKeyConstraint":
            spec.foreign_keys.append(read_foreign_key_constraint(item, dialect))
        elif kind == "PrimaryKeyConstraint":
            spec.indexes.append(read_key_constraint(item, "primary", dialect))
        elif kind == "UniqueConstraint":
            spec.indexes.append(read_key_constraint(item, "unique", dialect))
        elif kind == "Index":
            spec.indexes.append(read_index(item, dialect))
        elif kind == "ExcludeConstraint":
            spec.indexes.append(read_exclude(item, dialect))
        elif kind == "CheckConstraint":
            spec.checks.append(read_check(item))
        else:
            raise Unreadable("a create_table element", item)
    return spec
