"""click definitions of the subcommands (imported only when a command runs)."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from analyzer._version import __version__
from analyzer.cli import (
    EXIT_FINDINGS,
    EXIT_OK,
    FORMATS,
    LEVEL_NAMES,
    PROG,
    fail,
    guarded,
    write_output,
)

if TYPE_CHECKING:
    from analyzer.baseline import Baseline
    from analyzer.config import Resolved
    from analyzer.discovery import Project
    from analyzer.facts import MigrationFacts
    from analyzer.findings import Finding
    from analyzer.loading import LoadOptions

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
VERSIONS_OPTION = click.option(
    "--versions",
    "versions",
    multiple=True,
    type=click.Path(),
    metavar="DIR",
    help="A versions directory (repeatable); overrides alembic.ini.",
)


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name=PROG, message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
def cli(debug: bool) -> None:
    """Static analyzer for Alembic migration trees.

    Reads revision files without importing them and reports branch conflicts, broken
    revision graphs, missing downgrades and unindexed foreign keys.
    """


def _use_color(option: str, output: str | None, environ: Mapping[str, str] = os.environ) -> bool:
    """`--color always|never` win. `auto`: never into a file, never with NO_COLOR set; with
    FORCE_COLOR set always; else only on a terminal that is not TERM=dumb."""
    if option == "always":
        return True
    if option == "never" or output not in (None, "-") or environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty() and environ.get("TERM") != "dumb"


@cli.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--versions",
    "versions",
    multiple=True,
    type=click.Path(),
    metavar="DIR",
    help="A versions directory to analyze (repeatable); overrides alembic.ini.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option("--output", "-o", type=click.Path(), help="Write the report to FILE (atomically).")
@click.option(
    "--select",
    help="Comma-separated rule ids to run instead of the default set (ALL for every rule).",
)
@click.option("--extend-select", help="Comma-separated rule ids to run in addition (opt-in rules).")
@click.option("--ignore", help="Comma-separated rule ids not to run.")
@click.option(
    "--dialect",
    type=click.Choice(["postgresql", "mysql", "sqlite", "mssql", "oracle"]),
    help="Database dialect (default: from sqlalchemy.url in alembic.ini, else postgresql).",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Configuration file: a pyproject.toml ([tool.alembic-analyzer]) or an "
    "alembic-analyzer.toml (default: the nearest one above the current directory).",
)
@click.option(
    "--show-settings",
    is_flag=True,
    help="Print the effective settings, where each comes from, the enabled rules and the "
    "projects found; then exit without analyzing.",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Report only findings that are not in this baseline file.",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Record today's findings in FILE (a baseline for --baseline) and exit 0.",
)
@click.option("--statistics", is_flag=True, help="Count the findings per rule (text format).")
@click.option("--exit-zero", is_flag=True, help="Exit with status 0 even when there are findings.")
@click.option(
    "--fail-on",
    type=click.Choice(LEVEL_NAMES),
    help="Lowest level that makes the exit status 1 (default: warning, or fail-on in the "
    "configuration file).",
)
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the text output (auto: on a terminal, unless NO_COLOR).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print findings only, without the summary.")
@click.option(
    "--sarif-category",
    metavar="CATEGORY",
    help="SARIF automationDetails.id: the GitHub code scanning category "
    "(default: alembic-analyzer/). One per SARIF file uploaded for the same commit.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    metavar="N",
    help="At most N worker processes parse the files missing from the cache (default: "
    "one per CPU; 1: parse in this process). One worker per 16 files; the first starts "
    "at once, so that its parser import overlaps reading the cache.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    envvar="ALEMBIC_ANALYZER_NO_CACHE",
    help="Neither read nor write the cache.",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False),
    metavar="DIR",
    envvar="ALEMBIC_ANALYZER_CACHE_DIR",
    help="The cache directory (default: .alembic-analyzer-cache next to the configuration "
    "file, else in the current directory).",
)
@click.option(
    "--verbose",
    "-v",
    is_flag=True,
    help="Print on stderr what the cache and the parser did (hits, misses, files parsed).",
)
def check(
    paths: tuple[str, ...],
    versions: tuple[str, ...],
    fmt: str,
    output: str | None,
    select: str | None,
    extend_select: str | None,
    ignore: str | None,
    dialect: str | None,
    exit_zero: bool,
    fail_on: str,
    color: str,
    quiet: bool,
    sarif_category: str | None,
    config_file: str | None,
    show_settings: bool,
    baseline: str | None,
    write_baseline: str | None,
    statistics: bool,
    jobs: int | None,
    no_cache: bool,
    cache_dir: str | None,
    verbose: bool,
) -> int:
    """Analyze the migrations of PATHS (default: the project in the current directory).

    PATHS may be project directories (holding alembic.ini), versions directories or
    revision files. The whole tree is always analyzed; naming files only limits which
    findings are reported (pre-commit passes the changed files).

    Exit status: 0 no finding at or above --fail-on, 1 findings, 2 usage or internal error.
    """
    if not show_settings:
        _start_spare_worker(jobs)
    from analyzer.api import check as run_check
    from analyzer.config import CliSettings, load_config
    from analyzer.findings import Level
    from analyzer.progress import ProgressLine, wanted
    from analyzer.report import render_report

    cli_settings = CliSettings(
        config=config_file,
        select=_rule_list(select),
        extend_select=_rule_list(extend_select),
        ignore=_rule_list(ignore),
        dialect=dialect,
        versions=versions,
        fail_on=Level(fail_on) if fail_on else None,
    )
    cwd = Path.cwd()
    resolved = guarded(lambda: load_config(cli_settings, cwd))
    config = resolved.config
    if show_settings:
        return _show_settings(resolved, paths, cwd)
    if statistics and fmt != "text":
        fail("--statistics needs the text format")
    if sarif_category is not None and not sarif_category.strip("/ "):
        fail("--sarif-category must not be empty")
    accepted = _load_baseline(baseline, cwd) if baseline and not write_baseline else None
    progress = ProgressLine(sys.stderr) if not quiet and wanted(sys.stderr, os.environ) else None
    options = _load_options(resolved, cwd, jobs, no_cache, cache_dir)
    report = guarded(lambda: run_check(paths, config, cwd, progress, options))
    if verbose:
        _print_load_statistics(options)
    if write_baseline:
        return _write_baseline(report.findings, write_baseline)
    if accepted is not None:
        kept, hidden = accepted.apply(report.findings)
        report = dataclasses.replace(report, findings=tuple(kept), baselined=hidden)
    rendered = render_report(
        fmt,
        report,
        cwd,
        color=_use_color(color, output),
        statistics=statistics,
        summary=not quiet,
        sarif_category=sarif_category,
    )
    write_output(rendered, output)
    failing = [f for f in report.findings if f.level.rank >= config.fail_on.rank]
    return EXIT_FINDINGS if failing and not exit_zero else EXIT_OK


def _start_spare_worker(jobs: int | None) -> None:
    """Start importing the parser in a worker process before knowing whether any file
    needs parsing: after an edit, that import overlaps our own start-up and cache reading.
    The worker ends with the command, used or not."""
    from analyzer.loading import available_cpus, start_spare_worker
    from analyzer.parallel import stop_spare

    start_spare_worker(jobs or available_cpus())
    click.get_current_context().call_on_close(stop_spare)


def _load_options(
    resolved: Resolved, cwd: Path, jobs: int | None, no_cache: bool, cache_dir: str | None
) -> LoadOptions:
    from analyzer.cache import Cache, default_directory
    from analyzer.loading import LoadOptions, available_cpus

    cache = None
    if not no_cache:
        config_file = resolved.file.path if resolved.file is not None else None
        cache = Cache(cwd / cache_dir if cache_dir else default_directory(config_file, cwd))
    return LoadOptions(cache=cache, jobs=jobs or available_cpus())


def _print_load_statistics(options: LoadOptions) -> None:
    """`--verbose`: one line per counter, `name: value`, on stderr."""
    stats = options.stats
    cache = options.cache
    if cache is None:
        lines = ["cache: disabled (--no-cache)"]
    elif cache.refused:
        lines = [f"cache: {cache.directory} not used: {cache.refused}"]
    else:
        lines = [f"cache: {cache.directory}"]
    if cache is not None and not cache.refused:
        lines += [
            f"cache results: {stats.results_hit} hit, {stats.results_missed} missed",
            f"cache files: {stats.files_hit} hit, {stats.files_missed} missed",
        ]
        if stats.replay_total:
            resumed = f"{stats.replay_resumed} of {stats.replay_total}"
            lines.append(f"replay: {resumed} revisions from a checkpoint")
        if cache.write_errors:
            lines.append(f"cache write errors: {cache.write_errors}")
    lines.append(f"parsed: {stats.parsed} files, {stats.workers} worker processes")
    for line in lines:
        click.echo(f"{PROG}: {line}", err=True)


def _rule_list(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _show_settings(resolved: Resolved, paths: tuple[str, ...], cwd: Path) -> int:
    from analyzer.discovery import DiscoveryError, select
    from analyzer.report.settings import render

    try:
        versions = [Path(v) for v in resolved.config.versions]
        projects: list[Project] | str = [t.project for t in select(paths, cwd, versions)]
    except DiscoveryError as error:
        projects = str(error)
    click.echo(render(resolved, projects, cwd), nl=False)
    return EXIT_OK


def _load_baseline(path: str, cwd: Path) -> Baseline:
    from analyzer.baseline import load_baseline

    return guarded(lambda: load_baseline(cwd / path, path))


def _write_baseline(findings: Sequence[Finding], path: str) -> int:
    from analyzer.baseline import render_baseline

    write_output(render_baseline(findings, Path(path).resolve().parent), path)
    click.echo(f"Wrote {len(findings)} finding{'' if len(findings) == 1 else 's'} to {path}.")
    return EXIT_OK


@cli.command(context_settings=CONTEXT)
def rules() -> int:
    """List the rules: id, default level, enabled or opt-in, summary."""
    from analyzer.rules import all_rules

    listed = all_rules()
    width = max(len(rule.id) for rule in listed)
    for rule in listed:
        state = "opt-in" if rule.opt_in else "enabled"
        click.echo(
            f"{rule.id:<{width}}  {rule.default_level.value:<7}  {state:<7}  {rule.doc().summary}"
        )
    return EXIT_OK


@cli.command(context_settings=CONTEXT)
@click.argument("rule_id", metavar="RULE")
def explain(rule_id: str) -> int:
    """Show a rule's documentation: what it finds, why, an example and the fix."""
    from analyzer.config import did_you_mean
    from analyzer.rules import all_rules, get_rule

    rule = get_rule(rule_id)
    if rule is None:
        fail(f"unknown rule {rule_id!r}{did_you_mean(rule_id, [r.id for r in all_rules()])}")
    from analyzer.docs import rule_markdown

    click.echo(rule_markdown(rule), nl=False)
    return EXIT_OK


@cli.command(context_settings=CONTEXT)
@click.argument("path", required=False, type=click.Path())
@VERSIONS_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "mermaid", "dot", "json"]),
    default="text",
    show_default=True,
)
def graph(path: str | None, versions: tuple[str, ...], fmt: str) -> int:
    """Show the revision graph: heads, bases, branch and merge points, history."""
    from analyzer.graph import RevisionGraph
    from analyzer.report.graph import render

    for _, files in _projects_facts(path, versions):
        click.echo(render(RevisionGraph(files), fmt, Path.cwd()), nl=False)
    return EXIT_OK


def _projects_facts(
    path: str | None, versions: tuple[str, ...]
) -> Iterator[tuple[Project, list[MigrationFacts]]]:
    """Each project PATH names (default: the current directory's) with its files' facts,
    parsed without the cache (these commands are for looking, not for speed)."""
    from analyzer.api import load_facts
    from analyzer.discovery import select

    cwd = Path.cwd()
    targets = guarded(lambda: select([path] if path else [], cwd, [Path(v) for v in versions]))
    for target in targets:
        yield target.project, load_facts(target.project.revision_files())


@cli.group(context_settings=CONTEXT)
def debug() -> None:
    """Print what the analyzer extracted (for bug reports)."""


@debug.command(context_settings=CONTEXT)
@click.argument("file", type=click.Path())
def facts(file: str) -> int:
    """What the parser extracted from one revision file, as JSON."""
    from analyzer.facts import encode_facts
    from analyzer.parsing import parse_file

    if not Path(file).is_file():
        fail(f"'{file}' is not a file")
    extracted = parse_file(str(Path(file).resolve()))
    data = encode_facts(extracted)
    data["path"] = file
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    return EXIT_OK


@debug.command(context_settings=CONTEXT)
@click.argument("path", required=False, type=click.Path())
@VERSIONS_OPTION
@click.option(
    "--dialect",
    type=click.Choice(["postgresql", "mysql", "sqlite", "mssql", "oracle"]),
    help="Database dialect (default: from the configuration or sqlalchemy.url, else postgresql).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def schema(path: str | None, versions: tuple[str, ...], dialect: str | None, fmt: str) -> int:
    """The schema the migrations build, replayed to the heads: tables, columns, indexes,
    foreign keys, and the tables the analyzer cannot know exactly."""
    from analyzer.analysis import Analysis
    from analyzer.api import project_dialect
    from analyzer.config import CliSettings, load_config
    from analyzer.schema.render import render

    cwd = Path.cwd()
    settings = CliSettings(dialect=dialect, versions=versions)
    config = guarded(lambda: load_config(settings, cwd)).config
    for project, files in _projects_facts(path, versions):
        dialect = project_dialect(project, config)
        click.echo(render(Analysis(files, dialect=dialect).schema, fmt, cwd), nl=False)
    return EXIT_OK
