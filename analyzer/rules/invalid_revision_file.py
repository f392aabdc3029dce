from __future__ import annotations

from collections.abc import Iterator

from analyzer.analysis import Analysis
from analyzer.facts import MigrationFacts
from analyzer.findings import Finding, Level
from analyzer.graph import ILLEGAL_ID_CHARACTERS
from analyzer.positions import FILE_START, Span
from analyzer.rules.base import Example, Rule, revision_file


class InvalidRevisionFile(Rule):
    """A file in a versions directory is not a loadable revision.

    ## What it does
    Reports a `.py` file in a versions directory that alembic cannot load as a revision:
    it cannot be read, is not valid UTF-8 (or the encoding it declares), has a syntax
    error (including Python 2 syntax and syntax only newer Pythons accept), has no
    `revision` or no `down_revision` variable, or declares a revision id alembic
    refuses (empty, or holding `@`, `-` or `+`). The rest of the tree is still
    analyzed. A file named `<lowercase hex>.py` needs no `revision` variable: alembic
    takes the id from its name (a fallback kept for very old scripts).

    ## Why is this bad?
    alembic imports every `.py` file of the versions directories. One broken file makes
    every alembic command fail, including `alembic upgrade` during a deploy.

    ## Example
    ```python
    # versions/3c4d_add_index.py
    revision = "3c4d"
    down_revision = "1a2b"

    def upgrade():
        op.create_index("ix_users_email", "users", ["email"]  # missing ")"
    ```

    Use instead: fix the syntax error, or move files that are not revisions (helpers,
    backups, scratch files) out of the versions directory.
    """

    id = "invalid-revision-file"
    default_level = Level.ERROR
    tags = ("revision-graph", "correctness")
    VALID = (
        Example.single(revision_file("a1")),
        Example(
            {"1975ea83b712.py": "down_revision = None\n"},
            title="no revision variable in a `<hex>.py` file: alembic takes the id from its name",
        ),
    )
    INVALID = (
        Example.single(revision_file("a1") + "\ndef broken(:\n", 14, title="syntax error"),
        Example.single("print 'hello'\nrevision = 'a1'\n", 1, title="Python 2 syntax"),
        Example.single("down_revision = None\n", 1, title="no revision variable"),
        Example(
            {"3c4d_add_index.py": "down_revision = None\n"},
            expect=(("3c4d_add_index.py", 1),),
            title="no revision variable, and a file name that is not a bare hex id",
        ),
        Example.single("revision = 'a1'\nbranch_labels = None\n", 1, title="no down_revision"),
        Example(
            {"abc123.py": "x = 1\n"},
            expect=(("abc123.py", 1),),
            title="a `<hex>.py` file is revision `<hex>`, and still needs a down_revision",
        ),
        Example.single("", 1, title="empty file"),
        Example.single(revision_file("a-1"), 1, title="illegal character in the id"),
    )

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        for facts in analysis.files:
            problem = _problem(facts)
            if problem is not None:
                message, span = problem
                yield self.finding(message, facts.path, span, key=message)


def _problem(facts: MigrationFacts) -> tuple[str, Span] | None:
    if facts.problem is not None:
        return facts.problem.message, facts.problem.span
    assignment = facts.revision
    if facts.revision_id() is not None and facts.down_revision is None:
        return (
            "no `down_revision` variable: alembic cannot load this file (AttributeError). "
            "Add `down_revision = None` for a base revision, or the id of the revision "
            "it follows",
            assignment.span if assignment is not None else FILE_START,
        )
    if assignment is None:
        if facts.legacy_revision_id() is not None:
            return None  # alembic takes the id from a `<hex>.py` file name
        return (
            "no `revision` variable: alembic cannot load this file. Add "
            '`revision = "<id>"`, or move the file out of the versions directory',
            FILE_START,
        )
    revision = assignment.value
    if revision == "":
        return "the revision id is empty; alembic cannot use it", assignment.span
    if isinstance(revision, str):
        illegal = sorted(set(revision) & ILLEGAL_ID_CHARACTERS)
        if illegal:
            chars = ", ".join(repr(c) for c in illegal)
            return (
                f"revision id {revision!r} contains {chars}, which alembic does not allow "
                "in revision ids",
                assignment.span,
            )
    return None
