"""Baselines (SPEC §8): accept today's findings, fail only on new ones, survive line shifts."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from analyzer.api import check
from analyzer.baseline import Baseline
from analyzer.config import Config
from analyzer.findings import Finding, Level, Location
from analyzer.positions import Span
from tests.helpers import FIXTURES, run_cli

HEAD = "migrations/versions/5a9e0c3d7b18_add_reorder_threshold.py"
OTHER = "migrations/versions/e03b6f2c9d41_create_suppliers.py"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "two-heads"
    shutil.copytree(FIXTURES / "two-heads", root)
    return root


def _insert_line_above(path: Path, line: int, text: bytes = b"# an inserted line") -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    lines.insert(line - 1, text + b"\n")
    path.write_bytes(b"".join(lines))


def test_write_baseline_records_the_findings_without_lines(project: Path) -> None:
    result = run_cli(["check", "--write-baseline", "baseline.json"], cwd=project)
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "Wrote 1 finding to baseline.json.\n",
        "",
    )
    data = json.loads((project / "baseline.json").read_text(encoding="utf-8"))
    assert list(data) == ["version", "findings"]
    assert data["version"] == 1
    (entry,) = data["findings"]
    assert list(entry) == ["fingerprint", "rule", "path", "message"]
    assert entry["rule"] == "multiple-heads"
    assert entry["path"] == HEAD
    assert entry["message"].startswith("2 heads: 5a9e0c3d7b18, e03b6f2c9d41;")
    assert len(entry["fingerprint"]) == 32


def test_baseline_hides_known_findings_even_after_lines_move(project: Path) -> None:
    run_cli(["check", "--write-baseline", "baseline.json"], cwd=project)
    _insert_line_above(project / HEAD, 15)
    unfiltered = run_cli(["check"], cwd=project)
    assert unfiltered.stdout.startswith(f"{HEAD}:16:1: error: 2 heads")  # the line moved

    result = run_cli(["check", "--baseline", "baseline.json"], cwd=project)
    assert (result.returncode, result.stdout) == (
        0,
        "All checks passed: no problems in 5 revisions; 1 hidden by the baseline.\n",
    )


def test_a_new_finding_is_reported_and_fails(project: Path) -> None:
    run_cli(["check", "--write-baseline", "baseline.json"], cwd=project)
    (project / "migrations/versions/0f1e2d3c4b5a_add_bins.py").write_text(
        'revision = "0f1e2d3c4b5a"\ndown_revision = "deadbeef0000"\n', encoding="utf-8"
    )
    result = run_cli(["check", "--baseline", "baseline.json"], cwd=project)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "migrations/versions/0f1e2d3c4b5a_add_bins.py:2:1: error: `down_revision` names "
        "'deadbeef0000', which no revision file declares (as a revision); alembic cannot "
        "load the history. Point it at an existing revision or restore the missing file. "
        "[missing-revision]",
        "Found 1 problem (1 error) in 6 revisions; 1 hidden by the baseline.",
    ]


def test_a_third_head_is_a_new_finding(project: Path) -> None:
    run_cli(["check", "--write-baseline", "baseline.json"], cwd=project)
    (project / "migrations/versions/77aa_add_bins.py").write_text(
        'revision = "77aa"\ndown_revision = "8d3b5e7a1c22"\n', encoding="utf-8"
    )
    result = run_cli(["check", "--baseline", "baseline.json"], cwd=project)
    assert result.returncode == 1
    assert "3 heads" in result.stdout
    assert "hidden by the baseline" not in result.stdout


def test_write_baseline_ignores_the_old_baseline(project: Path) -> None:
    run_cli(["check", "--write-baseline", "old.json"], cwd=project)
    result = run_cli(
        ["check", "--baseline", "old.json", "--write-baseline", "new.json"], cwd=project
    )
    assert result.stdout == "Wrote 1 finding to new.json.\n"
    assert (project / "new.json").read_bytes() == (project / "old.json").read_bytes()


def test_identical_findings_need_one_entry_each() -> None:
    def finding(fingerprint: str) -> Finding:
        return Finding(
            "invalid-revision-file",
            Level.ERROR,
            "m",
            Location("/p/a.py", Span(1, 1, 1, 1)),
            fingerprint=fingerprint,
        )

    twins = [finding("f1"), finding("f1"), finding("f2")]
    kept, hidden = Baseline(Counter({"f1": 1, "f3": 2})).apply(twins)
    assert (kept, hidden) == ([twins[1], twins[2]], 1)
    kept, hidden = Baseline(Counter({"f1": 2, "f2": 1})).apply(twins)
    assert (kept, hidden) == ([], 3)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read baseline 'baseline.json': No such file or directory"),
        (
            "{",
            "baseline 'baseline.json' is not valid JSON: Expecting property name enclosed "
            "in double quotes: line 1 column 2 (char 1)",
        ),
        (
            "[]",
            "'baseline.json' is not an alembic-analyzer baseline (expected "
            '{"version": 1, "findings": [{"fingerprint": ...}, ...]})',
        ),
        (
            '{"version": 2, "findings": []}',
            "baseline 'baseline.json' has version 2; this alembic-analyzer reads version 1",
        ),
        (
            '{"version": 1, "findings": [{"rule": "x"}]}',
            "baseline 'baseline.json': 'findings' must be a list of objects with a 'fingerprint' "
            'string (expected {"version": 1, "findings": [{"fingerprint": ...}, ...]})',
        ),
    ],
)
def test_an_unusable_baseline_is_an_error(project: Path, content: str | None, message: str) -> None:
    if content is not None:
        (project / "baseline.json").write_text(content, encoding="utf-8")
    result = run_cli(["check", "--baseline", "baseline.json"], cwd=project)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"alembic-analyzer: error: {message}\n"


def test_a_baseline_that_cannot_be_written_leaves_nothing(project: Path) -> None:
    result = run_cli(["check", "--write-baseline", "missing/dir/baseline.json"], cwd=project)
    assert result.returncode == 2
    assert result.stderr.startswith(
        "alembic-analyzer: error: cannot write missing/dir/baseline.json"
    )
    assert not (project / "missing").exists()


FIXTURES_WITH_FINDINGS = sorted(
    name
    for name, expected in json.loads((FIXTURES / "expected.json").read_text("utf-8")).items()
    if not name.startswith("_") and expected["findings"]
)


@pytest.mark.parametrize("fixture", FIXTURES_WITH_FINDINGS)
def test_fingerprints_survive_a_line_inserted_above_each_finding(
    fixture: str, tmp_path: Path
) -> None:
    """Every rule's `key` is stable content: fingerprints do not move with lines."""
    root = tmp_path / fixture
    shutil.copytree(FIXTURES / fixture, root)
    config = Config(select=("ALL",))
    before = check([str(root)], config, root).findings
    assert before
    first_lines: dict[str, int] = {}
    for finding in before:
        path = finding.location.path
        first_lines[path] = min(first_lines.get(path, 10**9), finding.location.span.start_line)
    for path, line in first_lines.items():
        _insert_line_above(Path(path), line)
    after = check([str(root)], config, root).findings
    assert Counter(f.fingerprint for f in after) == Counter(f.fingerprint for f in before)
    lines_before = sorted(f.location.span.start_line for f in before)
    lines_after = sorted(f.location.span.start_line for f in after)
    # The lines did move (except for findings that stay at line 1 of their file).
    assert lines_after != lines_before or set(lines_before) == {1}


def test_json_summary_counts_what_the_baseline_and_comments_hide(project: Path) -> None:
    run_cli(["check", "--write-baseline", "baseline.json"], cwd=project)
    result = run_cli(["check", "--baseline", "baseline.json", "--format", "json"], cwd=project)
    summary = json.loads(result.stdout)["summary"]
    assert (summary["problems"], summary["baselined"], summary["suppressed"]) == (0, 1, 0)
    head = project / HEAD
    head.write_text(
        head.read_text().replace(
            'revision: str = "5a9e0c3d7b18"',
            'revision: str = "5a9e0c3d7b18"  # alembic-analyzer: ignore[multiple-heads]',
        )
    )
    result = run_cli(["check", "--format", "json"], cwd=project)
    summary = json.loads(result.stdout)["summary"]
    assert (summary["problems"], summary["baselined"], summary["suppressed"]) == (0, 0, 1)
