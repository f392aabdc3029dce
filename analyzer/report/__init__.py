"""Reporters: pure functions from findings to text. They format; they never decide."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
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


def summary_line(
    findings: Iterable[Finding], revisions: int, *, suppressed: int = 0, baselined: int = 0
) -> str:
    """`Found 3 problems (2 errors, 1 warning) in 412 revisions.`, and when findings were
    hidden: `...; 2 suppressed, 5 hidden by the baseline.` (always one line)."""
    counts = count_levels(findings)
    total = sum(counts.values())
    where = plural(revisions, "revision")
    hidden = [
        text
        for count, text in (
            (suppressed, f"{suppressed} suppressed"),
            (baselined, f"{baselined} hidden by the baseline"),
        )
        if count
    ]
    tail = f"; {', '.join(hidden)}." if hidden else "."
    if total == 0:
        return f"All checks passed: no problems in {where}{tail}"
    parts = [
        plural(counts[level], level.value)
        for level in (Level.ERROR, Level.WARNING, Level.NOTE)
        if counts[level]
    ]
    return f"Found {plural(total, 'problem')} ({', '.join(parts)}) in {where}{tail}"


def render_report(
    fmt: str,
    report: Report,
    cwd: Path,
    *,
    color: bool = False,
    statistics: bool = False,
    summary: bool = True,
    sarif_category: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """The whole report in one of `FORMATS` (each reporter is imported only when used).

    SARIF paths are relative to the repository root, annotations' to the Actions
    workspace (`analyzer.report.roots`); text and JSON paths to `cwd`."""
    if fmt == "sarif":
        from analyzer.report import sarif
        from analyzer.report.roots import source_root

        category = sarif_category or sarif.DEFAULT_CATEGORY
        return sarif.render(report, source_root(cwd), category=category)
    if fmt == "github":
        from analyzer.report import github
        from analyzer.report.roots import workspace_root

        root = workspace_root(cwd, os.environ if environ is None else environ)
        return github.render(report.findings, root)
    if fmt == "json":
        from analyzer.report import json

        return json.render(report, cwd)
    if fmt == "text":
        from analyzer.report import text

        return text.render(report, cwd, color=color, statistics=statistics, summary=summary)
    raise ValueError(f"the {fmt} format is not implemented yet")
