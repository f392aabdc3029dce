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


@dataclass(eq=False)
class Analysis:
    files: Sequence[MigrationFacts]
    """Every revision file of the project, in alembic's load order."""
    dialect: str = "postgresql"

    @cached_property
    def graph(self) -> RevisionGraph:
        return RevisionGraph(self.files)

    @cached_property
    def schema(self) -> Replay:
        """The schema at the heads (every revision replayed) and the SQL it could not read."""
        from analyzer.schema import replay

        return replay(self.graph, self.files, self.dialect)
