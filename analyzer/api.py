"""Orchestration: discover -> parse -> resolve -> graph -> rules -> suppress -> filter.
Never prints.

Each stage is a function of its own so it can be tested, cached or parallelised alone:
`load_facts` (parsing), `analyze_project` (rules on one project), `check` (everything).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from analyzer.analysis import Analysis
from analyzer.config import Config
from analyzer.discovery import DEFAULT_DIALECT, Project, Target, select
from analyzer.facts import MigrationFacts
from analyzer.findings import Finding, Level
from analyzer.imports import resolve_imports
from analyzer.parsing import parse_file
from analyzer.rules import all_rules
from analyzer.rules.unused_suppression import UnusedSuppression
from analyzer.suppress import excluded, ignored_per_file, judge


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]
    revisions: int
    """Revision files analyzed (all of them, even when only some are reported)."""
    unanalyzable: tuple[tuple[str, str], ...] = ()
    """(path, reason) of files that could not be read or parsed."""
    projects: tuple[Project, ...] = ()
    suppressed: int = 0
    """Findings hidden by suppression comments or `per-file-ignores`."""
    baselined: int = 0
    """Findings hidden by the baseline (`analyzer.baseline`)."""


Progress = Callable[[int, int], None]
"""Called with (files parsed, files in the project) as parsing advances."""


def load_facts(
    paths: Sequence[Path], config: Config, progress: Progress | None = None
) -> list[MigrationFacts]:
    """The facts of every file, in the given order."""
    facts: list[MigrationFacts] = []
    for path in paths:
        facts.append(parse_file(str(path)))
        if progress is not None:
            progress(len(facts), len(paths))
    return resolve_imports(facts)


def run_rules(analysis: Analysis, project: Project, config: Config) -> list[Finding]:
    """Every enabled rule on one project, at its configured level, fingerprinted."""
    findings: list[Finding] = []
    for rule in config.enabled_rules():
        if rule is UnusedSuppression:
            continue  # judges the others' findings: see `suppress_findings`
        findings.extend(_finished(rule().check(analysis), config.level_of(rule), project))
    return findings


def _finished(findings: Iterable[Finding], level: Level, project: Project) -> Iterator[Finding]:
    """Findings at their configured level, fingerprinted."""
    for finding in findings:
        relative = Path(os.path.relpath(finding.location.path, project.root)).as_posix()
        yield dataclasses.replace(finding, level=level, fingerprint=finding.stable_id(relative))


def suppress_findings(
    findings: Sequence[Finding], files: Sequence[MigrationFacts], project: Project, config: Config
) -> tuple[list[Finding], list[Finding]]:
    """(kept, suppressed by a comment), plus `unused-suppression` findings when enabled."""
    enabled = {rule.id for rule in config.enabled_rules()}
    known = {rule.id for rule in all_rules()}
    judgement = judge(findings, files, enabled, known)
    kept = list(judgement.kept)
    if UnusedSuppression.id in enabled:
        unused = UnusedSuppression().report(judgement.unused)
        kept.extend(_finished(unused, config.level_of(UnusedSuppression), project))
    return kept, list(judgement.suppressed)


def analyze_project(
    project: Project, config: Config, progress: Progress | None = None
) -> tuple[list[Finding], list[MigrationFacts]]:
    """Every finding of one project (before suppressions), and the facts of its files."""
    files = load_facts(project.revision_files(), config, progress)
    analysis = Analysis(files, dialect=config.dialect or project.dialect or DEFAULT_DIALECT)
    return run_rules(analysis, project, config), files


def _reported(finding: Finding, target: Target) -> bool:
    if target.only_files is None:
        return True
    return any(os.path.realpath(path) in target.only_files for path in finding.paths)


def check(
    paths: Sequence[str],
    config: Config,
    cwd: Path | None = None,
    progress: Progress | None = None,
) -> Report:
    """Analyze the projects that `paths` name (SPEC §3) and return the findings to report:
    those of the files named, not in `exclude`d files, not suppressed."""
    cwd = cwd or Path.cwd()
    targets = select(paths, cwd, [Path(v) for v in config.versions])
    findings: list[Finding] = []
    unanalyzable: list[tuple[str, str]] = []
    revisions = suppressed = 0
    for target in targets:
        project_findings, files = analyze_project(target.project, config, progress)
        revisions += len(files)
        kept, hidden = suppress_findings(project_findings, files, target.project, config)
        for finding in kept:
            if not _reported(finding, target) or excluded(finding, config.exclude):
                continue
            if ignored_per_file(finding, config.per_file_ignores):
                suppressed += 1
            else:
                findings.append(finding)
        suppressed += sum(
            1 for f in hidden if _reported(f, target) and not excluded(f, config.exclude)
        )
        unanalyzable.extend((f.path, f.problem.message) for f in files if f.problem is not None)
    findings.sort(key=Finding.sort_key)
    return Report(
        findings=tuple(findings),
        revisions=revisions,
        unanalyzable=tuple(unanalyzable),
        projects=tuple(t.project for t in targets),
        suppressed=suppressed,
    )
