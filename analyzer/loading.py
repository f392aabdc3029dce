"""The parsing stage: every revision file's facts, from the cache or parsed (in worker
processes when there are enough), and what the SQL of its `op.execute` calls does.

A file's *entry* is what the cache keeps and a worker sends back, as JSON text:
`{"facts": ..., "sql": {sql: changes}}`. `facts` is `encode_facts` without the path (an
entry is keyed by content, so a renamed or copied file shares it); `sql` holds the
schema changes of every literal SQL statement that the replay will read, computed with
sqlglot once, in the dialect of the key, so that later runs replay the tree without
importing sqlglot at all.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analyzer.facts import FileProblem, MigrationFacts, decode_facts, encode_facts
from analyzer.parsing.source import read_bytes
from analyzer.values import DecodeError, JSONValue

if TYPE_CHECKING:
    from analyzer.cache import Cache
    from analyzer.codec import Codec
    from analyzer.schema.changes import Change
    from analyzer.schema.model import Origin

Progress = Callable[[int, int], None]
"""Called with (files loaded, files in the project) as loading advances."""


@dataclass
class LoadStats:
    """What the loading stage (and the replay after it) did, over all projects of a run
    (`check --verbose`)."""

    results_hit: int = 0
    """Projects whose findings came from the result cache: nothing was loaded."""
    results_missed: int = 0
    files_hit: int = 0
    """Revision files whose entry came from the cache."""
    files_missed: int = 0
    parsed: int = 0
    """Revision files parsed in this run (cache misses, or every file without a cache)."""
    workers: int = 0
    """Worker processes started (0: everything was parsed in this process)."""
    replay_total: int = 0
    """Revisions the schema replays went through with the cache (`analyzer.checkpoints`)..."""
    replay_resumed: int = 0
    """...and how many of them a checkpoint covered."""


@dataclass(frozen=True)
class Sources:
    """The revision files of a project, read once: their bytes (or why they could not be
    read) and their cache keys."""

    paths: Sequence[Path]
    contents: Sequence[bytes | FileProblem]
    keys: Sequence[str]
    """Per file: the hash of the analyzer's fingerprint, the dialect and the bytes (or
    of the read problem, for a file that could not be read)."""


def read_sources(paths: Sequence[Path], dialect: str, fingerprint: str) -> Sources:
    prefix = hashlib.sha256(f"{fingerprint}\0{dialect}\0".encode())
    contents: list[bytes | FileProblem] = []
    keys: list[str] = []
    for path in paths:
        data = read_bytes(str(path))
        contents.append(data)
        hashed = prefix.copy()
        hashed.update(data if isinstance(data, bytes) else f"\0{data.message}".encode())
        keys.append(hashed.hexdigest()[:32])
    return Sources(paths, contents, keys)


# --- one file -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    facts: MigrationFacts
    sql: dict[str, JSONValue]
    text: str
    """The entry as JSON text (what the cache stores)."""


def analyze_content(path: str, data: bytes, dialect: str) -> Entry:
    """Parse one file and read its SQL: its entry."""
    from analyzer.parsing import parse_bytes

    facts = parse_bytes(path, data)
    sql = _sql_of(facts, dialect)
    encoded = encode_facts(facts)
    encoded["path"] = ""
    text = json.dumps({"facts": encoded, "sql": sql}, separators=(",", ":"))
    return Entry(facts, sql, text)


def entry_text(path: str, data: bytes, dialect: str) -> str:
    """`analyze_content` as worker processes run it: JSON text only."""
    return analyze_content(path, data, dialect).text


def _sql_of(facts: MigrationFacts, dialect: str) -> dict[str, JSONValue]:
    """Every literal SQL statement the replay will read in this file, with its changes:
    the upgrade's ops go through the replay's own handlers with a recording reader."""
    if facts.upgrade is None or not facts.upgrade.ops:
        return {}
    from analyzer.schema.handlers import Context, changes_of

    memo = SqlMemo(dialect, {})
    context = Context(facts.path, facts.revision_id() or "", dialect, memo)
    try:
        for op in facts.upgrade.ops:
            if op.name == "execute":  # the only op whose handler reads SQL through `memo`
                changes_of(op, context)
    except Exception:  # noqa: BLE001 - a bug here shows again, with its message, in the replay
        return {}
    return memo.computed


def decode_entry(text: str, path: str) -> tuple[MigrationFacts, dict[str, JSONValue]]:
    """An entry's facts (at `path`) and SQL; `DecodeError` when it is not one."""
    try:
        raw = json.loads(text)
    except ValueError:
        raise DecodeError("not JSON") from None
    if type(raw) is not dict or type(raw.get("facts")) is not dict:
        raise DecodeError("not an entry")
    sql = raw.get("sql")
    if type(sql) is not dict:
        raise DecodeError("bad SQL map")
    raw["facts"]["path"] = path
    return decode_facts(raw["facts"]), sql


# --- SQL ----------------------------------------------------------------------------------


class SqlMemo:
    """Reads `op.execute` SQL for the replay (`analyzer.schema.handlers.SqlReader`): from
    the changes earlier runs recorded when it has them, else with sqlglot (recording them
    in `computed`)."""

    def __init__(self, dialect: str, known: dict[str, JSONValue]) -> None:
        self.dialect = dialect
        self.known = known
        self.computed: dict[str, JSONValue] = {}

    def __call__(self, sql: str, origin: Origin, dialect: str) -> list[Change]:
        if dialect == self.dialect and sql in self.known:
            try:
                changes: list[Change] = _changes_codec().decode(self.known[sql], origin)
            except DecodeError:
                pass
            else:
                return changes
        from analyzer.codec import CodecError
        from analyzer.schema.sql import changes_from_sql

        changes = changes_from_sql(sql, origin, dialect)
        if dialect == self.dialect:
            # CodecError: not expressible as an entry (an origin elsewhere); read it each time
            with contextlib.suppress(CodecError):
                self.computed[sql] = _changes_codec().encode(changes, origin)
        return changes


def _same_origin(origin: Any, context: Any) -> JSONValue:
    """Changes read from SQL all come from the `op.execute` call: its origin is implied."""
    from analyzer.codec import CodecError

    if origin != context:
        raise CodecError("a change from another place")
    return None


def _given_origin(data: JSONValue, context: Any) -> Any:
    from analyzer.codec import CodecError

    if data is not None:
        raise CodecError("bad origin")
    return context


@cache
def _changes_codec() -> Codec:
    from analyzer.codec import Codec
    from analyzer.schema.changes import Change
    from analyzer.schema.model import Origin

    return Codec(list[Change], {Origin: (_same_origin, _given_origin)})


# --- the project --------------------------------------------------------------------------


def start_spare_worker(jobs: int) -> None:
    """With `jobs` > 1, start a worker that imports the parser right away, for
    `load_files` to use if any file needs parsing (`analyzer.parallel.start_spare`);
    `analyzer.parallel.stop_spare` ends it."""
    if jobs > 1:
        from analyzer.parallel import start_spare

        start_spare(entry_text, _import_parser)


def _import_parser() -> None:
    """What a worker needs for any file but sqlglot (imported for files with SQL only),
    and a first tiny parse (libcst sets itself up on the first one)."""
    from analyzer.parsing import parse_bytes
    from analyzer.schema import handlers  # noqa: F401 - imported for `_sql_of`, ahead

    parse_bytes("spare.py", b"def upgrade():\n    op.drop_table('t')\n")


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the OS has one): the
    default `--jobs`."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class LoadOptions:
    """Where loading may find earlier results and how it parses the rest."""

    cache: Cache | None = None
    jobs: int = 1
    """Worker processes for parsing (1: in this process)."""
    stats: LoadStats = field(default_factory=LoadStats)


@dataclass(frozen=True)
class Loaded:
    facts: list[MigrationFacts]
    """In the order of the paths, before import resolution."""
    read_sql: SqlMemo


def load_files(
    sources: Sources,
    dialect: str,
    options: LoadOptions,
    project: str,
    progress: Progress | None = None,
) -> Loaded:
    """Every file's facts: from the cache (the pack named `project`) when it has them,
    else parsed. Parsing starts first, in worker processes when there are enough files
    (or enough cached entries to decode meanwhile) to pay for them."""
    cache, stats = options.cache, options.stats
    stored = cache.file_entries(project) if cache is not None else {}
    count = _Counter(progress, len(sources.paths))
    facts: list[MigrationFacts | None] = [None] * len(sources.paths)
    hits: list[int] = []
    todo: list[int] = []
    for index, data in enumerate(sources.contents):
        if isinstance(data, FileProblem):  # unreadable: nothing to parse or cache
            facts[index] = MigrationFacts(path=str(sources.paths[index]), problem=data)
            count.advance()
        else:
            (hits if sources.keys[index] in stored else todo).append(index)
    parsing = _start_parsing(sources, todo, dialect, options, len(hits), count)
    sql: dict[str, JSONValue] = {}
    kept: dict[str, str] = {}
    damaged: list[int] = []
    with _collector_paused():
        for index in hits:
            text = stored[sources.keys[index]]
            try:
                facts[index], file_sql = decode_entry(text, str(sources.paths[index]))
            except DecodeError:
                damaged.append(index)
                continue
            sql.update(file_sql)
            kept[sources.keys[index]] = text
            count.advance()
    results = list(zip(todo, parsing(), strict=True))
    if damaged:
        reparsed = _start_parsing(sources, damaged, dialect, options, 0, count)()
        results += zip(damaged, reparsed, strict=True)
    for index, entry in results:
        if isinstance(entry, FileProblem):  # the parser failed: not cached
            facts[index] = MigrationFacts(path=str(sources.paths[index]), problem=entry)
            continue
        facts[index] = entry.facts
        sql.update(entry.sql)
        kept[sources.keys[index]] = entry.text
    if cache is not None:
        stats.files_hit += len(hits) - len(damaged)
        stats.files_missed += len(todo) + len(damaged)
        _update_pack(cache, project, stored, kept, bool(damaged))
    return Loaded([f for f in facts if f is not None], SqlMemo(dialect, sql))


def _update_pack(
    cache: Cache, project: str, stored: dict[str, str], kept: dict[str, str], damaged: bool
) -> None:
    """Bring the pack up to `kept`: by appending the new entries (after an edit: one line
    rather than the whole pack) while stale entries stay under a quarter of the live
    ones, else by rewriting it."""
    new = {key: text for key, text in kept.items() if key not in stored}
    stale = len(stored) - (len(kept) - len(new))
    if not new and not stale:
        return
    if (
        damaged
        or not stored
        or stale * 4 > len(kept)
        or not cache.append_file_entries(project, new)
    ):
        cache.store_file_entries(project, kept)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Decoding builds many small objects without cycles; meanwhile the cyclic garbage
    collector would only rescan the growing heap, for a third of the decoding time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Counter:
    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def advance(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total)


def _start_parsing(
    sources: Sources,
    indexes: list[int],
    dialect: str,
    options: LoadOptions,
    alongside: int,
    count: _Counter,
) -> Callable[[], Sequence[Entry | FileProblem]]:
    """Start parsing the files at `indexes`; the returned function waits for the results.
    `alongside`: how many cached entries this process decodes in the meantime."""
    from analyzer.parallel import Workers, spare_ready, worker_count

    tasks: list[tuple[str, bytes]] = []
    for index in indexes:
        data = sources.contents[index]
        assert isinstance(data, bytes)
        tasks.append((str(sources.paths[index]), data))
    options.stats.parsed += len(tasks)
    workers = worker_count(options.jobs, len(tasks), alongside)
    if not workers and tasks and options.jobs > 1 and spare_ready(entry_text):
        workers = 1  # started early, its parser (nearly) imported: faster than this process
    if not workers:

        def in_process() -> list[Entry]:
            entries: list[Entry] = []
            for path, data in tasks:
                entries.append(analyze_content(path, data, dialect))
                count.advance()
            return entries

        return in_process
    decoded: list[Entry | FileProblem | None] = [None] * len(tasks)

    def arrived(index: int, result: str | FileProblem) -> None:
        """Decode each entry as it arrives: this process has nothing else to do."""
        if isinstance(result, str):
            with _collector_paused():
                decoded[index] = Entry(*decode_entry(result, tasks[index][0]), result)
        else:
            decoded[index] = result
        count.advance()

    pool = Workers(tasks, dialect, workers, entry_text, on_result=arrived)

    def from_workers() -> list[Entry | FileProblem]:
        for index, result in enumerate(pool.results()):
            if decoded[index] is None:
                arrived(index, result)
        options.stats.workers += pool.started
        return [entry for entry in decoded if entry is not None]

    return from_workers
