"""Replay checkpoints (`analyzer.checkpoints`): resuming from one gives exactly the
schema and notes of a full replay, a run after an edit of the newest revision replays
only that revision, and damaged or foreign checkpoints are ignored. Also the pack of
file entries, which grows by appending after an edit, and the spare worker process."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from analyzer.analysis import Analysis
from analyzer.api import load_facts, project_dialect
from analyzer.cache import MAX_CHECKPOINTS, Cache
from analyzer.checkpoints import decode_checkpoint, encode_checkpoint
from analyzer.config import Config
from analyzer.discovery import Project, select
from analyzer.graph import RevisionGraph
from analyzer.loading import entry_text
from analyzer.parallel import Workers, spare_ready, start_spare, stop_spare
from analyzer.schema.replay import Checkpoint, Replay, replay
from benchmarks.generate import generate
from tests.helpers import FIXTURES, check_verbose, finding_locations, run_cli
from tests.test_cache import FINDINGS

HEAD = "migrations/versions/5f7b9d1e3a4c_drop_promotions_and_legacy_invoices.py"
FIRST = "migrations/versions/1b3d5f7a9c0e_create_customers_and_orders.py"
NEW_TABLE = """\
    op.create_table(
        "refunds",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("orders.id")),
    )
"""


def _projects() -> Iterator[Project]:
    roots = [p for p in sorted(FIXTURES.iterdir()) if (p / "alembic.ini").is_file()]
    for root in roots:
        for target in select([str(root)], root):
            yield target.project


class Recorder:
    """Checkpoints that resume from `resume` and keep the state at `at`."""

    def __init__(self, at: int | None = None, resume: Checkpoint | None = None) -> None:
        self.at, self.resume = at, resume
        self.kept: Checkpoint | None = None

    def start(self, graph: RevisionGraph) -> Checkpoint | None:
        return self.resume

    def wanted(self, graph: RevisionGraph) -> int | None:
        return self.at

    def keep(self, graph: RevisionGraph, checkpoint: Checkpoint) -> None:
        self.kept = checkpoint


def _same(resumed: Replay, full: Replay) -> None:
    assert resumed.schema.sorted_tables() == full.schema.sorted_tables()
    assert resumed.schema.names == full.schema.names
    assert resumed.notes == full.notes


def _exact_at_every_position(paths: list[Path], dialect: str) -> int:
    """Resume from every position, through JSON: the same result as a full replay."""
    files = load_facts(paths)
    analysis = Analysis(files, dialect)
    graph = analysis.graph
    full = analysis.schema
    positions = len(graph.topological_order())
    for position in range(positions):
        recorder = Recorder(at=position)
        replay(graph, files, dialect, checkpoints=recorder)
        assert recorder.kept is not None and recorder.kept.position == position
        data = json.loads(json.dumps(encode_checkpoint(recorder.kept)))
        restored = decode_checkpoint(data, position, dialect)
        _same(replay(graph, files, dialect, checkpoints=Recorder(resume=restored)), full)
    return positions


@pytest.mark.parametrize("project", list(_projects()), ids=lambda p: p.root.name)
def test_resuming_anywhere_gives_the_full_replay_of_every_fixture(project: Project) -> None:
    dialect = project_dialect(project, Config())
    _exact_at_every_position(project.revision_files(), dialect)


def test_resuming_anywhere_gives_the_full_replay_of_a_generated_tree(tmp_path: Path) -> None:
    """Forks, merges, batch operations and `op.execute` SQL (sqlglot's changes)."""
    tree = generate(60, tmp_path / "tree")
    paths = sorted((tree / "migrations" / "versions").glob("*.py"))
    assert _exact_at_every_position(paths, "postgresql") == 60


def _edit_head(tree: Path) -> None:
    head = tree / HEAD
    text = head.read_text()
    last = '    op.drop_table("promotions")\n'
    head.write_text(text.replace(last, last + NEW_TABLE))


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / "unindexed-fk", tmp_path / "project"))


def _checkpoint_files(tree: Path) -> list[Path]:
    return sorted((tree / ".alembic-analyzer-cache" / "v1").glob("replay-*.json"))


def test_an_edit_of_the_newest_revision_replays_only_that_revision(tree: Path) -> None:
    _, counters = check_verbose(tree)
    assert counters["replay"] == "0 of 5 revisions from a checkpoint"
    assert len(_checkpoint_files(tree)) == 1  # the state before the newest revision
    _edit_head(tree)
    result, counters = check_verbose(tree)
    assert counters["replay"] == "4 of 5 revisions from a checkpoint"
    assert counters["cache files"] == "4 hit, 1 missed"
    uncached = run_cli(["check", "--no-cache", "--format", "json"], cwd=tree)
    assert result.stdout == uncached.stdout
    assert len(finding_locations(result)) == FINDINGS + 1
    assert ("unindexed-foreign-key", HEAD, 29) in finding_locations(result)  # the new column
    assert len(_checkpoint_files(tree)) == 1  # it was there already


def test_an_edit_of_an_early_revision_replays_everything(tree: Path) -> None:
    check_verbose(tree)
    first = tree / FIRST
    first.write_text(first.read_text() + "\n# reviewed\n")
    result, counters = check_verbose(tree)
    assert counters["replay"] == "0 of 5 revisions from a checkpoint"
    uncached = run_cli(["check", "--no-cache", "--format", "json"], cwd=tree)
    assert result.stdout == uncached.stdout
    assert len(_checkpoint_files(tree)) == 2  # the new history's, and the old one's


@pytest.mark.parametrize(
    "damage",
    [
        "",
        "{",
        '{"key": "elsewhere", "checkpoint": {}}',
        '{"key": "KEY", "checkpoint": {"strings": [], "state": {"_Stored": [[], [], []]}}}',
        '{"key": "KEY", "checkpoint": {"strings": ["x"], "state": {"_Stored": [[{"Table": '
        "[]}], []]}}}",
    ],
    ids=["empty", "truncated", "foreign-key", "wrong-shape", "bad-table"],
)
def test_a_damaged_checkpoint_is_ignored_and_rewritten(tree: Path, damage: str) -> None:
    check_verbose(tree)
    (path,) = _checkpoint_files(tree)
    key = path.stem.rpartition("-")[2]
    path.write_text(damage.replace("KEY", key))
    _edit_head(tree)
    result, counters = check_verbose(tree)
    assert counters["replay"] == "0 of 5 revisions from a checkpoint"
    uncached = run_cli(["check", "--no-cache", "--format", "json"], cwd=tree)
    assert result.stdout == uncached.stdout
    assert json.loads(path.read_text())["key"] == key  # written again, whole
    (tree / HEAD).write_text((tree / HEAD).read_text() + "# again\n")
    _, counters = check_verbose(tree)
    assert counters["replay"] == "4 of 5 revisions from a checkpoint"


def test_a_checkpoint_naming_a_table_twice_is_refused() -> None:
    table = {"Table": [{"TableName": [None, "t"]}, None, [], [], [], [], []]}
    data = {"strings": [], "state": {"_Stored": [[table, table], []]}}
    with pytest.raises(ValueError, match="a table twice"):
        decode_checkpoint(data, 1, "postgresql")


def test_only_the_last_used_checkpoints_are_kept(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    keys = [f"{index:032x}" for index in range(MAX_CHECKPOINTS + 2)]
    for age, key in enumerate(keys):
        cache.store_checkpoint("p", key, {"n": age})
        path = tmp_path / "cache" / "v1" / f"replay-p-{key}.json"
        os.utime(path, (1_000_000 + age, 1_000_000 + age))
        if age == 0:
            assert cache.checkpoint("p", key) == {"n": 0}  # used: now the newest
    assert cache.checkpoint_keys("p") == {keys[0], *keys[-MAX_CHECKPOINTS + 1 :]}
    assert cache.checkpoint_keys("other") == set()


# --- the pack of file entries ---------------------------------------------------------


def _pack(tree: Path) -> Path:
    (pack,) = (tree / ".alembic-analyzer-cache" / "v1").glob("files-*.jsonl")
    return pack


def test_an_edit_appends_one_line_to_the_pack(tree: Path) -> None:
    check_verbose(tree)
    assert len(_pack(tree).read_text().splitlines()) == 5
    _edit_head(tree)
    check_verbose(tree)
    assert len(_pack(tree).read_text().splitlines()) == 6  # the old entry stays a while
    (tree / HEAD).write_text((tree / HEAD).read_text() + "# again\n")
    _, counters = check_verbose(tree)
    assert counters["cache files"] == "4 hit, 1 missed"
    lines = _pack(tree).read_text().splitlines()
    assert len(lines) == 5  # 2 stale entries of 5 live ones: rewritten without them


def test_a_linked_pack_is_replaced_never_written_through(tree: Path, tmp_path: Path) -> None:
    check_verbose(tree)
    pack = _pack(tree)
    elsewhere = tmp_path / "elsewhere.jsonl"
    elsewhere.write_text(pack.read_text())
    before = elsewhere.read_text()
    pack.unlink()
    pack.symlink_to(elsewhere)
    _edit_head(tree)
    _, counters = check_verbose(tree)
    assert counters["cache files"] == "4 hit, 1 missed"
    assert elsewhere.read_text() == before
    assert not pack.is_symlink() and len(pack.read_text().splitlines()) == 5


# --- the spare worker -------------------------------------------------------------------


def _upper(path: str, data: bytes, dialect: str) -> str:
    return json.dumps([path, data.decode().upper(), dialect])


def _nothing() -> None:
    pass


def test_a_spare_worker_is_taken_over_by_the_first_pool() -> None:
    start_spare(_upper, _nothing)
    try:
        assert spare_ready(_upper)
        assert not spare_ready(entry_text)  # another parser: not that one's spare
        pool = Workers([("a.py", b"x"), ("b.py", b"y")], "sqlite", 1, _upper)
        assert pool.started == 1 and not spare_ready(_upper)
        assert [json.loads(r) for r in pool.results()] == [  # type: ignore[arg-type]
            ["a.py", "X", "sqlite"],
            ["b.py", "Y", "sqlite"],
        ]
    finally:
        stop_spare()


def test_an_unused_spare_worker_is_stopped() -> None:
    start_spare(_upper, _nothing)
    assert spare_ready(_upper)
    stop_spare()
    assert not spare_ready(_upper)


def test_check_parses_an_edited_file_in_the_spare_worker(tree: Path) -> None:
    check_verbose(tree)
    _edit_head(tree)
    _, counters = check_verbose(tree)
    assert counters["parsed"] == "1 files, 1 worker processes"
    (tree / HEAD).write_text((tree / HEAD).read_text() + "# again\n")
    _, counters = check_verbose(tree, "--jobs", "1")
    assert counters["parsed"] == "1 files, 0 worker processes"
