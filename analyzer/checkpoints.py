"""Replay checkpoints in the cache, so that a run after an edit replays only the
revisions after the last unchanged one.

A checkpoint is the replayed schema (and the SQL notes so far) after the first N
revisions of a project's topological order. Its key is a hash chained over those N
revisions: each one's id, file path and file cache key (which covers the analyzer's
fingerprint, the dialect and the file's bytes). So it matches a later run exactly when
that run's order starts with the same revisions, from the same files, with the same
content; the replay of that prefix would give the same state.

A run keeps the state before the last revision of the order when it is not stored yet:
the newest revision is the one being written or edited before a commit, and a revision
added on top of it later is replayed from there with one more revision.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from analyzer.cache import Cache
from analyzer.codec import Codec, CodecError
from analyzer.graph import RevisionGraph
from analyzer.loading import LoadStats
from analyzer.schema.model import Origin, Schema, Table
from analyzer.schema.replay import Checkpoint, SqlNote
from analyzer.values import DecodeError, JSONValue, decode_span


@dataclass(frozen=True)
class _Stored:
    """A checkpoint as the cache holds it (its position is in the key)."""

    tables: tuple[Table, ...]
    notes: tuple[SqlNote, ...]


class _Strings:
    """The paths and revision ids of a checkpoint's origins, written once each: an origin
    is `[path, line, col, end line, end col, revision]` with indexes into `texts`."""

    def __init__(self, texts: list[str] | None = None) -> None:
        self.texts = texts if texts is not None else []
        self._index = {text: index for index, text in enumerate(self.texts)}

    def index(self, text: str) -> int:
        found = self._index.get(text)
        if found is None:
            found = self._index[text] = len(self.texts)
            self.texts.append(text)
        return found

    def text(self, index: JSONValue) -> str:
        if type(index) is not int or not 0 <= index < len(self.texts):
            raise CodecError("bad string index")
        return self.texts[index]


def _encode_origin(origin: Any, strings: Any) -> JSONValue:
    if type(origin) is not Origin:
        raise CodecError(f"expected Origin, got {type(origin).__name__}")
    return [strings.index(origin.path), *origin.span.to_list(), strings.index(origin.revision)]


def _decode_origin(data: JSONValue, strings: Any) -> Any:
    if type(data) is not list or len(data) != 6:
        raise CodecError("bad origin")
    return Origin(strings.text(data[0]), decode_span(data[1:5]), strings.text(data[5]))


@cache
def _codec() -> Codec:
    return Codec(_Stored, {Origin: (_encode_origin, _decode_origin)})


def encode_checkpoint(checkpoint: Checkpoint) -> JSONValue:
    """A checkpoint's state as JSON data (its position is the caller's to keep)."""
    strings = _Strings()
    stored = _Stored(tuple(checkpoint.schema.sorted_tables()), checkpoint.notes)
    encoded = _codec().encode(stored, strings)
    return {"strings": list(strings.texts), "state": encoded}


def decode_checkpoint(data: JSONValue, position: int, dialect: str) -> Checkpoint:
    """`encode_checkpoint`'s data back; `DecodeError` when it is not that."""
    if type(data) is not dict:
        raise DecodeError("not a checkpoint")
    texts = data.get("strings")
    if type(texts) is not list:
        raise DecodeError("no strings")
    strings = [text for text in texts if type(text) is str]
    if len(strings) != len(texts):
        raise DecodeError("bad strings")
    stored: _Stored = _codec().decode(data.get("state"), _Strings(strings))
    names = [table.name.key for table in stored.tables]
    if len(set(names)) != len(names):
        raise DecodeError("a table twice")
    return Checkpoint(position, Schema.of(stored.tables, dialect), stored.notes)


class CachedCheckpoints:
    """`analyzer.schema.replay.Checkpoints` kept in the cache's pack `project`.
    `file_keys`: each revision file's cache key, by path."""

    def __init__(
        self,
        cache: Cache,
        project: str,
        file_keys: Mapping[str, str],
        dialect: str,
        stats: LoadStats,
    ) -> None:
        self.cache = cache
        self.project = project
        self.file_keys = file_keys
        self.dialect = dialect
        self.stats = stats
        self._stored: set[str] | None = None
        self._chain_of: tuple[RevisionGraph, list[str] | None] | None = None

    def start(self, graph: RevisionGraph) -> Checkpoint | None:
        self.stats.replay_total += len(graph.topological_order())
        chain = self._chain(graph)
        if chain is None:
            return None
        stored = self._stored_keys()
        for position in range(len(chain) - 1, 0, -1):
            if chain[position] in stored:
                checkpoint = self._load(position, chain[position])
                if checkpoint is not None:
                    self.stats.replay_resumed += position
                    return checkpoint
                stored.discard(chain[position])  # damaged: to be written again if wanted
        return None

    def wanted(self, graph: RevisionGraph) -> int | None:
        chain = self._chain(graph)
        if chain is None or len(chain) < 3:  # nothing worth keeping before the last one
            return None
        position = len(chain) - 2
        return None if chain[position] in self._stored_keys() else position

    def keep(self, graph: RevisionGraph, checkpoint: Checkpoint) -> None:
        chain = self._chain(graph)
        if chain is None:
            return
        key = chain[checkpoint.position]
        self.cache.store_checkpoint(self.project, key, encode_checkpoint(checkpoint))

    def _stored_keys(self) -> set[str]:
        if self._stored is None:
            self._stored = self.cache.checkpoint_keys(self.project)
        return self._stored

    def _chain(self, graph: RevisionGraph) -> list[str] | None:
        """The key of each prefix of the order: `chain[n]` covers its first n revisions
        (None when a revision's file has no cache key)."""
        if self._chain_of is None or self._chain_of[0] is not graph:
            self._chain_of = (graph, self._compute_chain(graph))
        return self._chain_of[1]

    def _compute_chain(self, graph: RevisionGraph) -> list[str] | None:
        key = hashlib.sha256(f"replay\0{self.dialect}".encode()).hexdigest()[:32]
        chain = [key]
        for revision in graph.topological_order():
            path = graph.revisions[revision].facts.path
            file_key = self.file_keys.get(path)
            if file_key is None:
                return None
            step = f"{key}\0{revision}\0{path}\0{file_key}"
            key = hashlib.sha256(step.encode("utf-8", errors="surrogatepass")).hexdigest()[:32]
            chain.append(key)
        return chain

    def _load(self, position: int, key: str) -> Checkpoint | None:
        data = self.cache.checkpoint(self.project, key)
        if data is None:
            return None
        try:
            return decode_checkpoint(data, position, self.dialect)
        except DecodeError:
            return None
