"""The code base stays `mypy --strict` and `ruff` clean, and the docs tell the truth."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.helpers import REPO


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)


def test_mypy_strict() -> None:
    result = _run(sys.executable, "-m", "mypy", "--strict", "analyzer")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_check() -> None:
    result = _run(sys.executable, "-m", "ruff", "check", "analyzer", "tests", "benchmarks")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format() -> None:
    result = _run(
        sys.executable, "-m", "ruff", "format", "--check", "analyzer", "tests", "benchmarks"
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _readme_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^```sh\n(.+?)\n```", readme, flags=re.MULTILINE | re.DOTALL)


def test_ci_runs_the_readme_test_command() -> None:
    commands = [c for c in _readme_commands() if "pytest" in c]
    assert len(commands) == 1, commands
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[0] in ci.splitlines()
