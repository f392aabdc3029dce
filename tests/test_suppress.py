"""Suppression comments (SPEC §8): what the parser finds, what they suppress, and the
opt-in `unused-suppression` rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.api import Report, check
from analyzer.config import Config
from analyzer.facts import MigrationFacts, Suppression
from analyzer.findings import Finding, Level, Location
from analyzer.parsing import parse_file
from analyzer.parsing.suppressions import find_suppressions
from analyzer.positions import Span
from analyzer.rules.base import revision_file
from analyzer.suppress import judge
from tests.helpers import run_cli, write_files

IGNORE = "# alembic-analyzer: ignore"
VERSIONS = "migrations/versions"


# --- the comments ---------------------------------------------------------------------------


def test_a_line_suppression_with_several_rules_and_a_reason() -> None:
    text = f'revision = "a"  {IGNORE}[dynamic-revision, multiple-heads] generated\n'
    assert find_suppressions(text) == (
        Suppression(1, ("dynamic-revision", "multiple-heads"), False, Span(1, 17, 1, 77)),
    )


def test_a_whole_file_suppression() -> None:
    text = "x = 1\n\n#alembic-analyzer:ignore-file[ invalid-revision-file ]\n"
    assert find_suppressions(text) == (
        Suppression(3, ("invalid-revision-file",), True, Span(3, 1, 3, 55)),
    )


@pytest.mark.parametrize(
    "comment",
    [
        IGNORE,
        f"{IGNORE}[]",
        "# alembic-analyzer: ignorefile[multiple-heads]",
        "# alembic-analyzer: noqa",
        f"{IGNORE}(multiple-heads)",
    ],
)
def test_a_malformed_directive_is_kept_without_rules(comment: str) -> None:
    (found,) = find_suppressions(f"x = 1  {comment}\n")
    assert (found.line, found.rules, found.whole_file) == (1, (), False)
    assert found.span == Span(1, 8, 1, 8 + len(comment))


def test_directives_inside_strings_are_not_comments() -> None:
    text = (
        '"""Docstring.\n\n# alembic-analyzer: ignore-file[multiple-heads]\n"""\n'
        f'x = "{IGNORE}[multiple-heads]"\n'
    )
    assert find_suppressions(text) == ()


def test_two_directives_in_one_comment() -> None:
    text = f"x = 1  # noqa: E501  {IGNORE}[dynamic-revision]  {IGNORE}-file[missing-revision]\n"
    found = find_suppressions(text)
    assert [(s.rules, s.whole_file, s.span.start_col) for s in found] == [
        (("dynamic-revision",), False, 22),
        (("missing-revision",), True, 68),
    ]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_numbers_follow_the_line_endings(newline: str) -> None:
    text = newline.join(["x = 1", "", f"y = 2  {IGNORE}[multiple-heads]", ""])
    assert [s.line for s in find_suppressions(text)] == [3]


def test_a_file_with_python_2_syntax_keeps_its_suppressions(tmp_path: Path) -> None:
    path = tmp_path / "old.py"
    path.write_text(
        f"{IGNORE}-file[invalid-revision-file]\nrevision = 'a'\nprint 'upgraded'\n",
        encoding="utf-8",
    )
    facts = parse_file(str(path))
    assert facts.problem is not None
    assert [(s.line, s.rules, s.whole_file) for s in facts.suppressions] == [
        (1, ("invalid-revision-file",), True)
    ]


# --- what they suppress ----------------------------------------------------------------------


def _project(root: Path, files: dict[str, str]) -> Path:
    ini = "[alembic]\nscript_location = %(here)s/migrations\n"
    write_files(root, {"alembic.ini": ini, **{f"{VERSIONS}/{k}": v for k, v in files.items()}})
    return root


def _check(root: Path, **config: object) -> Report:
    return check([], Config(**config), root)  # type: ignore[arg-type]


def _found(report: Report) -> list[tuple[str, str, int]]:
    return [
        (f.rule, Path(f.location.path).name, f.location.span.start_line) for f in report.findings
    ]


def _heads(comment_b: str = "", comment_c: str = "") -> dict[str, str]:
    return {
        "a.py": revision_file("a"),
        "b.py": revision_file("b", "a").replace("\n", f"{comment_b}\n", 1),
        "c.py": revision_file("c", "a").replace("\n", f"{comment_c}\n", 1),
    }


def test_unsuppressed(tmp_path: Path) -> None:
    report = _check(_project(tmp_path, _heads()))
    assert _found(report) == [("multiple-heads", "b.py", 1)]
    assert report.suppressed == 0


def test_a_comment_on_the_reported_line_suppresses(tmp_path: Path) -> None:
    report = _check(_project(tmp_path, _heads(comment_b=f"  {IGNORE}[multiple-heads]")))
    assert _found(report) == []
    assert report.suppressed == 1


def test_a_comment_on_a_related_location_suppresses(tmp_path: Path) -> None:
    report = _check(_project(tmp_path, _heads(comment_c=f"  {IGNORE}[multiple-heads]")))
    assert _found(report) == []


def test_a_comment_for_another_rule_does_not_suppress(tmp_path: Path) -> None:
    report = _check(_project(tmp_path, _heads(comment_b=f"  {IGNORE}[missing-revision]")))
    assert _found(report) == [("multiple-heads", "b.py", 1)]


def test_a_comment_on_another_line_does_not_suppress(tmp_path: Path) -> None:
    files = _heads()
    files["b.py"] = files["b.py"].replace(
        "down_revision = 'a'", f"down_revision = 'a'  {IGNORE}[multiple-heads]"
    )
    assert f"{IGNORE}[multiple-heads]" in files["b.py"]
    assert _found(_check(_project(tmp_path, files))) == [("multiple-heads", "b.py", 1)]


MULTI_LINE = (
    "import os\n"
    "revision = 'b'\n"
    "down_revision = (\n"  # line 3: the finding's span is lines 3-5
    "    os.environ['PARENT']{comment_4}\n"
    "){comment_5}\n"
    "{comment_6}\n"
)


@pytest.mark.parametrize(("line", "suppressed"), [(3, True), (4, True), (5, True), (6, False)])
def test_any_line_of_a_multi_line_statement(tmp_path: Path, line: int, suppressed: bool) -> None:
    comments = {f"comment_{n}": "" for n in (4, 5, 6)}
    source = MULTI_LINE.format(**comments)
    comment = f"  {IGNORE}[dynamic-revision]"
    if line == 3:
        source = source.replace("down_revision = (", f"down_revision = ({comment}")
    else:
        source = MULTI_LINE.format(**{**comments, f"comment_{line}": comment})
    report = _check(_project(tmp_path, {"b.py": source}), select=("dynamic-revision",))
    assert _found(report) == ([] if suppressed else [("dynamic-revision", "b.py", 3)])


def test_judge_on_a_multi_line_call() -> None:
    """A finding on a call spanning lines 10-14 (an `op.create_foreign_key(` over several
    lines) is suppressed by a comment on line 12, not on line 15."""
    facts = MigrationFacts(
        path="/p/r.py",
        suppressions=(
            Suppression(12, ("unindexed-foreign-key",), False, Span(12, 20, 12, 60)),
            Suppression(15, ("unindexed-foreign-key",), False, Span(15, 1, 15, 40)),
        ),
    )
    finding = Finding(
        "unindexed-foreign-key", Level.WARNING, "m", Location("/p/r.py", Span(10, 5, 14, 6))
    )
    outcome = judge([finding], [facts], {"unindexed-foreign-key"}, {"unindexed-foreign-key"})
    assert outcome.kept == ()
    assert outcome.suppressed == (finding,)
    assert [u.suppression.line for u in outcome.unused] == [15]


def test_ignore_file_suppresses_in_the_whole_file(tmp_path: Path) -> None:
    files = _heads()
    files["b.py"] = f"{IGNORE}-file[multiple-heads, dynamic-revision]\n" + files["b.py"]
    assert _found(_check(_project(tmp_path, files))) == []


def test_ignore_file_on_a_file_with_a_syntax_error(tmp_path: Path) -> None:
    files = {
        "a.py": revision_file("a"),
        "old.py": f"{IGNORE}-file[invalid-revision-file]\nprint 'hello'\n",
        "new.py": "print 'hello'\n",
    }
    report = _check(_project(tmp_path, files))
    assert _found(report) == [("invalid-revision-file", "new.py", 1)]
    assert report.suppressed == 1


# --- unused-suppression ------------------------------------------------------------------------


def test_unused_suppression_is_opt_in(tmp_path: Path) -> None:
    files = {"a.py": revision_file("a").replace("\n", f"  {IGNORE}[multiple-heads]\n", 1)}
    assert _found(_check(_project(tmp_path, files))) == []


def test_unused_suppression_reports_through_the_cli(tmp_path: Path) -> None:
    source = (
        revision_file("a").replace("\n", f"  {IGNORE}[multiple-heads]\n", 1)
        + "# alembic-analyzer: ignore-file[dynamic-revison]\n"
        + f"{IGNORE}\n"
        + f"{IGNORE}[missing-downgrade]\n"
    )
    _project(tmp_path, {"a.py": source})
    result = run_cli(
        ["check", "--select", "multiple-heads,unused-suppression,dynamic-revision"], cwd=tmp_path
    )
    assert result.returncode == 1
    path = f"{VERSIONS}/a.py"
    assert result.stdout == (
        f"{path}:1:17: warning: unused suppression: no multiple-heads finding on this line; "
        "remove 'multiple-heads' from the comment [unused-suppression]\n"
        f"{path}:13:1: warning: unknown rule 'dynamic-revison' in a suppression comment; "
        "did you mean 'dynamic-revision'? [unused-suppression]\n"
        f"{path}:14:1: warning: this comment is not a valid suppression and suppresses "
        "nothing; write `# alembic-analyzer: ignore[rule-id, ...]` (this line) or "
        "`# alembic-analyzer: ignore-file[rule-id, ...]` (the whole file) "
        "[unused-suppression]\n"
        "Found 3 problems (3 warnings) in 1 revision.\n"
    )


def test_unused_suppression_follows_levels_and_can_be_suppressed(tmp_path: Path) -> None:
    files = {
        "a.py": revision_file("a").replace(
            "\n", f"  {IGNORE}[multiple-heads]  {IGNORE}[unused-suppression]\n", 1
        ),
        "b.py": f"{IGNORE}[multiple-heads]\n" + revision_file("b", "a"),
    }
    report = _check(
        _project(tmp_path, files),
        extend_select=("unused-suppression",),
        levels={"unused-suppression": Level.ERROR},
    )
    assert [(f.rule, Path(f.location.path).name, f.level) for f in report.findings] == [
        ("unused-suppression", "b.py", Level.ERROR)
    ]
    assert report.findings[0].fingerprint
