"""Values read from migration source without evaluating it.

A literal (string, number, bool, None, tuple/list of values) is kept as the Python value
(lists become tuples). Everything else becomes an explicit marker: a `Call` of a known
dotted name, a `Ref` to a dotted name, a `Mapping` literal, or `Unknown` with its source
text. Nothing here is ever guessed or executed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from analyzer.positions import Span


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value that is not a literal: its (shortened) source text and where it is."""

    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Ref:
    """A (dotted) name: `name` is qualified through the module's imports when possible.

    `imported` is true when the first segment came from an import of another module
    (not sqlalchemy or alembic), which the resolver may read statically.
    """

    name: str
    span: Span
    imported: bool = False


@dataclass(frozen=True, slots=True)
class Mapping:
    """A dict literal."""

    items: tuple[tuple[Value, Value], ...]
    span: Span


class Arguments:
    """Argument access shared by `Call` and `analyzer.facts.Op` (both have `args`/`kwargs`)."""

    __slots__ = ()
    args: tuple[Value, ...]
    kwargs: tuple[tuple[str, Value], ...]

    def kwarg(self, name: str, default: Value = None) -> Value:
        for key, value in self.kwargs:
            if key == name:
                return value
        return default

    def has_kwarg(self, name: str) -> bool:
        return any(key == name for key, _ in self.kwargs)

    def arg(self, index: int, keyword: str | None = None, default: Value = None) -> Value:
        """The argument at `index`, or passed by `keyword`, or `default`."""
        if index < len(self.args):
            return self.args[index]
        if keyword is not None:
            return self.kwarg(keyword, default)
        return default


@dataclass(frozen=True, slots=True)
class Call(Arguments):
    """A call such as `sa.Column("id", sa.Integer())`; `func` is the qualified dotted name."""

    func: str
    args: tuple[Value, ...]
    kwargs: tuple[tuple[str, Value], ...]
    span: Span

    @property
    def short_name(self) -> str:
        """The last segment of `func`: `Column` for `sqlalchemy.Column` or `db.Column`."""
        return self.func.rpartition(".")[2]


Value: TypeAlias = (
    str | int | float | bool | None | tuple["Value", ...] | Unknown | Ref | Mapping | Call
)

STAR_ARGS = "*"
"""Key used in `Call.kwargs` for a `**mapping` argument (its value is `Unknown`)."""


def is_literal(value: Value) -> bool:
    """True for plain literals (strings, numbers, None, tuples of literals)."""
    if isinstance(value, tuple):
        return all(is_literal(item) for item in value)
    return value is None or isinstance(value, str | int | float | bool)


def span_of(value: Value) -> Span | None:
    if isinstance(value, Unknown | Ref | Mapping | Call):
        return value.span
    return None


def describe(value: Value) -> str:
    """Short source-like text for messages."""
    if isinstance(value, Unknown):
        return value.text
    if isinstance(value, Ref):
        return value.name
    if isinstance(value, Call):
        return f"{value.func}(...)"
    if isinstance(value, Mapping):
        return "{...}"
    if isinstance(value, tuple):
        return (
            "("
            + ", ".join(describe(item) for item in value)
            + ("," if len(value) == 1 else "")
            + ")"
        )
    return repr(value)


# --- data-only encoding (debug output, cache, worker processes) -----------------------

JSONValue: TypeAlias = None | bool | int | float | str | list["JSONValue"] | dict[str, "JSONValue"]


def encode(value: Value) -> JSONValue:
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, tuple):
        return {"tuple": [encode(item) for item in value]}
    if isinstance(value, Unknown):
        return {"unknown": value.text, "span": list(value.span.to_list())}
    if isinstance(value, Ref):
        return {"ref": value.name, "span": list(value.span.to_list()), "imported": value.imported}
    if isinstance(value, Mapping):
        return {
            "mapping": [[encode(k), encode(v)] for k, v in value.items],
            "span": list(value.span.to_list()),
        }
    return {
        "call": value.func,
        "args": [encode(item) for item in value.args],
        "kwargs": [[key, encode(item)] for key, item in value.kwargs],
        "span": list(value.span.to_list()),
    }


class DecodeError(ValueError):
    """Encoded data that this version did not write (a corrupt or foreign cache entry)."""


_SCALARS = frozenset({str, int, float, bool, type(None)})


def decode_span(raw: JSONValue) -> Span:
    """A `[line, col, end_line, end_col]` list of integers (not booleans) as a `Span`."""
    if type(raw) is not list or len(raw) != 4:
        raise DecodeError("bad span")
    a, b, c, d = raw
    if type(a) is not int or type(b) is not int or type(c) is not int or type(d) is not int:
        raise DecodeError("bad span")
    return Span(a, b, c, d)


def _items(data: dict[str, JSONValue], key: str) -> list[JSONValue]:
    raw = data.get(key)
    if type(raw) is not list:
        raise DecodeError(f"bad {key}")
    return raw


def _text(data: dict[str, JSONValue], key: str) -> str:
    raw = data.get(key)
    if type(raw) is not str:
        raise DecodeError(f"bad {key}")
    return raw


def _pair(item: JSONValue) -> tuple[JSONValue, JSONValue]:
    if type(item) is not list or len(item) != 2:
        raise DecodeError("bad pair")
    return item[0], item[1]


def decode(data: JSONValue) -> Value:
    """Inverse of `encode`; raises `DecodeError` on anything `encode` cannot have written.

    Runs for every value of every cached file, so it tests exact types (`type(x) is`)
    instead of `isinstance` chains."""
    if type(data) in _SCALARS:
        return data  # type: ignore[return-value]
    if type(data) is not dict:
        raise DecodeError("bad value")
    if "tuple" in data:
        return tuple([decode(item) for item in _items(data, "tuple")])
    if "call" in data:
        kwargs: list[tuple[str, Value]] = []
        for item in _items(data, "kwargs"):
            key, value = _pair(item)
            if type(key) is not str:
                raise DecodeError("bad keyword")
            kwargs.append((key, decode(value)))
        return Call(
            _text(data, "call"),
            tuple([decode(item) for item in _items(data, "args")]),
            tuple(kwargs),
            decode_span(data.get("span")),
        )
    if "ref" in data:
        return Ref(_text(data, "ref"), decode_span(data.get("span")), data.get("imported") is True)
    if "unknown" in data:
        return Unknown(_text(data, "unknown"), decode_span(data.get("span")))
    if "mapping" in data:
        return Mapping(
            tuple([(decode(k), decode(v)) for k, v in map(_pair, _items(data, "mapping"))]),
            decode_span(data.get("span")),
        )
    raise DecodeError("unknown value kind")
