from __future__ import annotations

import os
from collections.abc import Iterator

from analyzer.analysis import Analysis
from analyzer.findings import Finding, Level, Location
from analyzer.rules.base import Example, Rule, revision_file


class DuplicateRevision(Rule):
    """Two files declare the same revision id.

    ## What it does
    Reports a revision id declared by more than one revision file. The finding is on the
    first file alembic loads; the other files are related locations.

    ## Why is this bad?
    alembic keeps only the last file it loads with that id (with a "Revision ... is
    present more than once" warning) and silently ignores the others, so their
    migrations never run. It usually comes from copying a revision file as a template
    or from a botched rebase.

    ## Example
    ```python
    # versions/a1_add_email.py
    revision = "a1"

    # versions/a1_add_phone.py (copied from the file above)
    revision = "a1"
    ```

    Use instead: give the copy a fresh id (`alembic revision` generates one) and set the
    `down_revision` of whatever follows accordingly.
    """

    id = "duplicate-revision"
    default_level = Level.ERROR
    tags = ("revision-graph", "correctness")
    VALID = (Example({"a.py": revision_file("a"), "b.py": revision_file("b", "a")}),)
    INVALID = (
        Example(
            {
                "a.py": revision_file("a"),
                "b.py": revision_file("b", "a"),
                "c.py": revision_file("b", "a"),
            },
            expect=(("b.py", 1),),
        ),
    )

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        graph = analysis.graph
        for revision_id, declarations in graph.declarations.items():
            if len(declarations) < 2:
                continue
            first, *others = declarations
            kept = declarations[-1]
            files = ", ".join(os.path.basename(d.path) for d in declarations)
            message = (
                f"revision id {revision_id!r} is declared by {len(declarations)} files ({files}); "
                f"alembic keeps only {os.path.basename(kept.path)} and ignores the others. "
                "Give each file its own id."
            )
            yield self.finding(
                message,
                first.path,
                first.span_of("revision"),
                related=[
                    Location(
                        other.path, other.span_of("revision"), f"also declares {revision_id!r}"
                    )
                    for other in others
                ],
                revision=revision_id,
                key=revision_id,
            )
