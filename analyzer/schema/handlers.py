"""One handler per alembic op name: an op (bound to alembic's parameter names) -> the
`changes` it makes. Keyed like `alembic.operations.ops`; batch ops come bound to their
`batch_alter_table` table and schema.

Precision first: when a table name is not a literal, the op could touch any table, so
ops that could add an index or remove a key make every existing table uncertain; when
the table is known but a column or construct is not, that table becomes uncertain.
Ops that can only hide findings (a foreign key added to an unknown table, a check
constraint) change nothing the rules report on.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from analyzer.facts import Op
from analyzer.ops import BoundOp, bind
from analyzer.positions import Span
from analyzer.schema.changes import (
    AddCheck,
    AddColumn,
    AddForeignKey,
    AddIndex,
    Change,
    CreateTable,
    DropColumn,
    DropConstraint,
    DropIndex,
    DropTable,
    MarkUncertain,
    RenameColumn,
    RenameTable,
    Unanalyzable,
)
from analyzer.schema.constructs import (
    INCLUDE_OPTIONS,
    WHERE_OPTIONS,
    CheckSpec,
    ForeignKeySpec,
    IndexSpec,
    TableSpec,
    Unreadable,
    expression_columns,
    flag,
    index_element,
    names,
    optional_text,
    read_column,
    read_exclude,
    read_table_elements,
    sql_text,
    table_name,
    text,
)
from analyzer.schema.model import Origin, TableName
from analyzer.values import STAR_ARGS, Call, Unknown, Value, describe

NO_SCHEMA_CHANGE = frozenset({"bulk_insert", "create_table_comment", "drop_table_comment"})

CORE_STATEMENTS = frozenset(
    {"update", "insert", "delete", "select", "CreateSequence", "DropSequence"}
)
"""SQLAlchemy Core constructs `op.execute` may run that change no table."""

_CORE_CHAIN = re.compile(r"^(?:[A-Za-z_]\w*\.)*(?:update|insert|delete|select)\(")
"""`posts.update().where(...).values(...)`: a Core statement built by method calls."""

_DML_TEXT = re.compile(
    r"^(?:[A-Za-z_][\w.]*\(\s*)?[rfbu]{0,2}(?:\"\"\"|'''|\"|')\s*(?:UPDATE|INSERT|DELETE)\b",
    re.IGNORECASE,
)
"""`f"UPDATE {table} SET ..."`, `sa.text("DELETE ...").bindparams(...)`: data changes
whose text is not a literal (placeholders, a method call on it) but whose kind is."""


SqlReader = Callable[[str, Origin, str], list[Change]]
"""(sql, origin, dialect) -> what the SQL changes: `analyzer.schema.sql.changes_from_sql`,
or a cache of its results (`analyzer.loading.SqlMemo`) that spares importing sqlglot."""


@dataclass(frozen=True, slots=True)
class Context:
    """Where an op runs."""

    path: str
    revision: str
    dialect: str
    read_sql: SqlReader | None = None
    """Reads literal SQL (default: `changes_from_sql`)."""

    def origin(self, span: Span) -> Origin:
        return Origin(self.path, span, self.revision)


class UnknownTable(Exception):
    """The op's table (or schema) is not a literal."""

    def __init__(self, value: Value) -> None:
        super().__init__(f"its table (`{describe(value)}`) is not a literal")


Handler = Callable[[BoundOp, Context], list[Change]]


def changes_of(op: Op, context: Context) -> list[Change]:
    """What one op does to the schema."""
    bound = bind(op)
    origin = context.origin(op.span)
    handler = HANDLERS.get(op.name)
    if handler is None:
        if op.name in NO_SCHEMA_CHANGE:
            return []
        return _custom_op(bound, origin)
    try:
        return handler(bound, context)
    except UnknownTable as problem:
        if op.name in HIDE_ONLY:
            return []
        reason = f"op.{op.name} may change any table: {problem}"
        return [MarkUncertain(None, reason, origin)]
    except Unreadable as problem:
        reason = f"op.{op.name}: {problem}"
        try:
            return [MarkUncertain((_table(bound, context),), reason, origin)]
        except UnknownTable:
            return [MarkUncertain(None, reason, origin)]


def _custom_op(bound: BoundOp, origin: Origin) -> list[Change]:
    """An op alembic does not define (registered by the project or a plugin): the known
    tables its literal arguments name may be changed in any way."""
    named: set[str] = set()

    def collect(value: Value) -> None:
        if isinstance(value, str):
            named.add(value.casefold())
        elif isinstance(value, tuple):
            for item in value:
                collect(item)

    for value in (*bound.op.args, *(v for _, v in bound.op.kwargs)):
        collect(value)
    if bound.op.batch is not None:
        collect(bound.op.batch.table)
    reason = f"op.{bound.name} is not an alembic op; the analyzer cannot tell what it changes"
    return [Unanalyzable(reason, frozenset(named), origin, sql=False)] if named else []


def _schema(value: Value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise UnknownTable(value)


def _table(bound: BoundOp, context: Context, parameter: str | None = None) -> TableName:
    value = bound.table if parameter is None else bound.get(parameter)
    if not isinstance(value, str):
        raise UnknownTable(value)
    return table_name(value, _schema(bound.schema), context.dialect)


def _written_schema(bound: BoundOp) -> str | None:
    return bound.schema if isinstance(bound.schema, str) else None


def _options(bound: BoundOp) -> Call:
    """The op's keyword options as a `Call`, to read them like a construct's."""
    return Call(bound.name, (), tuple(bound.arguments.items()), bound.op.span)


def _no_star(bound: BoundOp) -> None:
    if bound.has(STAR_ARGS):
        raise Unreadable(f"`**` arguments of op.{bound.name}", bound.get(STAR_ARGS))


# --- tables ---------------------------------------------------------------------------


def create_table(bound: BoundOp, context: Context) -> list[Change]:
    table = _table(bound, context)
    origin = context.origin(bound.op.span)
    if_not_exists = flag(bound.get("if_not_exists"), "if_not_exists=")
    try:
        _no_star(bound)
        spec = read_table_elements(bound.variadic, context.dialect)
    except Unreadable as problem:
        return [
            CreateTable(table, TableSpec(), origin, _written_schema(bound), if_not_exists),
            MarkUncertain((table,), f"op.create_table: {problem}", origin),
        ]
    return [CreateTable(table, spec, origin, _written_schema(bound), if_not_exists)]


def drop_table(bound: BoundOp, context: Context) -> list[Change]:
    return [DropTable(_table(bound, context), context.origin(bound.op.span))]


def rename_table(bound: BoundOp, context: Context) -> list[Change]:
    table = _table(bound, context)
    new_name = bound.get("new_table_name")
    if not isinstance(new_name, str):
        raise UnknownTable(new_name)
    return [RenameTable(table, new_name, context.origin(bound.op.span))]


# --- columns --------------------------------------------------------------------------


def add_column(bound: BoundOp, context: Context) -> list[Change]:
    table = _table(bound, context)
    column = bound.get("column")
    if not isinstance(column, Call) or column.short_name != "Column":
        raise Unreadable("the column", column)
    spec = read_column(column, context.dialect)
    if_not_exists = flag(bound.get("if_not_exists"), "if_not_exists=")
    origin = context.origin(bound.op.span)
    return [AddColumn(table, spec, origin, _written_schema(bound), if_not_exists=if_not_exists)]


def drop_column(bound: BoundOp, context: Context) -> list[Change]:
    table = _table(bound, context)
    column = text(bound.get("column_name"), "the column name")
    return [DropColumn(table, column, context.origin(bound.op.span))]


def alter_column(bound: BoundOp, context: Context) -> list[Change]:
    """Only a rename matters to the schema model (types and defaults do not)."""
    if bound.get("new_column_name") is None:
        return []
    table = _table(bound, context)
    old = text(bound.get("column_name"), "the column name")
    new = text(bound.get("new_column_name"), "new_column_name=")
    return [RenameColumn(table, old, new, context.origin(bound.op.span))]


# --- indexes and constraints ------------------------------------------------------------


def create_index(bound: BoundOp, context: Context) -> list[Change]:
    table = _table(bound, context)
    options = _options(bound)
    columns = bound.get("columns")
    if not isinstance(columns, tuple):
        raise Unreadable("the index columns", columns)
    where_option = WHERE_OPTIONS.get(context.dialect)
    where = options.kwarg(where_option) if where_option else None
    include_option = INCLUDE_OPTIONS.get(context.dialect)
    include = options.kwarg(include_option) if include_option else None
    spec = IndexSpec(
        name=optional_text(bound.get("index_name"), "the index name"),
        columns=tuple(index_element(column, context.dialect) for column in columns),
        kind="index",
        span=bound.op.span,
        unique=flag(bound.get("unique"), "unique="),
        where=None if where is None else (sql_text(where) or describe(where)),
        include=() if include is None else names(include, "INCLUDE columns"),
        sqlalchemy_label=_first_label(columns),
        expression_columns=expression_columns(columns, where, context.dialect),
    )
    if_not_exists = flag(bound.get("if_not_exists"), "if_not_exists=")
    origin = context.origin(bound.op.span)
    return [AddIndex(table, spec, origin, _written_schema(bound), if_not_exists)]


def _first_label(columns: tuple[Value, ...]) -> str | None:
    """`op.create_index(None, ...)`: SQLAlchemy names it from the first column."""
    first = columns[0] if columns else None
    return first if isinstance(first, str) else sql_text(first)


def drop_index(bound: BoundOp, context: Context) -> list[Change]:
    """A name or schema that is not a literal changes nothing: a drop the replay misses
    can only hide findings, never invent one."""
    name, schema = bound.get("index_name"), bound.schema
    if not isinstance(name, str) or not (schema is None or isinstance(schema, str)):
        return []
    table = (
        table_name(bound.table, schema, context.dialect) if isinstance(bound.table, str) else None
    )
    default = table_name("", schema, context.dialect).schema
    return [DropIndex(name, default, table, context.origin(bound.op.span))]


def create_foreign_key(bound: BoundOp, context: Context) -> list[Change]:
    table = _table(bound, context)
    referent = text(bound.get("referent_table"), "the referent table")
    referent_schema = bound.get("referent_schema")
    if not (referent_schema is None or isinstance(referent_schema, str)):
        raise Unreadable("referent_schema=", referent_schema)
    spec = ForeignKeySpec(
        name=optional_text(bound.get("constraint_name"), "the constraint name"),
        columns=names(bound.get("local_cols"), "the local columns"),
        referred_table=table_name(referent, referent_schema, context.dialect),
        referred_columns=names(bound.get("remote_cols"), "the remote columns"),
        span=bound.op.span,
    )
    return [AddForeignKey(table, spec, context.origin(bound.op.span))]


def _key_constraint(bound: BoundOp, context: Context, kind: str) -> list[Change]:
    table = _table(bound, context)
    include_option = INCLUDE_OPTIONS.get(context.dialect)
    include = bound.get(include_option) if include_option else None
    spec = IndexSpec(
        name=optional_text(bound.get("constraint_name"), "the constraint name"),
        columns=names(bound.get("columns"), "the constraint columns"),
        kind="primary" if kind == "primary" else "unique",
        span=bound.op.span,
        unique=True,
        include=() if include is None else names(include, "INCLUDE columns"),
    )
    origin = context.origin(bound.op.span)
    return [AddIndex(table, spec, origin, _written_schema(bound))]


def create_unique_constraint(bound: BoundOp, context: Context) -> list[Change]:
    return _key_constraint(bound, context, "unique")


def create_primary_key(bound: BoundOp, context: Context) -> list[Change]:
    return _key_constraint(bound, context, "primary")


def create_check_constraint(bound: BoundOp, context: Context) -> list[Change]:
    table = _table(bound, context)
    name = optional_text(bound.get("constraint_name"), "the constraint name")
    check = CheckSpec(name, bound.op.span)
    return [AddCheck(table, check, context.origin(bound.op.span))]


def create_exclude_constraint(bound: BoundOp, context: Context) -> list[Change]:
    table = _table(bound, context)
    construct = Call(
        "ExcludeConstraint",
        bound.variadic,
        (("name", bound.get("constraint_name")), *bound.op.kwargs),
        bound.op.span,
    )
    spec = read_exclude(construct, context.dialect)
    return [AddIndex(table, spec, context.origin(bound.op.span), _written_schema(bound))]


DROP_KINDS = {
    "foreignkey": frozenset({"foreignkey"}),
    "unique": frozenset({"unique"}),
    "primary": frozenset({"primary"}),
    "check": frozenset({"check"}),
}
"""alembic's `drop_constraint(type_=...)` -> the kinds of constraint it may drop."""


def drop_constraint(bound: BoundOp, context: Context) -> list[Change]:
    type_ = bound.get("type_")
    kinds = DROP_KINDS.get(type_) if isinstance(type_, str) else None
    try:
        table = _table(bound, context)
    except UnknownTable:
        if kinds is not None and "foreignkey" not in kinds:
            return []  # dropping an index-backed constraint can only hide findings
        raise
    name = bound.get("constraint_name")
    if not isinstance(name, str):
        raise Unreadable("the constraint name", name)
    return [DropConstraint(table, name, kinds, context.origin(bound.op.span))]


# --- SQL ------------------------------------------------------------------------------


def execute(bound: BoundOp, context: Context) -> list[Change]:
    statement = bound.get("sqltext")
    origin = context.origin(bound.op.span)
    sql = sql_text(statement)
    if sql is not None:
        if context.read_sql is not None:
            return context.read_sql(sql, origin, context.dialect)
        from analyzer.schema.sql import changes_from_sql

        return changes_from_sql(sql, origin, context.dialect)
    if isinstance(statement, Call) and statement.short_name in CORE_STATEMENTS:
        return []
    if isinstance(statement, Unknown) and (
        _CORE_CHAIN.match(statement.text) or _DML_TEXT.match(statement.text)
    ):
        return []
    reason = f"is not a literal (`{describe(statement)}`)"
    return [Unanalyzable(reason, frozenset(), origin, everything=True)]


HANDLERS: dict[str, Handler] = {
    "create_table": create_table,
    "drop_table": drop_table,
    "rename_table": rename_table,
    "add_column": add_column,
    "drop_column": drop_column,
    "alter_column": alter_column,
    "create_index": create_index,
    "drop_index": drop_index,
    "create_foreign_key": create_foreign_key,
    "create_unique_constraint": create_unique_constraint,
    "create_primary_key": create_primary_key,
    "create_check_constraint": create_check_constraint,
    "create_exclude_constraint": create_exclude_constraint,
    "drop_constraint": drop_constraint,
    "execute": execute,
}

HIDE_ONLY = frozenset({"create_table", "create_foreign_key", "create_check_constraint"})
"""Ops that, on a table whose name is not known, can only add what no rule sees."""
