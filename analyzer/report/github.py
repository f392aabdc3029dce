"""`--format github`: GitHub Actions workflow commands, one annotation per finding.

    ::error file=PATH,line=L,col=C,endLine=L,endColumn=C,title=alembic-analyzer (RULE)::MESSAGE

`::error`, `::warning` or `::notice` follows the level. Paths are relative to the
workspace (`analyzer.report.roots.workspace_root`). Escaping follows the runner
(actions/runner `ActionCommand`): in the message `%`, CR and LF; in property values
also `:` and `,`. The runner drops `col` and `endColumn` when `line != endLine`, so a
finding spanning several lines is annotated by lines only.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from analyzer.findings import Finding, Level
from analyzer.report.roots import path_from_root

_COMMAND = {Level.ERROR: "error", Level.WARNING: "warning", Level.NOTE: "notice"}


def escape_data(text: str) -> str:
    """A command's message: `%`, CR and LF percent-encoded (`%` first)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value: as a message, plus `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_finding(finding: Finding, root: Path) -> str:
    span = finding.location.span
    properties = [
        ("file", path_from_root(finding.location.path, root)),
        ("line", str(span.start_line)),
    ]
    if span.start_line == span.end_line:
        properties.append(("col", str(span.start_col)))
    properties.append(("endLine", str(span.end_line)))
    if span.start_line == span.end_line:
        properties.append(("endColumn", str(span.end_col)))
    properties.append(("title", f"alembic-analyzer ({finding.rule})"))
    rendered = ",".join(f"{name}={escape_property(value)}" for name, value in properties)
    return f"::{_COMMAND[finding.level]} {rendered}::{escape_data(finding.message)}"


def render(findings: Sequence[Finding], root: Path) -> str:
    return "".join(f"{format_finding(finding, root)}\n" for finding in findings)
