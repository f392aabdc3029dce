"""What rules see: one project's facts, with the revision graph built on demand."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from analyzer.facts import MigrationFacts
from analyzer.graph import RevisionGraph


@dataclass(eq=False)
class Analysis:
    files: Sequence[MigrationFacts]
    """Every revision file of the project, in alembic's load order."""
    dialect: str = "postgresql"

    @cached_property
    def graph(self) -> RevisionGraph:
        return RevisionGraph(self.files)
