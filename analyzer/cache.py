"""The cache: what earlier runs learnt, keyed by content hashes, kept as JSON.

A cache directory in a repository is untrusted input like the migrations themselves, so
it holds data only (JSON, never pickle), everything read from it is checked, and an
entry that is corrupt, truncated, foreign or from another version of the analyzer is a
miss that the run rewrites. Files are written whole to a temporary file and renamed over
the old one, so a reader (another run at the same time) sees the old or the new file,
never half of one; two runs writing at once leave one of their two complete versions.

Layout (`.alembic-analyzer-cache/` by default, like `.ruff_cache/`)::

    CACHEDIR.TAG           marks a cache directory for backup tools
    .gitignore             `*`: git ignores the whole directory
    v1/files-<project>.jsonl
        one line per revision file: `<key>\\t<entry JSON>`, the key being the hash of
        the analyzer's fingerprint, the dialect and the file's bytes; the entry its facts
        and what its SQL does to the schema (`analyzer.loading`).
    v1/result-<project>.json
        the last outcome of a project (findings after suppression comments), with the
        key it was computed for: the fingerprint, the settings that change findings
        and every revision file's content hash. A run that finds the same key
        re-renders it without parsing anything.
    v1/replay-<project>-<key>.json
        a replay checkpoint: the schema after the first revisions of the project's
        topological order, keyed by a hash chained over those revisions
        (`analyzer.checkpoints`); the `MAX_CHECKPOINTS` last used of a project are kept.

The fingerprint is the version plus a hash of the analyzer's own source files and the
installation of libcst and sqlglot, so entries written by other code (another release, a
working copy being edited, another libcst or sqlglot) never match.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import stat
from functools import cache
from pathlib import Path

from analyzer._version import __version__
from analyzer.atomic import replace_file
from analyzer.parsing.source import read_bytes
from analyzer.values import JSONValue

DIRECTORY_NAME = ".alembic-analyzer-cache"
FORMAT = "v1"
"""Bumped when the layout or an entry's shape changes."""
MAX_CACHE_FILE_BYTES = 1 << 30
MAX_CHECKPOINTS = 4
"""Replay checkpoints kept per project: the one a run resumes from, and a few others (a
branch switched back to, a new revision being written on top of the last one)."""
GITIGNORE = "# Created by alembic-analyzer.\n*\n"
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by alembic-analyzer.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)


PARSERS = ("libcst", "sqlglot")
"""Libraries whose version changes what an entry holds (facts, SQL changes)."""


@cache
def fingerprint() -> str:
    """The analyzer's version, a hash of its source files and where the parsing libraries
    are installed and when (read once per process)."""
    digest = hashlib.sha256(f"alembic-analyzer {__version__} {FORMAT}".encode())
    package = Path(__file__).resolve().parent
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode())
        data = read_bytes(str(source))
        digest.update(data if isinstance(data, bytes) else b"unreadable")
    for name in PARSERS:
        digest.update(_installed(name).encode("utf-8", errors="surrogatepass"))
    return digest.hexdigest()


def _installed(name: str) -> str:
    """A package's location and modification time, found without importing it (reading
    its version from metadata costs more than a whole cached run): installing another
    version rewrites the file."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        return f"{name} missing"
    try:
        status = os.stat(spec.origin)
    except OSError:
        return f"{name} unreadable"
    return f"{name} {spec.origin} {status.st_mtime_ns} {status.st_size}"


def digest(*parts: str) -> str:
    """A short, stable hash of some strings (cache keys and file names)."""
    hashed = hashlib.sha256()
    for part in parts:
        hashed.update(part.encode("utf-8", errors="surrogatepass"))
        hashed.update(b"\0")
    return hashed.hexdigest()[:32]


class Cache:
    """One cache directory. Reading never raises; writing failures are counted, not
    raised (a read-only checkout still gets its findings)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.write_errors = 0
        """Files that could not be written (counted for `check --verbose`)."""
        self.refused: str | None = None
        if directory.is_symlink():
            self.refused = "it is a symbolic link"
        elif self._versioned.is_symlink():
            self.refused = f"its {FORMAT} is a symbolic link"
        """Why the directory is not used at all, if it is not: a checkout could make it a
        link to any directory (its own root, a home directory) for the cache to write in."""

    @property
    def _versioned(self) -> Path:
        return self.directory / FORMAT

    # --- revision files ---------------------------------------------------------------

    def file_entries(self, project: str) -> dict[str, str]:
        """key -> entry JSON text, of one project's pack (empty when missing or unreadable;
        a damaged line is skipped, the others still count)."""
        text = self._read(self._pack(project))
        entries: dict[str, str] = {}
        if text is None:
            return entries
        for line in text.split("\n"):
            key, tab, entry = line.partition("\t")
            if tab and len(key) == 32 and entry:
                entries[key] = entry
        return entries

    def store_file_entries(self, project: str, entries: dict[str, str]) -> None:
        """Replace the project's pack with exactly these entries (stale ones go)."""
        self._write(self._pack(project), _pack_lines(entries))

    def append_file_entries(self, project: str, entries: dict[str, str]) -> bool:
        """Add entries at the end of an existing pack; False when it could not be done
        (no pack, or not a plain file of its own: a link is never written through).
        Reading keeps the last line of a key, and a line cut short by a crash is skipped
        as damaged."""
        if self.refused:
            return False
        lines = _pack_lines(entries).encode("ascii")
        try:
            fd = os.open(
                self._pack(project), os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
            )
        except OSError:
            return False
        try:
            status = os.fstat(fd)
            if not stat.S_ISREG(status.st_mode) or status.st_nlink != 1:
                return False
            written = 0
            while written < len(lines):
                written += os.write(fd, lines[written:])
        except OSError:
            self.write_errors += 1
        finally:
            os.close(fd)
        return True

    def _pack(self, project: str) -> Path:
        return self._versioned / f"files-{project}.jsonl"

    # --- whole results ----------------------------------------------------------------

    def result(self, project: str, key: str) -> JSONValue | None:
        """The stored outcome of a project if it was computed for `key`."""
        return self._read_keyed(self._versioned / f"result-{project}.json", key, "outcome")

    def store_result(self, project: str, key: str, outcome: JSONValue) -> None:
        self._write_keyed(self._versioned / f"result-{project}.json", key, "outcome", outcome)

    # --- replay checkpoints -----------------------------------------------------------

    def checkpoint_keys(self, project: str) -> set[str]:
        """The keys of the project's stored checkpoints."""
        return set(self._checkpoint_files(project))

    def checkpoint(self, project: str, key: str) -> JSONValue | None:
        """A stored checkpoint (marked as just used, so it is kept)."""
        path = self._checkpoint_file(project, key)
        checkpoint = self._read_keyed(path, key, "checkpoint")
        if checkpoint is not None:
            with contextlib.suppress(OSError):
                os.utime(path)
        return checkpoint

    def store_checkpoint(self, project: str, key: str, checkpoint: JSONValue) -> None:
        """Store a checkpoint; the project's least recently used ones beyond
        `MAX_CHECKPOINTS` go."""
        self._write_keyed(self._checkpoint_file(project, key), key, "checkpoint", checkpoint)
        files = self._checkpoint_files(project)
        if len(files) <= MAX_CHECKPOINTS:
            return
        by_use = sorted(files.values(), key=_modified, reverse=True)
        for path in by_use[MAX_CHECKPOINTS:]:
            with contextlib.suppress(OSError):
                path.unlink()

    def _checkpoint_file(self, project: str, key: str) -> Path:
        return self._versioned / f"replay-{project}-{key}.json"

    def _checkpoint_files(self, project: str) -> dict[str, Path]:
        """key -> file, of the project's checkpoints."""
        if self.refused:
            return {}
        prefix = f"replay-{project}-"
        try:
            names = os.listdir(self._versioned)
        except OSError:
            return {}
        found: dict[str, Path] = {}
        for name in names:
            key = name[len(prefix) : -len(".json")]
            if name.startswith(prefix) and name.endswith(".json") and len(key) == 32:
                found[key] = self._versioned / name
        return found

    # --- files ------------------------------------------------------------------------

    def _read_keyed(self, path: Path, key: str, field: str) -> JSONValue | None:
        """`field` of a `{"key": ..., field: ...}` file, if it was written for `key`."""
        text = self._read(path)
        if text is None:
            return None
        try:
            stored = json.loads(text)
        except ValueError:
            return None
        if not isinstance(stored, dict) or stored.get("key") != key:
            return None
        value: JSONValue = stored.get(field)
        return value

    def _write_keyed(self, path: Path, key: str, field: str, value: JSONValue) -> None:
        self._write(path, json.dumps({"key": key, field: value}, separators=(",", ":")))

    def _read(self, path: Path) -> str | None:
        if self.refused:
            return None
        data = read_bytes(str(path), MAX_CACHE_FILE_BYTES)
        if not isinstance(data, bytes):
            return None
        try:
            return data.decode("ascii")  # json.dumps writes ASCII only
        except UnicodeDecodeError:
            return None

    def _write(self, path: Path, text: str) -> None:
        if self.refused:
            return
        try:
            self._prepare()
            path.parent.mkdir(parents=True, exist_ok=True)
            replace_file(path, text, "ascii")
        except (OSError, ValueError):
            self.write_errors += 1

    def _prepare(self) -> None:
        """Create the directory with its CACHEDIR.TAG and `.gitignore`, leaving those of an
        existing directory (`--cache-dir` may name one) as they are."""
        tag = self.directory / "CACHEDIR.TAG"
        if tag.is_file():
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        for path, text in ((self.directory / ".gitignore", GITIGNORE), (tag, CACHEDIR_TAG)):
            with contextlib.suppress(FileExistsError), path.open("x", encoding="ascii") as out:
                out.write(text)


def _pack_lines(entries: dict[str, str]) -> str:
    """A pack's lines: `<key>\t<entry JSON>`."""
    return "".join(f"{key}\t{entry}\n" for key, entry in entries.items())


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def default_directory(config_file: Path | None, cwd: Path) -> Path:
    """Next to the configuration file when there is one, else in the working directory."""
    return (config_file.parent if config_file is not None else cwd) / DIRECTORY_NAME
