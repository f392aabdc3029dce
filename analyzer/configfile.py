"""Reading the configuration file: `[tool.alembic-analyzer]` in `pyproject.toml`, or the
top level of a standalone `alembic-analyzer.toml`. Read as data (tomllib), validated
key by key; every problem is a `ConfigError` that names the file, the line and the key,
with a "did you mean" suggestion when one is close.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from analyzer.discovery import DIALECTS
from analyzer.findings import Level

STANDALONE = "alembic-analyzer.toml"
PYPROJECT = "pyproject.toml"
TABLE = ("tool", "alembic-analyzer")
KEYS = (
    "select",
    "extend-select",
    "ignore",
    "levels",
    "dialect",
    "versions",
    "exclude",
    "per-file-ignores",
    "fail-on",
)
LEVEL_VALUES = tuple(level.value for level in (Level.ERROR, Level.WARNING, Level.NOTE))


class ConfigError(Exception):
    """Invalid configuration or option (exit status 2; the message says how to fix it)."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`; did you mean 'select'?` when a choice is close to `word`, else nothing."""
    close = difflib.get_close_matches(word, sorted(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


@dataclass(frozen=True)
class FileSettings:
    """The validated settings of one configuration file; None: the key is not set."""

    path: Path
    shown: str
    """The path as messages show it (relative to the working directory when inside it)."""
    standalone: bool
    lines: Mapping[str, int] = field(default_factory=dict)
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    levels: Mapping[str, Level] | None = None
    dialect: str | None = None
    versions: tuple[str, ...] | None = None
    exclude: tuple[str, ...] | None = None
    per_file_ignores: Mapping[str, tuple[str, ...]] | None = None
    fail_on: Level | None = None

    @property
    def table(self) -> str:
        return "the top level" if self.standalone else "[tool.alembic-analyzer]"

    def where(self, key: str) -> str:
        """`pyproject.toml:12` (or just the file when the line is unknown)."""
        line = self.lines.get(key)
        return f"{self.shown}:{line}" if line else self.shown


def find_config_file(cwd: Path) -> Path | None:
    """The nearest `alembic-analyzer.toml`, or `pyproject.toml` holding
    `[tool.alembic-analyzer]`, in `cwd` or a directory above it."""
    start = cwd.resolve()
    for directory in (start, *start.parents):
        standalone = directory / STANDALONE
        if standalone.is_file():
            return standalone
        pyproject = directory / PYPROJECT
        if pyproject.is_file() and _has_table(pyproject):
            return pyproject
    return None


def _has_table(path: Path) -> bool:
    """Whether the file sets `tool.alembic-analyzer` (invalid TOML that mentions it counts:
    reading it then reports the error)."""
    try:
        data = path.read_bytes()
    except OSError:
        return False
    try:
        tool = tomllib.loads(data.decode("utf-8")).get("tool")
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return b"alembic-analyzer" in data
    return isinstance(tool, dict) and "alembic-analyzer" in tool


def _shown(path: Path, cwd: Path) -> str:
    try:
        relative = os.path.relpath(path, cwd)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative


def read_config_file(path: Path, cwd: Path, rule_ids: frozenset[str]) -> FileSettings:
    """Read and validate `path` (a pyproject.toml or a standalone file)."""
    shown = _shown(path, cwd)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read config file '{shown}': {error.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{shown}: the file is not valid UTF-8") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{shown}: invalid TOML: {error}") from None
    standalone = path.name != PYPROJECT
    if standalone:
        table: object = document
    else:
        tool = document.get("tool")
        table = tool.get("alembic-analyzer") if isinstance(tool, dict) else None
        if table is None:
            raise ConfigError(f"{shown} has no [tool.alembic-analyzer] table")
        if not isinstance(table, dict):
            raise ConfigError(f"{shown}: 'tool.alembic-analyzer' must be a table")
    assert isinstance(table, dict)
    lines = _key_lines(text, () if standalone else TABLE)
    return _Validator(path, shown, standalone, text, lines, rule_ids).settings(table)


# --- validation ---------------------------------------------------------------------------

T = TypeVar("T")


class _Validator:
    def __init__(
        self,
        path: Path,
        shown: str,
        standalone: bool,
        text: str,
        lines: dict[str, int],
        rule_ids: frozenset[str],
    ) -> None:
        self.base = FileSettings(path, shown, standalone, lines)
        self.text = text
        self.rule_ids = rule_ids

    def error(self, key: str, message: str, value: str | None = None) -> ConfigError:
        where = self.base.where(key)
        if value is not None:
            line = _value_line(self.text, self.base.lines.get(key), value)
            where = f"{self.base.shown}:{line}" if line else where
        return ConfigError(f"{where}: {message}")

    def settings(self, table: dict[str, object]) -> FileSettings:
        for key in table:
            if key not in KEYS:
                raise self.error(
                    key, f"unknown key {key!r} in {self.base.table}{did_you_mean(key, KEYS)}"
                )
        get = table.get
        return FileSettings(
            path=self.base.path,
            shown=self.base.shown,
            standalone=self.base.standalone,
            lines=self.base.lines,
            select=self._optional(get("select"), "select", self._rules),
            extend_select=self._optional(get("extend-select"), "extend-select", self._rules),
            ignore=self._optional(get("ignore"), "ignore", self._rules),
            levels=self._optional(get("levels"), "levels", self._levels),
            dialect=self._optional(get("dialect"), "dialect", self._dialect),
            versions=self._optional(get("versions"), "versions", self._strings),
            exclude=self._optional(get("exclude"), "exclude", self._strings),
            per_file_ignores=self._optional(
                get("per-file-ignores"), "per-file-ignores", self._per_file_ignores
            ),
            fail_on=self._optional(get("fail-on"), "fail-on", self._fail_on),
        )

    @staticmethod
    def _optional(value: object, key: str, convert: Callable[[object, str], T]) -> T | None:
        return None if value is None else convert(value, key)

    def _strings(self, value: object, key: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.error(key, f"{key!r} must be a list of strings, e.g. {_EXAMPLES[key]}")
        return tuple(value)

    def _rule_id(self, rule_id: str, key: str, *, allow_all: bool) -> str:
        if rule_id == "ALL" and allow_all:
            return rule_id
        if rule_id not in self.rule_ids:
            raise self.error(
                key,
                f"unknown rule {rule_id!r} in {key!r}{did_you_mean(rule_id, self.rule_ids)}",
                rule_id,
            )
        return rule_id

    def _rules(self, value: object, key: str) -> tuple[str, ...]:
        allow_all = key != "ignore"
        return tuple(
            self._rule_id(rule_id, key, allow_all=allow_all)
            for rule_id in self._strings(value, key)
        )

    def _table(self, value: object, key: str) -> dict[str, object]:
        if not isinstance(value, dict):
            raise self.error(key, f"{key!r} must be a table, e.g. {_EXAMPLES[key]}")
        return value

    def _levels(self, value: object, key: str) -> dict[str, Level]:
        levels: dict[str, Level] = {}
        for rule_id, level in self._table(value, key).items():
            self._rule_id(rule_id, key, allow_all=False)
            if level not in LEVEL_VALUES:
                hint = " (to turn a rule off, add it to 'ignore')" if level == "off" else ""
                raise self.error(
                    key,
                    f"level {level!r} of {rule_id!r} in 'levels' is not one of "
                    f"{_choices(LEVEL_VALUES)}{hint}",
                    rule_id,
                )
            assert isinstance(level, str)
            levels[rule_id] = Level(level)
        return levels

    def _dialect(self, value: object, key: str) -> str:
        if value not in DIALECTS:
            suggestion = did_you_mean(value, DIALECTS) if isinstance(value, str) else ""
            raise self.error(
                key, f"dialect {value!r} is not one of {_choices(DIALECTS)}{suggestion}"
            )
        assert isinstance(value, str)
        return value

    def _fail_on(self, value: object, key: str) -> Level:
        if value not in LEVEL_VALUES:
            raise self.error(key, f"'fail-on' must be one of {_choices(LEVEL_VALUES)}")
        assert isinstance(value, str)
        return Level(value)

    def _per_file_ignores(self, value: object, key: str) -> dict[str, tuple[str, ...]]:
        ignores: dict[str, tuple[str, ...]] = {}
        for pattern, rules in self._table(value, key).items():
            if not isinstance(rules, list) or not all(isinstance(r, str) for r in rules):
                raise self.error(
                    key,
                    f"'per-file-ignores' maps a glob to a list of rule ids; "
                    f"{pattern!r} maps to {rules!r}",
                    pattern,
                )
            ignores[pattern] = tuple(self._rule_id(r, key, allow_all=True) for r in rules)
        return ignores


_EXAMPLES = {
    "versions": 'versions = ["migrations/versions"]',
    "exclude": 'exclude = ["migrations/versions/legacy"]',
    "select": 'select = ["multiple-heads"]',
    "extend-select": 'extend-select = ["unused-suppression"]',
    "ignore": 'ignore = ["dynamic-revision"]',
    "levels": 'levels = {"dynamic-revision" = "error"}',
    "per-file-ignores": 'per-file-ignores = {"migrations/versions/legacy/*" = ["ALL"]}',
}


def _choices(values: Sequence[str]) -> str:
    quoted = [repr(v) for v in values]
    return ", ".join(quoted[:-1]) + f" or {quoted[-1]}"


# --- positions of keys (tomllib has none) ------------------------------------------------

_HEADER = re.compile(r"^\s*\[(?!\[)(.*)\]\s*(?:#.*)?$")
_ARRAY_HEADER = re.compile(r"^\s*\[\[")
_KEY = re.compile(r"""^\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*[.=]""")
_PART = re.compile(r"""\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*(?:\.|$)""")


def _dotted(header: str) -> tuple[str, ...]:
    return tuple(a or b or c for a, b, c in _PART.findall(header))


def _key_lines(text: str, table: tuple[str, ...]) -> dict[str, int]:
    """The first line of each key of `table`: its `key =` line, or the header of its
    sub-table (`[tool.alembic-analyzer.levels]`)."""
    lines: dict[str, int] = {}
    current: tuple[str, ...] | None = ()
    depth = len(table)
    for number, line in enumerate(text.splitlines(), start=1):
        if _ARRAY_HEADER.match(line):
            current = None
            continue
        header = _HEADER.match(line)
        if header:
            current = _dotted(header.group(1))
            if len(current) > depth and current[:depth] == table:
                lines.setdefault(current[depth], number)
            continue
        if current == table:
            key = _KEY.match(line)
            if key:
                lines.setdefault(key.group(1) or key.group(2) or key.group(3), number)
    return lines


def _value_line(text: str, start: int | None, value: str) -> int | None:
    """The line, at or after `start`, where the quoted string `value` appears."""
    if start is None:
        return None
    candidates = (f'"{value}"', f"'{value}'")
    for number, line in enumerate(text.splitlines()[start - 1 :], start=start):
        if any(candidate in line for candidate in candidates):
            return number
    return None
