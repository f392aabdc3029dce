from __future__ import annotations

from collections.abc import Iterable, Iterator

from analyzer.analysis import Analysis
from analyzer.configfile import did_you_mean
from analyzer.findings import Finding, Level
from analyzer.rules.base import Example, Rule
from analyzer.suppress import UNUSED_SUPPRESSION, UnusedComment, judge

_HEADS = 'revision = "{id}"{comment}\ndown_revision = "base"\n'
_BASE = 'revision = "base"\ndown_revision = None\n'


class UnusedSuppression(Rule):
    """A suppression comment that suppresses nothing.

    ## What it does
    Reports an `# alembic-analyzer: ignore[rule-id]` or `ignore-file[rule-id]` comment
    that suppresses no finding of a rule that ran: the problem was fixed, the comment is
    on the wrong line, or the rule id is misspelt. Also reports a comment that starts like
    a suppression but is not one, such as `# alembic-analyzer: ignore` without rule ids.
    A comment naming a rule that did not run (not selected) is not reported.

    This rule is opt-in: enable it with `--extend-select unused-suppression` or
    `extend-select = ["unused-suppression"]`. It judges the comments after every other
    rule ran; `# alembic-analyzer: ignore[unused-suppression]` on the line silences it.

    ## Why is this bad?
    A stale suppression silently hides the next real problem on that line, and a
    misspelt one suppresses nothing while looking as if it did.

    ## Example
    ```python
    # the other head was merged long ago
    revision = "b2"  # alembic-analyzer: ignore[multiple-heads]
    down_revision = "a1"
    ```

    Use instead: delete the comment, or correct the rule id
    (`alembic-analyzer rules` lists them).
    """

    id = UNUSED_SUPPRESSION
    default_level = Level.WARNING
    opt_in = True
    tags = ("suppression",)
    VALID = (
        Example(
            {
                "a.py": _BASE,
                "b.py": _HEADS.format(
                    id="b", comment="  # alembic-analyzer: ignore[multiple-heads]"
                ),
                "c.py": _HEADS.format(id="c", comment=""),
            },
            title="the comment suppresses the branch conflict",
        ),
        Example(
            {"helpers.py": "# alembic-analyzer: ignore-file[invalid-revision-file]\nx = 1\n"},
            title="a whole-file suppression of the file's only finding",
        ),
        Example(
            {
                "a.py": _BASE + "# alembic-analyzer: ignore[bogus]  "
                "# alembic-analyzer: ignore[unused-suppression]\n"
            },
            title="silenced on its own line",
        ),
    )
    INVALID = (
        Example(
            {
                "a.py": _BASE,
                "b.py": _HEADS.format(
                    id="b", comment="  # alembic-analyzer: ignore[multiple-heads]"
                ),
            },
            expect=(("b.py", 1),),
            title="nothing left to suppress",
        ),
        Example(
            {
                "a.py": _BASE,
                "b.py": _HEADS.format(
                    id="b", comment="  # alembic-analyzer: ignore[multiple-head]"
                ),
                "c.py": _HEADS.format(id="c", comment=""),
            },
            expect=(("b.py", 1),),
            title="a misspelt rule id",
        ),
        Example.single(_BASE + "# alembic-analyzer: ignore\n", 3, title="no rule ids"),
        Example.single(
            "# alembic-analyzer: ignore-file[dynamic-revision]\n" + _BASE,
            1,
            title="a whole-file suppression with nothing to suppress",
        ),
    )

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        """Judge the comments against every other rule's findings (rule examples, library
        use). `analyzer.api` judges them against the rules that ran and calls `report`."""
        from analyzer.rules import all_rules

        others = [rule for rule in all_rules() if rule.id != self.id]
        findings = [finding for rule in others for finding in rule().check(analysis)]
        ids = {rule.id for rule in others}
        judgement = judge(findings, analysis.files, enabled=ids, known=ids | {self.id})
        return self.report(judgement.unused)

    def report(self, unused: Iterable[UnusedComment]) -> Iterator[Finding]:
        for comment in unused:
            yield self.finding(
                _message(comment),
                comment.path,
                comment.suppression.span,
                revision=comment.revision,
                key=_key(comment),
            )


def _message(comment: UnusedComment) -> str:
    if comment.rule is None:
        return (
            "this comment is not a valid suppression and suppresses nothing; write "
            "`# alembic-analyzer: ignore[rule-id, ...]` (this line) or "
            "`# alembic-analyzer: ignore-file[rule-id, ...]` (the whole file)"
        )
    if not comment.known:
        from analyzer.rules import all_rules

        hint = did_you_mean(comment.rule, [rule.id for rule in all_rules()])
        return (
            f"unknown rule {comment.rule!r} in a suppression comment"
            f"{hint or '; `alembic-analyzer rules` lists the rule ids'}"
        )
    where = "this file" if comment.suppression.whole_file else "this line"
    return (
        f"unused suppression: no {comment.rule} finding on {where}; remove "
        f"{comment.rule!r} from the comment"
    )


def _key(comment: UnusedComment) -> str:
    kind = "file" if comment.suppression.whole_file else "line"
    return f"{kind} {comment.rule or '(invalid)'}"
