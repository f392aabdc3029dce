"""alembic's op signatures: binds an `Op`'s arguments to parameter names.

`op.create_index("ix", "t", ["a"])` and `batch_op.create_index("ix", ["a"])` inside
`with op.batch_alter_table("t")` both bind to `index_name`, `table_name`, `columns`.
Parameter names and order follow `alembic.operations.Operations` and
`BatchOperations`; keyword-only parameters are listed too, because migrations written
for older alembic versions pass some of them positionally.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analyzer.facts import Op
from analyzer.values import Value

_SIGNATURES: dict[str, tuple[str, ...]] = {
    "add_column": ("table_name", "column", "schema"),
    "alter_column": ("table_name", "column_name"),
    "bulk_insert": ("table", "rows"),
    "create_check_constraint": ("constraint_name", "table_name", "condition", "schema"),
    "create_exclude_constraint": ("constraint_name", "table_name"),
    "create_foreign_key": (
        "constraint_name",
        "source_table",
        "referent_table",
        "local_cols",
        "remote_cols",
        "onupdate",
        "ondelete",
        "deferrable",
        "initially",
        "match",
        "source_schema",
        "referent_schema",
    ),
    "create_index": ("index_name", "table_name", "columns", "schema", "unique"),
    "create_primary_key": ("constraint_name", "table_name", "columns", "schema"),
    "create_table": ("table_name",),
    "create_table_comment": ("table_name", "comment"),
    "create_unique_constraint": ("constraint_name", "table_name", "columns", "schema"),
    "drop_column": ("table_name", "column_name", "schema"),
    "drop_constraint": ("constraint_name", "table_name", "type_", "schema"),
    "drop_index": ("index_name", "table_name", "schema"),
    "drop_table": ("table_name", "schema"),
    "drop_table_comment": ("table_name",),
    "execute": ("sqltext",),
    "rename_table": ("old_table_name", "new_table_name", "schema"),
}

_BATCH_SIGNATURES: dict[str, tuple[str, ...]] = {
    "add_column": ("column",),
    "alter_column": ("column_name",),
    "create_check_constraint": ("constraint_name", "condition"),
    "create_exclude_constraint": ("constraint_name",),
    "create_foreign_key": (
        "constraint_name",
        "referent_table",
        "local_cols",
        "remote_cols",
        "referent_schema",
        "onupdate",
        "ondelete",
        "deferrable",
        "initially",
        "match",
    ),
    "create_index": ("index_name", "columns"),
    "create_primary_key": ("constraint_name", "columns"),
    "create_table_comment": ("comment",),
    "create_unique_constraint": ("constraint_name", "columns"),
    "drop_column": ("column_name",),
    "drop_constraint": ("constraint_name", "type_"),
    "drop_index": ("index_name",),
    "drop_table_comment": (),
    "execute": ("sqltext",),
}

_VARIADIC = {"create_table": "columns", "create_exclude_constraint": "elements"}
"""Ops whose remaining positional arguments are a `*args` list."""

_TABLE_PARAMETERS = ("table_name", "source_table", "old_table_name", "table")
_SCHEMA_PARAMETERS = ("schema", "source_schema")


@dataclass(frozen=True)
class BoundOp:
    """An op with its arguments by parameter name, and the table it acts on."""

    op: Op
    arguments: dict[str, Value] = field(default_factory=dict)
    variadic: tuple[Value, ...] = ()
    """`*columns` of `create_table` (`*elements` of `create_exclude_constraint`)."""
    table: Value = None
    schema: Value = None
    known: bool = True
    """False for an op name alembic does not define (a custom or misspelled op)."""

    @property
    def name(self) -> str:
        return self.op.name

    def get(self, parameter: str, default: Value = None) -> Value:
        return self.arguments.get(parameter, default)

    def has(self, parameter: str) -> bool:
        return parameter in self.arguments


def bind(op: Op) -> BoundOp:
    """Bind `op`'s positional and keyword arguments to alembic's parameter names."""
    signatures = _BATCH_SIGNATURES if op.batch is not None else _SIGNATURES
    names = signatures.get(op.name)
    arguments: dict[str, Value] = {}
    variadic: tuple[Value, ...] = ()
    positional = list(op.args)
    if names is not None:
        for name, value in zip(names, positional, strict=False):
            arguments[name] = value
        extra = positional[len(names) :]
        if op.name in _VARIADIC:
            variadic = tuple(extra)
    for key, value in op.kwargs:
        arguments[key] = value
    if op.batch is not None:
        table, schema = op.batch.table, op.batch.schema
    else:
        table = next((arguments[p] for p in _TABLE_PARAMETERS if p in arguments), None)
        schema = next((arguments[p] for p in _SCHEMA_PARAMETERS if p in arguments), None)
    return BoundOp(op, arguments, variadic, table, schema, names is not None)
