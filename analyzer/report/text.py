"""`path:line:col: level: message [rule-id]`, one line per finding, then a summary.

The format that VS Code's `$gcc`-style problem matchers, vim's errorformat
`%f:%l:%c: %t%*[^:]: %m` and emacs compile-mode read."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from analyzer.findings import Finding, Level
from analyzer.report import relative_path, summary_line

if TYPE_CHECKING:
    from analyzer.api import Report

_COLORS = {Level.ERROR: "\x1b[1;31m", Level.WARNING: "\x1b[1;33m", Level.NOTE: "\x1b[1;36m"}
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_RESET = "\x1b[0m"


def render(
    report: Report,
    cwd: Path,
    *,
    color: bool = False,
    statistics: bool = False,
    summary: bool = True,
) -> str:
    """One line per finding, then `--statistics` (count, rule, level) and the summary."""
    lines = [format_finding(finding, cwd, color=color) for finding in report.findings]
    if statistics:
        lines.extend(statistics_lines(report.findings))
    if summary:
        lines.append(
            summary_line(
                report.findings,
                report.revisions,
                suppressed=report.suppressed,
                baselined=report.baselined,
            )
        )
    return "".join(line + "\n" for line in lines)


def statistics_lines(findings: Sequence[Finding]) -> list[str]:
    """`  3  multiple-heads  error`: findings per rule, most frequent first."""
    counts = Counter((finding.rule, finding.level) for finding in findings)
    if not counts:
        return []
    count_width = len(str(max(counts.values())))
    rule_width = max(len(rule) for rule, _ in counts)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0][0], item[0][1].rank))
    return [
        f"{count:>{count_width}}  {rule:<{rule_width}}  {level}" for (rule, level), count in ordered
    ]


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _printable(text: str) -> str:
    """Escape control characters (a file name holding ESC must not drive the terminal)."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def format_finding(finding: Finding, cwd: Path, *, color: bool = False) -> str:
    span = finding.location.span
    # A message is one line: editors' matchers read one line per finding.
    message = _printable(" ".join(finding.message.split()))
    path = _printable(relative_path(finding.location.path, cwd))
    where = f"{path}:{span.start_line}:{span.start_col}:"
    if not color:
        return f"{where} {finding.level}: {message} [{finding.rule}]"
    level = f"{_COLORS[finding.level]}{finding.level}{_RESET}"
    return f"{_BOLD}{where}{_RESET} {level}: {message} {_DIM}[{finding.rule}]{_RESET}"
