"""The cache (`.alembic-analyzer-cache/`): hit on the second run, invalidated by what
changes findings, robust to damage and to concurrent runs; and the lazy imports that make
a cached run cheap."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

import analyzer.cache
from analyzer.api import project_outcome
from analyzer.cache import Cache
from analyzer.config import Config
from analyzer.discovery import select
from analyzer.facts import FileProblem
from analyzer.loading import LoadOptions, LoadStats
from analyzer.parallel import Workers, worker_count
from benchmarks.generate import generate
from tests.helpers import FIXTURES, REPO, check_verbose, finding_locations

VERSIONS = "migrations/versions"
ORDERS = f"{VERSIONS}/1b3d5f7a9c0e_create_customers_and_orders.py"
FINDINGS = 2
"""fixtures/unindexed-fk has 5 revisions and two unindexed foreign keys."""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / "unindexed-fk", tmp_path / "project"))


def test_second_run_is_answered_from_the_cache(tree: Path) -> None:
    first, counters = check_verbose(tree)
    assert counters["cache"] == str(tree / ".alembic-analyzer-cache")
    assert counters["cache results"] == "0 hit, 1 missed"
    assert counters["cache files"] == "0 hit, 5 missed"
    assert counters["parsed"].startswith("5 files")
    second, counters = check_verbose(tree)
    assert counters["cache results"] == "1 hit, 0 missed"
    assert counters["cache files"] == "0 hit, 0 missed"
    assert counters["parsed"] == "0 files, 0 worker processes"
    assert second.stdout == first.stdout
    assert len(finding_locations(second)) == FINDINGS
    assert (tree / ".alembic-analyzer-cache" / ".gitignore").read_text().endswith("*\n")
    assert (
        (tree / ".alembic-analyzer-cache" / "CACHEDIR.TAG")
        .read_text()
        .startswith("Signature: 8a477f597d28d172789f06886806bc55")
    )
    umask = os.umask(0)
    os.umask(umask)
    files = [p for p in (tree / ".alembic-analyzer-cache").rglob("*") if p.is_file()]
    assert {stat.S_IMODE(p.stat().st_mode) for p in files} == {0o666 & ~umask}  # not 0600


def test_a_content_change_reparses_that_file_only(tree: Path) -> None:
    check_verbose(tree)
    orders = tree / ORDERS
    source = orders.read_text()
    index = '    op.create_index("ix_orders_customer_id", "orders", ["customer_id"])\n'
    orders.write_text(source.replace("def downgrade", index + "\n\ndef downgrade", 1))
    result, counters = check_verbose(tree)
    assert counters["cache results"] == "0 hit, 1 missed"
    assert counters["cache files"] == "4 hit, 1 missed"
    assert counters["parsed"].startswith("1 files")
    assert len(finding_locations(result)) == FINDINGS - 1  # the new index covers the orders FK


def test_a_changed_setting_misses_the_result_but_keeps_the_files(tree: Path) -> None:
    check_verbose(tree)
    result, counters = check_verbose(tree, "--select", "multiple-heads")
    assert counters["cache results"] == "0 hit, 1 missed"
    assert counters["cache files"] == "5 hit, 0 missed"
    assert finding_locations(result) == []


def test_a_changed_dialect_misses_the_files_too(tree: Path) -> None:
    """The files' entries hold the schema changes of their SQL, read in one dialect."""
    check_verbose(tree)
    result, counters = check_verbose(tree, "--dialect", "mysql")
    assert counters["cache files"] == "0 hit, 5 missed"
    assert finding_locations(result) == []  # MySQL indexes foreign keys itself


def test_another_analyzer_version_misses_everything(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (target,) = select([str(tree)], tree, [])
    directory = tmp_path / "cache"

    def run() -> LoadStats:
        options = LoadOptions(cache=Cache(directory), jobs=1)
        outcome = project_outcome(target.project, Config(), options)
        assert len(outcome.findings) == FINDINGS
        return options.stats

    analyzer.cache.fingerprint.cache_clear()
    assert run().files_missed == 5
    assert run().results_hit == 1
    monkeypatch.setattr(analyzer.cache, "__version__", "999.0")
    analyzer.cache.fingerprint.cache_clear()
    try:
        stats = run()
    finally:
        analyzer.cache.fingerprint.cache_clear()
    assert (stats.results_hit, stats.files_hit, stats.files_missed) == (0, 0, 5)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda text: text[: len(text) // 2], id="truncated"),
        pytest.param(lambda text: "", id="empty"),
        pytest.param(lambda text: "\x00\xff garbage \n\t{", id="garbage"),
        pytest.param(
            lambda text: text.replace('"facts"', '"fax"').replace('"key"', '"kee"'),
            id="wrong-shape",
        ),
        pytest.param(lambda text: text.replace(":", ":[", 7), id="bad-json"),
    ],
)
def test_a_damaged_cache_is_rebuilt(tree: Path, damage: object) -> None:
    clean, _ = check_verbose(tree)
    for path in (tree / ".alembic-analyzer-cache" / "v1").iterdir():
        path.write_bytes(damage(path.read_text()).encode("utf-8", "surrogateescape"))  # type: ignore[operator]
    result, counters = check_verbose(tree)
    assert result.stdout == clean.stdout
    assert counters["cache results"] == "0 hit, 1 missed"
    _, counters = check_verbose(tree)
    assert counters["cache results"] == "1 hit, 0 missed"


def test_an_unwritable_cache_directory_still_gives_findings(tree: Path) -> None:
    blocker = tree / "not-a-directory"
    blocker.write_text("")
    result, counters = check_verbose(tree, "--cache-dir", str(blocker / "cache"))
    assert len(finding_locations(result)) == FINDINGS
    assert counters["cache write errors"] == "3"  # the pack, a replay checkpoint, the result
    assert "Traceback" not in result.stderr


def test_no_cache_writes_nothing(tree: Path) -> None:
    result, counters = check_verbose(tree, "--no-cache")
    assert counters["cache"] == "disabled (--no-cache)"
    assert len(finding_locations(result)) == FINDINGS
    assert not (tree / ".alembic-analyzer-cache").exists()


def test_concurrent_runs_leave_a_valid_cache(tree: Path) -> None:
    command = [sys.executable, "-m", "analyzer", "check", "--format", "json", "--jobs", "1"]
    runs = [
        subprocess.Popen(command, cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(6)
    ]
    outputs = {run.communicate(timeout=300)[0] for run in runs}
    assert [run.returncode for run in runs] == [1] * 6
    assert len(outputs) == 1
    assert not [p for p in (tree / ".alembic-analyzer-cache" / "v1").iterdir() if p.name[0] == "."]
    result, counters = check_verbose(tree)
    assert counters["cache results"] == "1 hit, 0 missed"
    assert result.stdout.encode() == outputs.pop()


def test_parallel_parsing_gives_the_same_findings(tmp_path: Path) -> None:
    tree = generate(40, tmp_path / "project")
    serial, counters = check_verbose(tree, "--no-cache", "--jobs", "1")
    assert counters["parsed"] == "40 files, 0 worker processes"
    parallel, counters = check_verbose(tree, "--no-cache", "--jobs", "4")
    assert counters["parsed"] == "40 files, 2 worker processes"  # one per 16 files
    assert parallel.stdout == serial.stdout
    assert json.loads(serial.stdout)["summary"]["revisions"] == 40


@pytest.mark.parametrize(
    ("jobs", "files", "alongside", "workers"),
    [
        (1, 1000, 0, 0),
        (8, 31, 0, 0),
        (8, 32, 0, 2),
        (8, 1000, 0, 8),
        (64, 10_000, 0, 32),
        (2, 1, 99, 0),
        (2, 1, 100, 1),
        (1, 1, 100, 0),
        (2, 0, 100, 0),
    ],
)
def test_workers_only_where_they_pay(jobs: int, files: int, alongside: int, workers: int) -> None:
    assert worker_count(jobs, files, alongside) == workers


LAZY = """
import sys
from analyzer.cli import main
try:
    main({args!r})
except SystemExit:
    pass
loaded = {{name.partition('.')[0] for name in sys.modules}}
print(','.join(sorted(loaded & {{'libcst', 'networkx', 'alembic', 'sqlglot'}})))
"""


@pytest.mark.parametrize(
    ("args", "allowed"),
    [
        (["--version"], ""),
        (["--help"], ""),
        (["check", "--help"], ""),
        (["rules"], ""),
    ],
)
def test_quick_commands_import_nothing_heavy(args: list[str], allowed: str) -> None:
    code = LAZY.format(args=args)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines()[-1] == allowed


def test_a_cached_run_imports_nothing_heavy(tree: Path) -> None:
    check_verbose(tree)
    code = LAZY.format(args=["check", str(tree)])
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tree, capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines()[-1] == ""


def _analyze_unless_told_otherwise(path: str, data: bytes, dialect: str) -> str:
    """A stand-in parser for worker tests: the path says how to misbehave."""
    if path == "crash":
        os.kill(os.getpid(), signal.SIGKILL)
    if path == "hang":
        time.sleep(600)
    return json.dumps([path, data.decode(), dialect])


def test_a_crashed_or_stuck_worker_costs_only_its_file() -> None:
    names = ["a", "crash", "b", "c", "hang", "d", "e", "f", "g", "h"]
    tasks = [(name, name.upper().encode()) for name in names]
    pool = Workers(tasks, "sqlite", 2, _analyze_unless_told_otherwise, timeout=3.0)
    results = pool.results()
    expected: dict[str, str | FileProblem] = {
        name: json.dumps([name, name.upper(), "sqlite"]) for name in names
    }
    expected["crash"] = FileProblem(
        "the parser failed on this file: the worker process was killed by SIGKILL"
    )
    expected["hang"] = FileProblem(
        "the parser failed on this file: analyzing it took more than 3 seconds"
    )
    assert dict(zip(names, results, strict=True)) == expected
    assert not [child for child in multiprocessing.active_children() if child.is_alive()]


def test_reinstalling_a_parser_changes_the_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Installing another libcst or sqlglot rewrites its files: entries made with the old
    one are not used."""
    init = tmp_path / "fakeparser" / "__init__.py"
    init.parent.mkdir()
    init.write_text("VERSION = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(analyzer.cache, "PARSERS", ("fakeparser",))
    analyzer.cache.fingerprint.cache_clear()
    try:
        before = analyzer.cache.fingerprint()
        os.utime(init, ns=(0, init.stat().st_mtime_ns + 1_000_000_000))
        analyzer.cache.fingerprint.cache_clear()
        assert analyzer.cache.fingerprint() != before
    finally:
        analyzer.cache.fingerprint.cache_clear()


@pytest.mark.parametrize(
    ("link", "why"),
    [
        (".alembic-analyzer-cache", "it is a symbolic link"),
        (".alembic-analyzer-cache/v1", "its v1 is a symbolic link"),
    ],
)
def test_a_symlinked_cache_directory_is_not_used(
    tree: Path, tmp_path: Path, link: str, why: str
) -> None:
    """A checkout could point the cache at its own root or a home directory: writing there
    would replace that directory's `.gitignore`."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ".gitignore").write_text("keep me\n")
    (tree / link).parent.mkdir(exist_ok=True)
    (tree / link).symlink_to(elsewhere)
    result, counters = check_verbose(tree)
    assert len(finding_locations(result)) == FINDINGS
    directory = tree / ".alembic-analyzer-cache"
    assert counters["cache"] == f"{directory} not used: {why}"
    assert "cache results" not in counters
    assert sorted(p.name for p in elsewhere.iterdir()) == [".gitignore"]
    assert (elsewhere / ".gitignore").read_text() == "keep me\n"


def test_an_existing_directory_keeps_its_gitignore(tree: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / ".gitignore").write_text("keep me\n")
    _, counters = check_verbose(tree, "--cache-dir", str(mine))
    assert counters["cache results"] == "0 hit, 1 missed"
    assert (mine / ".gitignore").read_text() == "keep me\n"
    assert (mine / "CACHEDIR.TAG").is_file()
