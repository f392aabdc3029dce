from __future__ import annotations

import difflib
from collections.abc import Iterator

from analyzer.analysis import Analysis
from analyzer.findings import Finding, Level
from analyzer.rules.base import Example, Rule, revision_file


class MissingRevision(Rule):
    """A `down_revision` or `depends_on` names a revision that no file declares.

    ## What it does
    Reports a `down_revision` or `depends_on` that names a revision id (or, for
    `depends_on`, a branch label) that no revision file of the project declares. A
    `down_revision` must name a revision id: alembic does not accept a branch label
    there, nor an empty string (`""` is not `None`).

    ## Why is this bad?
    alembic cannot load a history with a dangling reference: every command, including
    `alembic upgrade`, fails with "Revision ... referenced from ... is not present".
    It usually comes from a typo, a rebase that rewrote an id, or a revision file that
    was deleted or never committed.

    ## Example
    ```python
    # versions/b2_add_phone.py
    revision = "b2"
    down_revision = "a9"  # no file declares "a9"
    ```

    Use instead: point `down_revision` at the revision that really precedes this one
    (`alembic history` lists them), or restore the missing revision file.
    """

    id = "missing-revision"
    default_level = Level.ERROR
    tags = ("revision-graph", "correctness")
    VALID = (
        Example({"a.py": revision_file("a"), "b.py": revision_file("b", "a")}),
        Example(
            {
                "a.py": revision_file("a", branch_labels=("core",)),
                "b.py": revision_file("b", depends_on="core"),
            },
            title="depends_on may name a branch label",
        ),
        Example(
            {
                "base.py": revision_file("base") + "print 'python 2'\n",
                "child.py": revision_file("child", "base"),
            },
            title="the parent's file has a syntax error (invalid-revision-file) but declares it",
        ),
    )
    INVALID = (
        Example({"b.py": revision_file("b", "a")}, expect=(("b.py", 2),)),
        Example(
            {"a.py": revision_file("a"), "b.py": revision_file("b", "a", depends_on="zz")},
            expect=(("b.py", 4),),
            title="a dependency that does not exist",
        ),
        Example(
            {"a.py": revision_file("a"), "m.py": revision_file("m", ("a", "x"))},
            expect=(("m.py", 2),),
            title="one parent of a merge is missing",
        ),
        Example(
            {
                "a.py": revision_file("a", branch_labels=("core",)),
                "b.py": revision_file("b", "core"),
            },
            expect=(("b.py", 2),),
            title="down_revision names a branch label (only depends_on may)",
        ),
        Example(
            {"a.py": revision_file("a"), "b.py": revision_file("b", "")},
            expect=(("b.py", 2),),
            title='an empty string is not None: down_revision = "" names a revision ""',
        ),
    )

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        graph = analysis.graph
        if graph.unidentified:
            return  # a missing id may be the one a non-literal `revision` holds
        known = sorted(graph.revisions)
        for missing in graph.missing:
            revision = missing.revision
            what = "revision" if missing.kind == "down_revision" else "revision or branch label"
            message = (
                f"`{missing.kind}` names {missing.name!r}, which no revision file declares "
                f"(as a {what}); alembic cannot load the history"
            )
            labelled = graph.labels.get(missing.name)
            close = difflib.get_close_matches(missing.name, known, n=1, cutoff=0.75)
            if missing.kind == "down_revision" and labelled is not None:
                message += (
                    f". {missing.name!r} is a branch label (of revision {labelled!r}), and "
                    f"`down_revision` must name a revision id: use {labelled!r}."
                )
            elif missing.kind == "down_revision" and missing.name == "":
                message += ". An empty string is not None: write `down_revision = None` for a base."
            elif close:
                message += f". Did you mean {close[0]!r}?"
            else:
                message += ". Point it at an existing revision or restore the missing file."
            yield self.finding(
                message,
                revision.path,
                revision.span_of(missing.kind),
                revision=revision.revision,
                key=f"{missing.kind} {missing.name}",
            )
