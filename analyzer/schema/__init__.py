"""Schema replay: the schema the migrations build, folded from every revision's ops.

`replay(graph, files, dialect)` -> `Replay` (the final `Schema` and the SQL it could not
read). See `model` (the immutable state), `handlers` (one per alembic op), `sql` (raw
SQL through sqlglot) and `changes` (what each op or statement does).
"""

from analyzer.schema.model import (
    Column,
    ForeignKey,
    Index,
    Origin,
    Schema,
    Table,
    TableName,
    Uncertainty,
)
from analyzer.schema.replay import Replay, SqlNote, replay

__all__ = [
    "Column",
    "ForeignKey",
    "Index",
    "Origin",
    "Replay",
    "Schema",
    "SqlNote",
    "Table",
    "TableName",
    "Uncertainty",
    "replay",
]
