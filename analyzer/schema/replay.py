"""The replay: every revision's `upgrade()` ops, in topological order along all branches
(all heads applied), folded over an empty schema.

Files the replay cannot read (a syntax error, no literal `revision`) may change any
table at a point of the history nobody knows, so every table of the final schema
becomes uncertain: schema rules then report nothing rather than guess. They are
reported by `invalid-revision-file` / `dynamic-revision`, which say what to fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from analyzer.facts import MigrationFacts
from analyzer.graph import RevisionGraph
from analyzer.positions import FILE_START
from analyzer.schema.changes import MarkUncertain, Unanalyzable, apply, named_tables
from analyzer.schema.handlers import Context, SqlReader, changes_of
from analyzer.schema.model import Origin, Schema, TableName


@dataclass(frozen=True, slots=True)
class SqlNote:
    """One `op.execute` whose SQL the replay could not see through."""

    origin: Origin
    reason: str
    tables: tuple[TableName, ...]
    """Known tables it made uncertain."""
    everything: bool
    """It made every table that existed at that point uncertain."""


@dataclass(frozen=True, slots=True)
class Replay:
    schema: Schema
    """The schema at the heads."""
    notes: tuple[SqlNote, ...]


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The replay after the first `position` revisions of the topological order."""

    position: int
    schema: Schema
    notes: tuple[SqlNote, ...]


class Checkpoints(Protocol):
    """Where a replay may start from an earlier run's state and keep its own
    (`analyzer.checkpoints`: the cache)."""

    def start(self, graph: RevisionGraph) -> Checkpoint | None:
        """A kept state after some first revisions of the graph's topological order, the
        more the better."""

    def wanted(self, graph: RevisionGraph) -> int | None:
        """A position of the topological order whose state should be kept (None: none)."""

    def keep(self, graph: RevisionGraph, checkpoint: Checkpoint) -> None: ...


def replay(
    graph: RevisionGraph,
    files: Sequence[MigrationFacts],
    dialect: str,
    read_sql: SqlReader | None = None,
    checkpoints: Checkpoints | None = None,
) -> Replay:
    """`read_sql`: how `op.execute` SQL is read (default: with sqlglot). `checkpoints`:
    where to resume from and keep states for later runs (default: replay everything)."""
    order = graph.topological_order()
    start = checkpoints.start(graph) if checkpoints is not None else None
    if start is None:
        start = Checkpoint(0, Schema.empty(dialect), ())
    wanted = checkpoints.wanted(graph) if checkpoints is not None else None
    schema, notes = start.schema, list(start.notes)
    for position in range(start.position, len(order)):
        if position == wanted and checkpoints is not None:
            checkpoints.keep(graph, Checkpoint(position, schema, tuple(notes)))
        revision_id = order[position]
        facts = graph.revisions[revision_id].facts
        if facts.upgrade is None:
            continue
        context = Context(facts.path, revision_id, dialect, read_sql)
        for op in facts.upgrade.ops:
            unanalyzable: list[Unanalyzable] = []
            tables: dict[tuple[str, str], TableName] = {}
            for change in changes_of(op, context):
                if isinstance(change, Unanalyzable) and change.sql:
                    unanalyzable.append(change)
                    if not change.everything:
                        tables.update(
                            (t.name.key, t.name) for t in named_tables(schema, change.words)
                        )
                schema = apply(schema, change)
            if unanalyzable:
                first = unanalyzable[0]
                notes.append(
                    SqlNote(
                        origin=first.origin,
                        reason=first.reason,
                        tables=tuple(sorted(tables.values())),
                        everything=any(c.everything for c in unanalyzable),
                    )
                )
    for blind in _unreplayed(graph, files):
        reason = f"{Path(blind.path).name} cannot be analyzed; its migrations may change any table"
        origin = Origin(blind.path, FILE_START, blind.revision_id() or "")
        schema = apply(schema, MarkUncertain(None, reason, origin))
    return Replay(schema, tuple(notes))


def _unreplayed(graph: RevisionGraph, files: Sequence[MigrationFacts]) -> list[MigrationFacts]:
    """Files that alembic would run (or fail on) but the replay cannot place: parse
    problems, and upgrades of files without a literal `revision`. A file that loses a
    duplicate revision id to another is never run by alembic either."""
    placed = {revision.path for revision in graph.revisions.values()}
    duplicates = {r.path for same in graph.declarations.values() for r in same}
    return [
        facts
        for facts in files
        if facts.problem is not None
        or (
            facts.path not in placed
            and facts.path not in duplicates
            and facts.upgrade is not None
            and facts.upgrade.ops
        )
    ]
