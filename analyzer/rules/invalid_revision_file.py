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
    `revision` variable, or declares a revision id alembic refuses (empty, or holding
    `@`, `-` or `+`). The rest of the tree is still analyzed.

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
    VALID = (Example.single(revision_file("a1")),)
    INVALID = (
        Example.single(revision_file("a1") + "\ndef broken(:\n", 14, title="syntax error"),
        Example.single("print 'hello'\nrevision = 'a1'\n", 1, title="Python 2 syntax"),
        Example.single("down_revision = None\n", 1, title="no revision variable"),
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
    if assignment is None:
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
