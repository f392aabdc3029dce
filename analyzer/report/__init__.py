"""Reporters: pure functions from findings to text. They format; they never decide."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from analyzer.findings import Finding, Level

if TYPE_CHECKING:
    from analyzer.api import Report


def relative_path(path: str, base: Path) -> str:
    """`path` relative to `base` with `/` separators (absolute if on another drive)."""
    try:
        relative = os.path.relpath(path, base)
    except ValueError:
        return Path(path).as_posix()
    return PurePosixPath(Path(relative)).as_posix()


def count_levels(findings: Iterable[Finding]) -> dict[Level, int]:
    counts = dict.fromkeys(Level, 0)
    for finding in findings:
        counts[finding.level] += 1
    return counts


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(findings: Iterable[Finding], revisions: int) -> str:
    """`Found 3 problems (2 errors, 1 warning) in 412 revisions.`"""
    counts = count_levels(findings)
    total = sum(counts.values())
    where = plural(revisions, "revision")
    if total == 0:
        return f"All checks passed: no problems in {where}."
    parts = [
        plural(counts[level], level.value)
        for level in (Level.ERROR, Level.WARNING, Level.NOTE)
        if counts[level]
    ]
    return f"Found {plural(total, 'problem')} ({', '.join(parts)}) in {where}."


def render_report(fmt: str, report: Report, cwd: Path, *, color: bool = False) -> str:
    """The whole report in one of `FORMATS` (each reporter is imported only when used)."""
    if fmt == "json":
        from analyzer.report import json

        return json.render(report.findings, report.revisions, cwd)
    if fmt == "text":
        from analyzer.report import text

        return text.render(report.findings, report.revisions, cwd, color=color)
    raise ValueError(f"the {fmt} format is not implemented yet")
