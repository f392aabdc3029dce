"""Every example project reports exactly the findings its README lists
(fixtures/expected.json is the machine-readable form of those READMEs)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from analyzer.api import check
from analyzer.config import Config
from tests.helpers import FIXTURES

EXPECTED: dict[str, Any] = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
PROJECTS = sorted(name for name in EXPECTED if not name.startswith("_"))


def _where(path: str, root: Path) -> str:
    return Path(path).resolve().relative_to(root.resolve()).as_posix()


@pytest.mark.parametrize("fixture", PROJECTS)
def test_fixture_findings(fixture: str) -> None:
    root = FIXTURES / fixture
    report = check([str(root)], Config(), cwd=root)
    expected = EXPECTED[fixture]["findings"]
    assert len(report.findings) == len(expected), [
        (f.rule, _where(f.location.path, root), f.location.span.start_line, f.message)
        for f in report.findings
    ]
    unmatched = list(report.findings)
    for item in expected:
        places = {(loc["path"], loc["line"]) for loc in item.get("locations", [item])}
        match = next(
            (
                finding
                for finding in unmatched
                if finding.rule == item["rule"]
                and (_where(finding.location.path, root), finding.location.span.start_line)
                in places
                and {(_where(r.path, root), r.span.start_line) for r in finding.related} <= places
                and ("col" not in item or finding.location.span.start_col == item["col"])
            ),
            None,
        )
        assert match is not None, (item, [(f.rule, f.location) for f in unmatched])
        unmatched.remove(match)
