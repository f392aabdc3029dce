from __future__ import annotations

from collections.abc import Iterator

from analyzer.analysis import Analysis
from analyzer.findings import Finding, Level, Location
from analyzer.graph import RevisionGraph
from analyzer.rules.base import Example, Rule, revision_file


class MultipleHeads(Rule):
    """Two or more heads in the same branch.

    ## What it does
    Reports a revision tree with two or more heads in the same branch: typically two
    developers who each added a revision on the same parent. Heads are grouped by the
    branch labels they inherit, as alembic propagates them.

    ## Why is this bad?
    `alembic upgrade head` stops with "Multiple head revisions are present for given
    argument 'head'", so the next deploy fails. Running `alembic upgrade heads` instead
    applies both branches in an order nobody chose.

    Heads in different branch-label groups (expand/contract branches, a labelled plugin
    branch next to an unlabelled trunk) are intentional and are not reported.
    `depends_on` orders revisions but does not merge heads.

    ## Example
    ```python
    # versions/a1_add_email.py
    revision = "a1"
    down_revision = "base"

    # versions/b2_add_phone.py
    revision = "b2"
    down_revision = "base"
    ```

    Use instead:
    ```sh
    alembic merge -m "merge heads" a1 b2
    ```
    or, if the branch has not been deployed anywhere yet, rebase one revision onto the
    other by setting its `down_revision` to the other head.
    """

    id = "multiple-heads"
    default_level = Level.ERROR
    tags = ("revision-graph", "correctness")
    VALID = (
        Example({"a.py": revision_file("a"), "b.py": revision_file("b", "a")}, title="linear"),
        Example(
            {
                "a.py": revision_file("a"),
                "b.py": revision_file("b", "a"),
                "c.py": revision_file("c", "a"),
                "m.py": revision_file("m", ("b", "c")),
            },
            title="branches merged by a merge revision",
        ),
        Example(
            {
                "a.py": revision_file("a"),
                "e.py": revision_file("e", "a", branch_labels=("expand",)),
                "c.py": revision_file("c", "a", branch_labels=("contract",), depends_on="e"),
            },
            title="expand/contract branches carry different labels",
        ),
        Example(
            {
                "a.py": revision_file("a"),
                "b.py": revision_file("b", "a"),
                "p.py": revision_file("p", branch_labels=("plugin",), depends_on="a"),
            },
            title="a labelled branch next to an unlabelled trunk",
        ),
        Example(
            {
                "a.py": revision_file("a", branch_labels=("x",)),
                "b.py": revision_file("b", branch_labels=("x",)),
            },
            title="one label on two bases is a duplicate-branch-label, not two heads",
        ),
        Example(
            {
                "a.py": revision_file("a"),
                "b.py": revision_file("b", "a") + "print 'python 2'\n",
                "c.py": revision_file("c", "b"),
            },
            title="the parent of a file with a syntax error (invalid-revision-file) is no head",
        ),
    )
    INVALID = (
        Example(
            {
                "a.py": revision_file("a"),
                "b.py": revision_file("b", "a"),
                "c.py": revision_file("c", "a"),
            },
            expect=(("b.py", 1),),
            title="two revisions on the same parent",
        ),
        Example(
            {
                "a.py": revision_file("a", branch_labels=("expand",)),
                "b.py": revision_file("b", "a"),
                "c.py": revision_file("c", "a"),
            },
            expect=(("b.py", 1),),
            title="two heads inside one labelled branch",
        ),
        Example(
            {
                "a.py": revision_file("a"),
                "b.py": revision_file("b"),
                "c.py": revision_file("c", "a", depends_on="b"),
            },
            expect=(("b.py", 1),),
            title="depends_on does not merge heads",
        ),
    )

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        graph = analysis.graph
        if len(graph.heads) < 2 or not _heads_are_known(graph):
            return
        for labels, group in graph.head_groups():
            heads = [head for head in group if head not in graph.broken]
            if len(heads) < 2 or any(_clashing(graph, label) for label in labels):
                continue
            yield self._report(graph, labels, heads)

    def _report(self, graph: RevisionGraph, labels: frozenset[str], heads: list[str]) -> Finding:
        first, *others = (graph.revisions[head] for head in heads)
        where = f" in branch {', '.join(repr(label) for label in sorted(labels))}" if labels else ""
        names = ", ".join(heads)
        target = f"{sorted(labels)[0]}@head" if labels else "head"
        message = (
            f"{len(heads)} heads{where}: {names}; `alembic upgrade {target}` fails with "
            f'"Multiple head revisions are present". Merge them: '
            f'alembic merge -m "merge heads" {" ".join(heads)}'
        )
        related = [
            Location(other.path, other.span_of("revision"), f"head {other.revision}")
            for other in others
        ]
        return self.finding(
            message,
            first.path,
            first.span_of("revision"),
            related=related,
            revision=first.revision,
            key=" ".join(sorted(heads)),
        )


def _clashing(graph: RevisionGraph, label: str) -> bool:
    """A label declared twice, or also a revision id (`duplicate-branch-label`): the
    grouping of the heads it carries is an artifact that fixing the label changes."""
    return len(graph.label_declarations.get(label, ())) > 1 or label in graph.revisions


def _heads_are_known(graph: RevisionGraph) -> bool:
    """False when a non-literal `down_revision` or branch label could change the heads."""
    if graph.unknown_parents:
        return False
    if not graph.unknown_labels:
        return True
    above = graph.descendants(r.revision for r in graph.unknown_labels)
    return not any(head in above for head in graph.heads)
