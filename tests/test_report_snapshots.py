"""Every output format, byte for byte, on one shared set of findings (tests/snapshots/).

The project holds a syntax-error file, a non-ASCII file name and revision id, a file with
CRLF line endings and findings with related locations (multiple heads, a duplicate
revision). The tool version and the absolute root directory, which differ between
machines and releases, are replaced by `<version>` and `<root>`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer._version import __version__
from analyzer.api import Report, check
from analyzer.config import Config
from analyzer.report import render_report, sarif
from analyzer.rules import all_rules
from tests.snapshots import PROJECT, assert_snapshot

VERSIONS = PROJECT / "migrations" / "versions"


@pytest.fixture(scope="module")
def report() -> Report:
    return check([str(PROJECT)], Config(), cwd=PROJECT)


def _machine_independent(text: str) -> str:
    return text.replace(f'"{__version__}"', '"<version>"').replace(
        PROJECT.as_uri(), "file:///<root>"
    )


def test_the_shared_findings(report: Report) -> None:
    found = [
        (f.rule, Path(f.location.path).name, f.location.span.start_line, len(f.related))
        for f in report.findings
    ]
    assert found == [
        ("dynamic-revision", "0001_create_accounts.py", 14, 0),
        ("multiple-heads", "0002_ajouté_clé.py", 9, 1),
        ("missing-revision", "0003_add_invoices.py", 12, 0),
        ("invalid-revision-file", "0004_seed_accounts.py", 13, 0),
        ("duplicate-revision", "0005_add_payments.py", 9, 1),
    ]
    assert "0002_clé" in report.findings[1].message
    assert [Path(path).name for path, _ in report.unanalyzable] == ["0004_seed_accounts.py"]
    assert b"\r\n" in (VERSIONS / "0003_add_invoices.py").read_bytes()


def test_text(report: Report) -> None:
    assert_snapshot("report.txt", render_report("text", report, PROJECT))


def test_json(report: Report) -> None:
    assert_snapshot("report.json", _machine_independent(render_report("json", report, PROJECT)))


def test_sarif(report: Report) -> None:
    # Only the rules that fire, so that adding a rule does not change this snapshot
    # (test_sarif.py checks that the driver lists every rule by default).
    fired = sorted({finding.rule for finding in report.findings})
    rules = [rule for rule in all_rules() if rule.id in fired]
    rendered = sarif.render(report, PROJECT, rules=rules)
    assert_snapshot("report.sarif", _machine_independent(rendered))


def test_github(report: Report) -> None:
    environ = {"GITHUB_WORKSPACE": str(PROJECT)}
    assert_snapshot("report.github", render_report("github", report, PROJECT, environ=environ))


def test_the_same_input_gives_the_same_bytes(report: Report) -> None:
    again = check([str(PROJECT)], Config(), cwd=PROJECT)
    assert sarif.render(again, PROJECT) == sarif.render(report, PROJECT)
