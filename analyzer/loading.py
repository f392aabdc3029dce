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

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
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
"""Called with (files loaded, files in the project)."""


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
            try:
                self.computed[sql] = _changes_codec().encode(changes, origin)
            except CodecError:
                pass  # not expressible as an entry (an origin elsewhere): read it every time
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


@dataclass(frozen=True)
class Loaded:
    facts: list[MigrationFacts]
    """In the order of the paths, before import resolution."""
    read_sql: SqlMemo


def load_files(
    sources: Sources,
    dialect: str,
    *,
    cache: Cache | None = None,
    project: str = "",
    jobs: int = 1,
    progress: Progress | None = None,
) -> Loaded:
    """Every file's facts: from `cache` (the pack named `project`) when it has them, else
    parsed, in `jobs` worker processes when there are enough files to pay for them."""
    from analyzer.parsing import parse_bytes

    total = len(sources.paths)
    stored = cache.file_entries(project) if cache is not None else {}
    facts: list[MigrationFacts | None] = [None] * total
    sql: dict[str, JSONValue] = {}
    kept: dict[str, str] = {}
    todo: list[int] = []
    for index, (path, data, key) in enumerate(
        zip(sources.paths, sources.contents, sources.keys, strict=True)
    ):
        if isinstance(data, FileProblem):
            facts[index] = parse_bytes(str(path), data)
            continue
        text = stored.get(key)
        if text is not None:
            try:
                facts[index], file_sql = decode_entry(text, str(path))
            except DecodeError:
                pass
            else:
                sql.update(file_sql)
                kept[key] = text
                continue
        todo.append(index)
    loaded = total - len(todo)
    if progress is not None and loaded:
        progress(loaded, total)
    parsed = _parse(sources, todo, dialect, jobs, cache, progress, loaded)
    for index, entry in zip(todo, parsed, strict=True):
        path = str(sources.paths[index])
        if isinstance(entry, FileProblem):  # the parser failed: not cached
            facts[index] = MigrationFacts(path=path, problem=entry)
            continue
        if isinstance(entry, str):
            try:
                entry = Entry(*decode_entry(entry, path), entry)
            except DecodeError:
                facts[index] = MigrationFacts(path=path, problem=FileProblem("bad worker reply"))
                continue
        facts[index] = entry.facts
        sql.update(entry.sql)
        kept[sources.keys[index]] = entry.text
    if cache is not None:
        cache.stats.files_hit += len(kept) - len(todo)
        cache.stats.files_missed += len(todo)
        if todo or len(kept) != len(stored):
            cache.store_file_entries(project, kept)
    return Loaded([f for f in facts if f is not None], SqlMemo(dialect, sql))


def _parse(
    sources: Sources,
    todo: list[int],
    dialect: str,
    jobs: int,
    cache: Cache | None,
    progress: Progress | None,
    loaded: int,
) -> Sequence[Entry | str | FileProblem]:
    from analyzer.parallel import analyze_in_workers, worker_count

    total = len(sources.paths)
    tasks: list[tuple[str, bytes]] = []
    for index in todo:
        data = sources.contents[index]
        assert isinstance(data, bytes)
        tasks.append((str(sources.paths[index]), data))
    workers = worker_count(jobs, len(tasks))
    if cache is not None:
        cache.stats.parsed += len(tasks)
    if not workers:
        entries: list[Entry] = []
        for path, data in tasks:
            entries.append(analyze_content(path, data, dialect))
            if progress is not None:
                progress(loaded + len(entries), total)
        return entries
    done = [loaded]

    def advance(_: int) -> None:
        done[0] += 1
        if progress is not None:
            progress(done[0], total)

    results, started = analyze_in_workers(tasks, dialect, workers, entry_text, on_result=advance)
    if cache is not None:
        cache.stats.workers += started
    return results
