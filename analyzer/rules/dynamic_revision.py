from __future__ import annotations

from collections.abc import Iterator

from analyzer.analysis import Analysis
from analyzer.facts import REVISION_VARIABLES, Assignment, MigrationFacts
from analyzer.findings import Finding, Level
from analyzer.graph import RevisionGraph, identifiers
from analyzer.rules.base import Example, Rule, revision_file
from analyzer.values import describe, is_literal

MAX_LINES = 5


class DynamicRevision(Rule):
    """A revision variable is not a literal.

    ## What it does
    Reports `revision`, `down_revision`, `branch_labels` or `depends_on` when its value
    is not a literal string, tuple of strings or `None`: a function call, an f-string, a
    name imported from a module that cannot be read statically, or an assignment inside
    an `if`/`try` block. A name imported from a module of the same repository that holds
    a literal is resolved by reading that module, and is not reported. Also reported: a
    variable assigned more than once (alembic uses the last value).

    ## Why is this bad?
    The revision graph is the one thing every alembic command relies on, and a value
    computed at import time can change between machines or releases. A static checker
    cannot see it either: the message says which checks could not run because of it
    (for example, heads cannot be grouped when a head's branch labels are unknown, so
    `multiple-heads` is not reported for that tree).

    ## Example
    ```python
    revision = "b2"
    down_revision = get_previous_revision()
    ```

    Use instead:
    ```python
    revision = "b2"
    down_revision = "a1"
    ```
    """

    id = "dynamic-revision"
    default_level = Level.WARNING
    tags = ("revision-graph", "maintainability")
    VALID = (
        Example.single(revision_file("a1")),
        Example.single(
            'revision: str = "a1"\ndown_revision: str | None = None\n'
            "branch_labels: tuple[str, ...] | None = ('x',)\n",
            title="annotated literals",
        ),
    )
    INVALID = (
        Example.single("revision = 'b2'\ndown_revision = previous()\n", 2, title="a call"),
        Example.single(
            "import uuid\nrevision = uuid.uuid4().hex\ndown_revision = None\n",
            2,
            title="computed id",
        ),
        Example.single(
            "revision = 'a1'\ndown_revision = None\ntry:\n    branch_labels = ('x',)\n"
            "except Exception:\n    branch_labels = None\n",
            3,
            title="assigned inside a try block",
        ),
        Example.single(
            "revision = 'a1'\ndown_revision = None\nrevision = 'a2'\n", 3, title="assigned twice"
        ),
        Example.single(
            "revision = 20240302\ndown_revision = None\n", 1, title="a number, not a string"
        ),
    )

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        graph = analysis.graph
        for facts in analysis.files:
            if facts.problem is not None:
                continue
            for name in REVISION_VARIABLES:
                assignment = facts.variables.get(name)
                if assignment is None:
                    continue
                message = _message(name, assignment, facts, graph)
                if message is not None:
                    yield self.finding(
                        message,
                        facts.path,
                        assignment.span,
                        revision=facts.revision_id(),
                        key=name,
                    )


def _message(
    name: str, assignment: Assignment, facts: MigrationFacts, graph: RevisionGraph
) -> str | None:
    if name == "revision":
        dynamic = not isinstance(assignment.value, str)
    else:
        dynamic = identifiers(assignment.value) is None
    if not dynamic:
        if assignment.earlier_lines:
            lines = ", ".join(str(line) for line in assignment.earlier_lines[:MAX_LINES])
            if len(assignment.earlier_lines) > MAX_LINES:
                lines += f" and {len(assignment.earlier_lines) - MAX_LINES} more"
            return (
                f"`{name}` is assigned more than once (also on line {lines}); alembic uses "
                "the last value. Keep one assignment."
            )
        return None
    value = describe(assignment.value)
    consequence = {
        "revision": "the revision id is unknown, so `missing-revision` is not checked "
        "for this tree",
        "down_revision": "this revision's parent is unknown, so `multiple-heads` is not "
        "checked for this tree",
        "branch_labels": _labels_consequence(facts, graph),
        "depends_on": "its dependencies cannot be checked",
    }[name]
    what = (
        f"is {value}, not a string"
        if is_literal(assignment.value)
        else f"is not a literal ({value})"
    )
    advice = (
        "Assign the id as a string."
        if name == "revision"
        else "Assign a string, a tuple of strings or None."
    )
    return f"`{name}` {what}: {consequence}. {advice}"


def _labels_consequence(facts: MigrationFacts, graph: RevisionGraph) -> str:
    revision = facts.revision_id()
    if revision is not None and revision in graph.revisions:
        above = graph.descendants([revision])
        if any(head in above for head in graph.heads):
            return (
                "the branch of the heads above it is unknown, so `multiple-heads` is not "
                "checked for this tree"
            )
    return "its branch labels are unknown"
