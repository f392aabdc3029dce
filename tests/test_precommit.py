"""The pre-commit hook, run for real with `pre-commit try-repo` (SPEC §9).

try-repo clones a hook repository, builds a virtualenv and pip-installs the hook into it
(about a minute). It clones committed content only (plus staged and modified tracked
files), so the hook repository here is a fresh git repository holding a copy of this
working tree's package: the test checks the code under test, committed or not.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, REPO

pytestmark = pytest.mark.slow

PACKAGE_FILES = (
    "analyzer",
    "docs",
    "pyproject.toml",
    "README.md",
    "CHANGELOG.md",
    "LICENSE",
    ".pre-commit-hooks.yaml",
)
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}
ORDERS = "services/orders"
INVOICES = f"{ORDERS}/plugins/invoicing/versions/a4e2c6b8d0f1_create_invoices.py"


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        env={**os.environ, **GIT_ENV},
    )


def _new_repository(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    _git(path, "init", "-q")
    return path


def _commit_all(path: Path, message: str) -> None:
    _git(path, "add", "-A")
    _git(path, "commit", "-q", "-m", message)


@pytest.fixture(scope="module")
def hook_repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = _new_repository(tmp_path_factory.mktemp("hook"))
    for name in PACKAGE_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.is_file():
            shutil.copy2(source, root / name)
    _commit_all(root, "the hook under test")
    return root


def _try_repo(hook: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **GIT_ENV}
    environment.pop("NO_COLOR", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook), "alembic-analyzer", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        timeout=900,
    )


def _hook_output(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The lines the hook printed (pre-commit's own lines and blank lines left out)."""
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("- exit code:"))
    return [line for line in lines[start + 1 :] if line.strip()]


def test_a_staged_file_reports_only_its_projects_findings(
    hook_repository: Path, tmp_path: Path
) -> None:
    """Monorepo: two alembic projects, a repository-wide config at the root, and one
    staged revision in the orders project's second version location."""
    work = _new_repository(tmp_path / "monorepo")
    shutil.copytree(FIXTURES / "monorepo", work, dirs_exist_ok=True)
    staged = work / INVOICES
    content = staged.read_bytes()
    staged.unlink()
    _commit_all(work, "two services")
    staged.write_bytes(content)
    _git(work, "add", INVOICES)

    result = _try_repo(hook_repository, work)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "- exit code: 1" in result.stdout
    assert _hook_output(result) == [
        f"{ORDERS}/migrations/versions/7c1d5e9a2b36_add_order_status.py:15:1: error: 2 heads: "
        '7c1d5e9a2b36, a4e2c6b8d0f1; `alembic upgrade head` fails with "Multiple head '
        'revisions are present". Merge them: alembic merge -m "merge heads" 7c1d5e9a2b36 '
        "a4e2c6b8d0f1 [multiple-heads]",
        f"{INVOICES}:33:27: warning: unused suppression: no missing-downgrade finding on this "
        "line; remove 'missing-downgrade' from the comment [unused-suppression]",
        "Found 2 problems (1 error, 1 warning) in 3 revisions.",
    ]
    assert "services/users" not in result.stdout


def test_a_branch_conflict_fails_the_hook(hook_repository: Path, tmp_path: Path) -> None:
    """One project: naming either head (here the one that is not the finding's primary
    location) reports the conflict."""
    work = _new_repository(tmp_path / "project")
    shutil.copytree(FIXTURES / "two-heads", work, dirs_exist_ok=True)
    _commit_all(work, "inventory service")
    head = "migrations/versions/e03b6f2c9d41_create_suppliers.py"

    result = _try_repo(hook_repository, work, "--files", head)

    assert result.returncode == 1, result.stdout + result.stderr
    output = _hook_output(result)
    assert output[-1] == "Found 1 problem (1 error) in 5 revisions."
    assert len(output) == 2
    assert output[0].startswith(
        "migrations/versions/5a9e0c3d7b18_add_reorder_threshold.py:15:1: error: 2 heads: "
    )
    assert output[0].endswith("[multiple-heads]")
