"""Orchestration: discover -> parse -> resolve -> graph -> rules -> suppress -> filter.
Never prints.

Each stage is a function of its own so it can be tested, cached or parallelised alone:
`load_facts` (parsing, no cache), `project_outcome` (one project's findings, from the
result cache when nothing changed), `check` (everything).
Nothing heavy is imported here at module level: a run answered from the cache never
imports libcst, networkx or sqlglot.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from analyzer.analysis import Analysis
from analyzer.config import Config
from analyzer.discovery import DEFAULT_DIALECT, Project, Target, select
from analyzer.facts import MigrationFacts
from analyzer.findings import Finding, Level
from analyzer.imports import resolve_imports
from analyzer.loading import LoadOptions, Progress, Sources, load_files, read_sources
from analyzer.parsing.source import read_bytes
from analyzer.rules import all_rules
from analyzer.rules.unused_suppression import UnusedSuppression
from analyzer.suppress import excluded, ignored_per_file, judge
from analyzer.values import DecodeError, JSONValue

if TYPE_CHECKING:
    from analyzer.codec import Codec


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


def load_facts(paths: Sequence[Path], progress: Progress | None = None) -> list[MigrationFacts]:
    """The facts of every file, in the given order, with names imported from the
    repository resolved (parsed here, no cache)."""
    from analyzer.parsing import parse_file

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


def _analyze(
    project: Project,
    config: Config,
    sources: Sources,
    dialect: str,
    options: LoadOptions,
    progress: Progress | None,
) -> tuple[list[Finding], list[MigrationFacts], list[Path]]:
    """Findings, facts, and the paths looked at to resolve imports."""
    pack = _pack_name(project, dialect)
    loaded = load_files(sources, dialect, options, pack, progress)
    consulted: list[Path] = []
    files = resolve_imports(loaded.facts, consulted)
    checkpoints = None
    if options.cache is not None:
        from analyzer.checkpoints import CachedCheckpoints

        file_keys = dict(zip(map(str, sources.paths), sources.keys, strict=True))
        checkpoints = CachedCheckpoints(options.cache, pack, file_keys, dialect, options.stats)
    analysis = Analysis(files, dialect, loaded.read_sql, checkpoints)
    return run_rules(analysis, project, config), files, consulted


def project_dialect(project: Project, config: Config) -> str:
    """The SQL dialect of a project: configured, else from `sqlalchemy.url`, else PostgreSQL."""
    return config.dialect or project.dialect or DEFAULT_DIALECT


def _fingerprint(options: LoadOptions) -> str:
    if options.cache is None:
        return ""
    from analyzer.cache import fingerprint

    return fingerprint()


def _pack_name(project: Project, dialect: str) -> str:
    from analyzer.cache import digest

    return digest(str(project.root), *map(str, project.versions), dialect)[:16]


@dataclass(frozen=True)
class ProjectOutcome:
    """What `check` needs of one project; the result cache keeps it whole."""

    findings: tuple[Finding, ...]
    """After suppression comments (with `unused-suppression`'s own), before the PATHS
    filter, `exclude` and `per-file-ignores`, which `check` applies."""
    suppressed: tuple[Finding, ...]
    revisions: int
    unanalyzable: tuple[tuple[str, str], ...]
    """(path, reason) of the files that could not be read or parsed."""
    dependencies: tuple[tuple[str, str], ...] = ()
    """(path, state) of every file looked at to resolve imports: checked again before a
    cached outcome is used, since the revision files' hashes do not cover them."""


def project_outcome(
    project: Project,
    config: Config,
    options: LoadOptions | None = None,
    progress: Progress | None = None,
) -> ProjectOutcome:
    """One project's findings, from the result cache when its key (the analyzer, the
    settings that change findings, every revision file's path and content) is unchanged."""
    options = options or LoadOptions()
    dialect = project_dialect(project, config)
    sources = read_sources(project.revision_files(), dialect, _fingerprint(options))
    results, stats = options.cache, options.stats
    name = key = ""
    if results is not None:
        from analyzer.cache import digest

        rules = [(rule.id, config.level_of(rule)) for rule in config.enabled_rules()]
        settings = repr((project, config, rules))
        name = _pack_name(project, dialect) + digest(settings)[:8]
        key = digest(_fingerprint(options), settings, *map(str, sources.paths), *sources.keys)
        cached = _cached_outcome(results.result(name, key))
        if cached is not None:
            stats.results_hit += 1
            return cached
        stats.results_missed += 1
    findings, files, consulted = _analyze(project, config, sources, dialect, options, progress)
    kept, hidden = suppress_findings(findings, files, project, config)
    outcome = ProjectOutcome(
        findings=tuple(kept),
        suppressed=tuple(hidden),
        revisions=len(files),
        unanalyzable=tuple((f.path, f.problem.message) for f in files if f.problem is not None),
        dependencies=tuple((str(path), _file_state(str(path))) for path in consulted),
    )
    if results is not None:
        results.store_result(name, key, _outcome_codec().encode(outcome))
    return outcome


def _cached_outcome(data: JSONValue | None) -> ProjectOutcome | None:
    if data is None:
        return None
    try:
        outcome: ProjectOutcome = _outcome_codec().decode(data)
    except DecodeError:
        return None
    if any(_file_state(path) != state for path, state in outcome.dependencies):
        return None
    return outcome


def _file_state(path: str) -> str:
    """A file's content hash, or why it cannot be read (absent, a directory, ...)."""
    data = read_bytes(path)
    if isinstance(data, bytes):
        return hashlib.sha256(data).hexdigest()[:32]
    return f"unreadable: {data.message}"


@cache
def _outcome_codec() -> Codec:
    from analyzer.codec import Codec

    return Codec(ProjectOutcome)


def _reported(finding: Finding, target: Target) -> bool:
    if target.only_files is None:
        return True
    return any(os.path.realpath(path) in target.only_files for path in finding.paths)


def check(
    paths: Sequence[str],
    config: Config,
    cwd: Path | None = None,
    progress: Progress | None = None,
    options: LoadOptions | None = None,
) -> Report:
    """Analyze the projects that `paths` name (SPEC §3) and return the findings to report:
    those of the files named, not in `exclude`d files, not suppressed. `options`: the
    cache and the worker processes to use (default: neither)."""
    cwd = cwd or Path.cwd()
    targets = select(paths, cwd, [Path(v) for v in config.versions])
    findings: list[Finding] = []
    unanalyzable: list[tuple[str, str]] = []
    revisions = suppressed = 0
    for target in targets:
        outcome = project_outcome(target.project, config, options, progress)
        revisions += outcome.revisions
        kept, hidden = outcome.findings, outcome.suppressed
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
        unanalyzable.extend(outcome.unanalyzable)
    findings.sort(key=Finding.sort_key)
    return Report(
        findings=tuple(findings),
        revisions=revisions,
        unanalyzable=tuple(unanalyzable),
        projects=tuple(t.project for t in targets),
        suppressed=suppressed,
    )
