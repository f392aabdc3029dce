"""Orchestration: discover -> parse -> resolve -> graph -> rules -> filter. Never prints.

Each stage is a function of its own so it can be tested, cached or parallelised alone:
`load_facts` (parsing), `analyze_project` (rules on one project), `check` (everything).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from analyzer.analysis import Analysis
from analyzer.config import Config
from analyzer.discovery import DEFAULT_DIALECT, Project, Target, select
from analyzer.facts import MigrationFacts
from analyzer.findings import Finding
from analyzer.imports import resolve_imports
from analyzer.parsing import parse_file


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]
    revisions: int
    """Revision files analyzed (all of them, even when only some are reported)."""
    unanalyzable: tuple[tuple[str, str], ...] = ()
    """(path, reason) of files that could not be read or parsed."""
    projects: tuple[Project, ...] = ()


def load_facts(paths: Sequence[Path], config: Config) -> list[MigrationFacts]:
    """The facts of every file, in the given order."""
    return resolve_imports([parse_file(str(path)) for path in paths])


def run_rules(analysis: Analysis, project: Project, config: Config) -> list[Finding]:
    """Every enabled rule on one project, at its configured level, fingerprinted."""
    findings: list[Finding] = []
    for rule in config.enabled_rules():
        level = config.level_of(rule)
        for finding in rule().check(analysis):
            relative = Path(os.path.relpath(finding.location.path, project.root)).as_posix()
            findings.append(
                dataclasses.replace(finding, level=level, fingerprint=finding.stable_id(relative))
            )
    return findings


def analyze_project(project: Project, config: Config) -> tuple[list[Finding], list[MigrationFacts]]:
    """Every finding of one project, and the facts of its files."""
    files = load_facts(project.revision_files(), config)
    analysis = Analysis(files, dialect=config.dialect or project.dialect or DEFAULT_DIALECT)
    return run_rules(analysis, project, config), files


def _reported(finding: Finding, target: Target) -> bool:
    if target.only_files is None:
        return True
    return any(os.path.realpath(path) in target.only_files for path in finding.paths)


def check(paths: Sequence[str], config: Config, cwd: Path | None = None) -> Report:
    """Analyze the projects that `paths` name (SPEC §3) and return the findings to report."""
    cwd = cwd or Path.cwd()
    targets = select(paths, cwd, [Path(v) for v in config.versions])
    findings: list[Finding] = []
    unanalyzable: list[tuple[str, str]] = []
    revisions = 0
    for target in targets:
        project_findings, files = analyze_project(target.project, config)
        revisions += len(files)
        findings.extend(f for f in project_findings if _reported(f, target))
        unanalyzable.extend((f.path, f.problem.message) for f in files if f.problem is not None)
    findings.sort(key=Finding.sort_key)
    return Report(
        findings=tuple(findings),
        revisions=revisions,
        unanalyzable=tuple(unanalyzable),
        projects=tuple(t.project for t in targets),
    )
