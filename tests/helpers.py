"""Shared test helpers: write example projects to disk and analyze them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from analyzer.analysis import Analysis
from analyzer.config import Config
from analyzer.findings import Finding
from analyzer.parsing import parse_file
from analyzer.rules import Rule

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"


def write_files(root: Path, files: Mapping[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def analyze_files(
    root: Path, files: Mapping[str, str | bytes], rule: type[Rule], dialect: str = "postgresql"
) -> list[Finding]:
    """Run one rule on a project made of `files` (loaded in sorted name order)."""
    write_files(root, files)
    facts = [parse_file(str(root / name)) for name in sorted(files)]
    from analyzer.imports import resolve_imports

    analysis = Analysis(resolve_imports(facts), dialect=dialect)
    return list(rule().check(analysis))


def run_cli(
    args: Sequence[str], cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real command line, in a subprocess (exit status, stdout, stderr)."""
    environment = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "analyzer", *args],
        cwd=cwd or REPO,
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        timeout=300,
    )


def check_verbose(
    tree: Path, *args: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """`check --verbose --format json` with the cache in `tree`: the process and its
    counters (`name: value` lines on stderr)."""
    result = run_cli(["check", "--verbose", "--format", "json", *args], cwd=tree)
    assert result.returncode in (0, 1), result.stderr
    counters = {}
    for line in result.stderr.splitlines():
        name, _, value = line.removeprefix("alembic-analyzer: ").partition(": ")
        counters[name] = value
    return result, counters


def finding_locations(result: subprocess.CompletedProcess[str]) -> list[tuple[str, str, int]]:
    """(rule, path, line) of each finding of a `--format json` run."""
    data = json.loads(result.stdout)
    return [(f["rule"], f["path"], f["line"]) for f in data["findings"]]


def default_config(**overrides: object) -> Config:
    return Config(**overrides)  # type: ignore[arg-type]
