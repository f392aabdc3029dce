from __future__ import annotations

from collections.abc import Iterator

from analyzer.analysis import Analysis
from analyzer.findings import Finding, Level, Location
from analyzer.graph import Revision, RevisionGraph
from analyzer.rules.base import Example, Rule, revision_file


class RevisionCycle(Rule):
    """The revision graph has a cycle.

    ## What it does
    Reports revisions whose `down_revision` (or `depends_on`) links form a cycle,
    including a revision that names itself in its own `down_revision` or `depends_on`.

    ## Why is this bad?
    alembic refuses to load a history with a cycle ("Cycle is detected in revisions",
    "Self-loop is detected in revisions", "Dependency cycle is detected"), so no
    migration can run. A cycle has no base to upgrade from and no head to upgrade to.

    ## Example
    ```python
    # versions/a1.py
    revision = "a1"
    down_revision = "c3"

    # versions/b2.py
    revision = "b2"
    down_revision = "a1"

    # versions/c3.py
    revision = "c3"
    down_revision = "b2"
    ```

    Use instead: make the oldest revision a base (`down_revision = None`) or point it at
    the revision that really precedes it.
    """

    id = "revision-cycle"
    default_level = Level.ERROR
    tags = ("revision-graph", "correctness")
    VALID = (Example({"a.py": revision_file("a"), "b.py": revision_file("b", "a")}),)
    INVALID = (
        Example(
            {
                "a.py": revision_file("a", "c"),
                "b.py": revision_file("b", "a"),
                "c.py": revision_file("c", "b"),
            },
            expect=(("a.py", 2),),
            title="three revisions in a loop",
        ),
        Example.single(revision_file("a", "a"), 2, title="a revision that revises itself"),
        Example(
            {"a.py": revision_file("a"), "b.py": revision_file("b", "a", depends_on="b")},
            expect=(("b.py", 4),),
            title="a revision that depends on itself",
        ),
        Example(
            {"a.py": revision_file("a", depends_on="b"), "b.py": revision_file("b", "a")},
            expect=(("a.py", 4),),
            title="a cycle through depends_on",
        ),
    )

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        graph = analysis.graph
        for cycle in graph.cycles:
            members = [graph.revisions[rev] for rev in cycle]
            first = members[0]
            if len(members) == 1:
                variable = _link_variable(graph, first, cycle)
                advice = (
                    "Point it at the revision that precedes it, or None for a base."
                    if variable == "down_revision"
                    else "Remove it from `depends_on`."
                )
                message = (
                    f"revision {first.revision!r} names itself in its own `{variable}`; "
                    f"alembic refuses to load the history. {advice}"
                )
            else:
                path = " -> ".join([*cycle, cycle[0]])
                message = (
                    f"revisions form a cycle ({path}, each revising the next); alembic refuses "
                    "to load the history. Break the cycle by fixing one `down_revision`."
                )
            related = [
                Location(
                    m.path, m.span_of(_link_variable(graph, m, cycle)), f"revision {m.revision}"
                )
                for m in members[1:]
            ]
            yield self.finding(
                message,
                first.path,
                first.span_of(_link_variable(graph, first, cycle)),
                related=related,
                revision=first.revision,
                key=" ".join(sorted(cycle)),
            )


def _link_variable(graph: RevisionGraph, revision: Revision, cycle: tuple[str, ...]) -> str:
    """`down_revision`, or `depends_on` when only a dependency keeps it in the cycle."""
    members = set(cycle)
    for name in revision.down_revisions:
        if graph.resolve_parent(name) in members:
            return "down_revision"
    return "depends_on"
