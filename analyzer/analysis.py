"""What rules see: one project's facts, with the revision graph and the replayed schema
built on demand."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from analyzer.facts import MigrationFacts
from analyzer.graph import RevisionGraph

if TYPE_CHECKING:
    from analyzer.schema import Replay
    from analyzer.schema.handlers import SqlReader
    from analyzer.schema.replay import Checkpoints


@dataclass(eq=False)
class Analysis:
    files: Sequence[MigrationFacts]
    """Every revision file of the project, in alembic's load order."""
    dialect: str = "postgresql"
    read_sql: SqlReader | None = None
    """How the replay reads `op.execute` SQL (default: sqlglot; the cache passes what it
    kept of earlier runs)."""
    checkpoints: Checkpoints | None = None
    """Where the replay resumes from an earlier run's state (default: from scratch)."""

    @cached_property
    def graph(self) -> RevisionGraph:
        return RevisionGraph(self.files)

    @cached_property
    def schema(self) -> Replay:
        """The schema at the heads (every revision replayed) and the SQL it could not read."""
        from analyzer.schema import replay

        return replay(self.graph, self.files, self.dialect, self.read_sql, self.checkpoints)
