"""`path:line:col: level: message [rule-id]`, one line per finding, then a summary.

The format that VS Code's `$gcc`-style problem matchers, vim's errorformat
`%f:%l:%c: %t%*[^:]: %m` and emacs compile-mode read."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from analyzer.findings import Finding, Level
from analyzer.report import relative_path, summary_line

_COLORS = {Level.ERROR: "\x1b[1;31m", Level.WARNING: "\x1b[1;33m", Level.NOTE: "\x1b[1;36m"}
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_RESET = "\x1b[0m"


def render(findings: Sequence[Finding], revisions: int, cwd: Path, *, color: bool = False) -> str:
    lines = [format_finding(finding, cwd, color=color) for finding in findings]
    lines.append(summary_line(findings, revisions))
    return "\n".join(lines) + "\n"


def format_finding(finding: Finding, cwd: Path, *, color: bool = False) -> str:
    span = finding.location.span
    # A message is one line: editors' matchers read one line per finding.
    message = " ".join(finding.message.split())
    path = relative_path(finding.location.path, cwd)
    where = f"{path}:{span.start_line}:{span.start_col}:"
    if not color:
        return f"{where} {finding.level}: {message} [{finding.rule}]"
    level = f"{_COLORS[finding.level]}{finding.level}{_RESET}"
    return f"{_BOLD}{where}{_RESET} {level}: {message} {_DIM}[{finding.rule}]{_RESET}"
