"""`--format github`: workflow commands the Actions runner turns into annotations.

The exact output for the shared findings is in tests/snapshots/report.github.
"""

from __future__ import annotations

from pathlib import Path

from analyzer.findings import Finding, Level, Location
from analyzer.positions import Span
from analyzer.report import github
from analyzer.report.roots import workspace_root
from tests.helpers import FIXTURES, run_cli


def finding(path: Path, span: Span, message: str = "m", level: Level = Level.ERROR) -> Finding:
    return Finding(
        rule="missing-revision", level=level, message=message, location=Location(str(path), span)
    )


def test_escaping_follows_the_runner() -> None:
    # The example of ../shared/sarif/GITHUB.md §5.2, checked there with actions/toolkit.
    assert github.escape_property("migrations/versions/a,b.py") == "migrations/versions/a%2Cb.py"
    assert github.escape_property("AL001: drop column") == "AL001%3A drop column"
    assert github.escape_data("100% breaking\nsecond line") == "100%25 breaking%0Asecond line"
    assert github.escape_data("a\r\nb: c, d") == "a%0D%0Ab: c, d"
    assert github.escape_property("%0A") == "%250A"


def test_one_command_per_finding_with_its_level(tmp_path: Path) -> None:
    path = tmp_path / "versions" / "a,b: 100%.py"
    findings = [
        finding(path, Span(4, 5, 4, 40), "100% broken\nreally", Level.ERROR),
        finding(path, Span(7, 1, 7, 3), "w", Level.WARNING),
        finding(path, Span(9, 1, 9, 3), "n", Level.NOTE),
    ]
    assert github.render(findings, tmp_path).splitlines() == [
        "::error file=versions/a%2Cb%3A 100%25.py,line=4,col=5,endLine=4,endColumn=40,"
        "title=alembic-analyzer (missing-revision)::100%25 broken%0Areally",
        "::warning file=versions/a%2Cb%3A 100%25.py,line=7,col=1,endLine=7,endColumn=3,"
        "title=alembic-analyzer (missing-revision)::w",
        "::notice file=versions/a%2Cb%3A 100%25.py,line=9,col=1,endLine=9,endColumn=3,"
        "title=alembic-analyzer (missing-revision)::n",
    ]


def test_a_multi_line_finding_is_annotated_by_lines(tmp_path: Path) -> None:
    # The runner drops col and endColumn when line != endLine.
    command = github.format_finding(finding(tmp_path / "a.py", Span(3, 5, 6, 2)), tmp_path)
    assert (
        command == "::error file=a.py,line=3,endLine=6,title=alembic-analyzer (missing-revision)::m"
    )


def test_no_findings_no_output(tmp_path: Path) -> None:
    assert github.render([], tmp_path) == ""


def test_paths_are_relative_to_the_workspace(tmp_path: Path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "app").mkdir()
    cwd = tmp_path / "repo" / "app"
    assert workspace_root(cwd, {"GITHUB_WORKSPACE": str(tmp_path)}) == tmp_path.resolve()
    assert workspace_root(cwd, {}) == (tmp_path / "repo").resolve()
    assert workspace_root(tmp_path, {}) == tmp_path.resolve()


def test_the_command_line() -> None:
    fixture = FIXTURES / "two-heads"
    result = run_cli(
        ["check", ".", "--format", "github"], cwd=fixture, env={"GITHUB_WORKSPACE": str(fixture)}
    )
    assert result.returncode == 1
    [line] = result.stdout.splitlines()
    assert line.startswith(
        "::error file=migrations/versions/5a9e0c3d7b18_add_reorder_threshold.py,line=15,col=1,"
        "endLine=15,endColumn=31,title=alembic-analyzer (multiple-heads)::2 heads: "
    )
