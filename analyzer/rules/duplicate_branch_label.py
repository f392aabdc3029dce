from __future__ import annotations

from collections.abc import Iterator

from analyzer.analysis import Analysis
from analyzer.findings import Finding, Level, Location
from analyzer.rules.base import Example, Rule, revision_file


class DuplicateBranchLabel(Rule):
    """One branch label on two revisions.

    ## What it does
    Reports a branch label declared in the `branch_labels` of more than one revision,
    or a branch label that is also a revision id.

    ## Why is this bad?
    A branch label names exactly one branch. alembic refuses to load a history where two
    revisions declare the same label ("Branch name 'x' in revision b2 already used by
    revision a1"), so no migration can run. It usually comes from copying the first
    revision of a branch to start another one.

    ## Example
    ```python
    # versions/a1.py
    revision = "a1"
    branch_labels = ("billing",)

    # versions/b2.py
    revision = "b2"
    branch_labels = ("billing",)
    ```

    Use instead: declare a label only on the first revision of its branch; its
    descendants inherit it. Give a new branch a new label.
    """

    id = "duplicate-branch-label"
    default_level = Level.ERROR
    tags = ("revision-graph", "correctness")
    VALID = (
        Example(
            {
                "a.py": revision_file("a", branch_labels=("billing",)),
                "b.py": revision_file("b", "a"),
            }
        ),
    )
    INVALID = (
        Example(
            {
                "a.py": revision_file("a", branch_labels=("billing",)),
                "b.py": revision_file("b", branch_labels=("billing",)),
            },
            expect=(("b.py", 3),),
        ),
        Example(
            {"a.py": revision_file("a"), "b.py": revision_file("b", "a", branch_labels=("a",))},
            expect=(("b.py", 3),),
            title="a label that is also a revision id",
        ),
    )

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        graph = analysis.graph
        for label, owners in graph.label_declarations.items():
            first = owners[0]
            if label in graph.revisions:
                yield self.finding(
                    f"branch label {label!r} is also a revision id; alembic refuses to load "
                    "the history. Rename the label.",
                    first.path,
                    first.span_of("branch_labels"),
                    related=[
                        Location(
                            graph.revisions[label].path,
                            graph.revisions[label].span_of("revision"),
                            f"revision {label!r}",
                        )
                    ],
                    revision=first.revision,
                    key=label,
                )
            for other in owners[1:]:
                yield self.finding(
                    f"branch label {label!r} is already declared by revision {first.revision!r}; "
                    "alembic refuses to load the history. Declare a label only on the first "
                    "revision of its branch, or choose a new label.",
                    other.path,
                    other.span_of("branch_labels"),
                    related=[
                        Location(
                            first.path, first.span_of("branch_labels"), f"revision {first.revision}"
                        )
                    ],
                    revision=other.revision,
                    key=label,
                )
