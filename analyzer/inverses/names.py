"""Names read from op arguments, and what SQL or a custom op may touch.

A name is a literal string, None (no schema; an index or constraint without a name) or
`ANY` (not a literal: it may be any name)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from analyzer.ops import BoundOp
from analyzer.values import Call, Mapping, Value


class Wildcard:
    """A name that is not a literal: it may be any name."""

    def __repr__(self) -> str:
        return "ANY"


ANY: Final = Wildcard()
Name = str | None | Wildcard
"""A literal name, None (no schema, or an unnamed index/constraint) or `ANY`."""

_DATA_STATEMENTS: Final = frozenset(
    {
        "insert",
        "update",
        "delete",
        "select",
        "truncate",
        "merge",
        "copy",
        "comment",
        "grant",
        "revoke",
        "analyze",
        "vacuum",
        "set",
        "reset",
        "notify",
        "lock",
        "refresh",
    }
)
"""First words of SQL statements that change data or privileges, never tables,
columns, indexes or constraints."""

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)


def name_of(value: Value) -> Name:
    if value is None or isinstance(value, str):
        return value
    return ANY


def schema_of(value: Value, dialect: str) -> Name:
    name = name_of(value)
    if dialect == "postgresql" and name == "public":
        return None
    return name


def same(a: Name, b: Name) -> bool:
    return a is ANY or b is ANY or a == b


def columns_of(value: Value) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, tuple) and all(isinstance(item, str) for item in value):
        return tuple(item for item in value if isinstance(item, str))
    return None


def column_name(value: Value) -> Name:
    """The name of `sa.Column("name", ...)`, or ANY."""
    if isinstance(value, Call) and value.short_name == "Column":
        name = value.arg(0, "name")
        if isinstance(name, str):
            return name
    return ANY


def _literal_strings(value: Value) -> Iterator[str | Wildcard]:
    """Every string inside a value; ANY for any part that is not a literal."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from _literal_strings(item)
    elif isinstance(value, Call):
        for item in value.args:
            yield from _literal_strings(item)
        for _, item in value.kwargs:
            yield from _literal_strings(item)
    elif isinstance(value, Mapping):
        for key, item in value.items:
            yield from _literal_strings(key)
            yield from _literal_strings(item)
    elif value is not None and not isinstance(value, int | float):
        yield ANY


def _sql_words(sql: str) -> frozenset[str]:
    """Lower-cased words of every statement that is not a plain data statement."""
    words: set[str] = set()
    for statement in _COMMENT.sub(" ", sql).split(";"):
        found = [word.lower() for word in _WORD.findall(statement)]
        if found and found[0] not in _DATA_STATEMENTS:
            words.update(found)
    return frozenset(words)


Mentions = frozenset[str] | Wildcard
"""The lower-cased words an op mentions, or ANY."""


def mentioned(bound: BoundOp) -> Mentions | None:
    """What an `execute` or an op alembic does not define may touch: the words it
    mentions, ANY when it is not a literal, None when it cannot change the schema."""
    if bound.known and bound.name != "execute":
        return None
    if bound.name == "execute":
        sql = bound.get("sqltext")
        if isinstance(sql, Call) and sql.short_name == "text":
            sql = sql.arg(0, "text")
        return _sql_words(sql) if isinstance(sql, str) else ANY
    words: set[str] = set()
    values = [*bound.op.args, *(value for _, value in bound.op.kwargs)]
    for value in values:
        for text in _literal_strings(value):
            if isinstance(text, Wildcard):
                return ANY
            words.update(word.lower() for word in _WORD.findall(text))
    return frozenset(words)
