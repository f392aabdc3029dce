"""`--format json`: a versioned list of findings (schema: docs/json-schema.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from analyzer._version import __version__
from analyzer.findings import Finding, Level, Location
from analyzer.report import count_levels, relative_path
from analyzer.values import JSONValue

if TYPE_CHECKING:
    from analyzer.api import Report

FORMAT_VERSION = 1


def _location(location: Location, cwd: Path) -> dict[str, JSONValue]:
    span = location.span
    data: dict[str, JSONValue] = {
        "path": relative_path(location.path, cwd),
        "line": span.start_line,
        "column": span.start_col,
        "end_line": span.end_line,
        "end_column": span.end_col,
    }
    if location.message:
        data["message"] = location.message
    return data


def finding_data(finding: Finding, cwd: Path) -> dict[str, JSONValue]:
    return {
        "rule": finding.rule,
        "level": finding.level.value,
        "message": finding.message,
        **_location(finding.location, cwd),
        "related": [_location(r, cwd) for r in finding.related],
        "revision": finding.revision,
        "fingerprint": finding.fingerprint,
    }


def render(report: Report, cwd: Path) -> str:
    findings = report.findings
    counts = count_levels(findings)
    document: dict[str, JSONValue] = {
        "version": FORMAT_VERSION,
        "tool": {"name": "alembic-analyzer", "version": __version__},
        "summary": {
            "revisions": report.revisions,
            "problems": len(findings),
            "errors": counts[Level.ERROR],
            "warnings": counts[Level.WARNING],
            "notes": counts[Level.NOTE],
            "suppressed": report.suppressed,
            "baselined": report.baselined,
        },
        "findings": [finding_data(f, cwd) for f in findings],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
