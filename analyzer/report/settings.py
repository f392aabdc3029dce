"""`check --show-settings`: the effective configuration, where each value came from, the
rules that would run and the projects that would be analyzed."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from analyzer.config import Resolved
from analyzer.configfile import PYPROJECT, STANDALONE
from analyzer.discovery import DEFAULT_DIALECT, Project
from analyzer.report import relative_path


def render(resolved: Resolved, projects: Sequence[Project] | str, cwd: Path) -> str:
    """`projects` is the discovered projects, or why none could be found."""
    config = resolved.config
    file = resolved.file
    if file is None:
        where = f"none found ({STANDALONE}, or {PYPROJECT} with [tool.alembic-analyzer])"
    else:
        where = f"{file.shown} ({file.table})"
    lines = [f"Configuration file: {where}", "", "Settings:"]
    width = max(len(setting.key) for setting in resolved.settings)
    value_width = min(40, max(len(setting.value) for setting in resolved.settings))
    lines.extend(
        f"  {setting.key:<{width}} = {setting.value:<{value_width}}  # {setting.source}"
        for setting in resolved.settings
    )
    rules = config.enabled_rules()
    lines += ["", f"Enabled rules ({len(rules)}):"]
    rule_width = max((len(rule.id) for rule in rules), default=0)
    for rule in rules:
        level = config.level_of(rule)
        changed = " (levels)" if level != rule.default_level else ""
        lines.append(f"  {rule.id:<{rule_width}}  {level}{changed}")
    lines += ["", "Projects:"]
    if isinstance(projects, str):
        lines.append(f"  none: {projects}")
    for project in projects if not isinstance(projects, str) else ():
        source = relative_path(str(project.config_file), cwd) if project.config_file else None
        lines.append(
            f"  {relative_path(str(project.root), cwd)}" + (f" ({source})" if source else "")
        )
        versions = ", ".join(relative_path(str(v), cwd) for v in project.versions)
        lines.append(f"    versions: {versions}")
        if config.dialect:
            dialect = f"{config.dialect} ({_source(resolved, 'dialect')})"
        elif project.dialect:
            dialect = f"{project.dialect} (sqlalchemy.url)"
        else:
            dialect = f"{DEFAULT_DIALECT} (default)"
        lines.append(f"    dialect: {dialect}")
    return "\n".join(lines) + "\n"


def _source(resolved: Resolved, key: str) -> str:
    return next(setting.source for setting in reversed(resolved.settings) if setting.key == key)
