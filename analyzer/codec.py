"""Our own frozen records as plain JSON data and back, checked against their type hints.

The cache keeps two kinds of records besides `MigrationFacts` (which have their own
encoding, the `debug facts` format): the findings of a project, and what the SQL of a
file's `op.execute` calls does to the schema. A record is `{"ClassName": [field, ...]}`
with its fields in declaration order; tuples, lists and frozensets are lists, enums are
their values, spans are `[line, col, end_line, end_col]`.

Decoding is driven by the type hints and checks every value: a class that the hints do
not name, a missing field or a value of the wrong type raises `CodecError`, so a corrupt
or foreign cache entry is a miss, never a crash later on. Nothing is looked up by a name
found in the data except among the classes the hints name; nothing is evaluated.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from analyzer.positions import Span
from analyzer.values import DecodeError, JSONValue, decode_span

Encoder = Callable[[Any, Any], JSONValue]
"""(value, context) -> data."""
Decoder = Callable[[JSONValue, Any], Any]
"""(data, context) -> value."""


class CodecError(DecodeError):
    """Data that the hints do not describe (decoding), or a value they do not (encoding)."""


@dataclasses.dataclass(frozen=True)
class _Form:
    """How one type hint is written: a JSON kind (for telling union arms apart), the
    dataclasses it may hold (by class name), a test for values, and the two directions."""

    kind: str
    accepts: Callable[[Any], bool]
    encode: Encoder
    decode: Decoder
    records: Mapping[str, type] = dataclasses.field(default_factory=dict)


class Codec:
    """Encoder and decoder for values of one type hint (a dataclass, a union of them,
    `tuple[X, ...]`, ...). `special` maps a class to its own (encode, decode) pair, which
    receive the context passed to `encode`/`decode` (see `analyzer.cache` for Origin)."""

    def __init__(
        self, hint: object, special: Mapping[type, tuple[Encoder, Decoder]] | None = None
    ) -> None:
        self._special = {Span: (_encode_span, _decode_span), **(special or {})}
        self._forms: dict[object, _Form] = {}
        self._building: set[object] = set()
        self._root = self._form(hint)

    def encode(self, value: object, context: object = None) -> JSONValue:
        return self._root.encode(value, context)

    def decode(self, data: JSONValue, context: object = None) -> Any:
        return self._root.decode(data, context)

    # --- building ---------------------------------------------------------------------

    def _form(self, hint: object) -> _Form:
        form = self._forms.get(hint)
        if form is None:
            if hint in self._building:
                raise TypeError(f"recursive type {hint!r} is not supported")
            self._building.add(hint)
            form = self._forms[hint] = self._build(hint)
            self._building.discard(hint)
        return form

    def _build(self, hint: object) -> _Form:
        if isinstance(hint, type) and hint in self._special:
            encode, decode = self._special[hint]
            cls = hint
            return _Form("special", lambda v: isinstance(v, cls), encode, decode)
        if hint in _SCALARS:
            return _SCALARS[hint]
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin is typing.Union or origin is types.UnionType:
            return self._union(args)
        if origin is typing.Literal:
            return _literal(args)
        if origin is tuple:
            if len(args) == 2 and args[1] is Ellipsis:
                return _sequence(self._form(args[0]), tuple, "list")
            return _fixed_tuple([self._form(arg) for arg in args])
        if origin is list:
            return _sequence(self._form(args[0]), list, "list")
        if origin is frozenset:
            return _sequence(self._form(args[0]), frozenset, "list", sort=True)
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            return _enum(hint)
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            return self._record(hint)
        raise TypeError(f"cannot encode values of type {hint!r}")

    def _record(self, cls: type) -> _Form:
        hints = typing.get_type_hints(cls)
        fields = dataclasses.fields(cls)
        if any(not field.init for field in fields):
            raise TypeError(f"{cls.__name__} has fields outside __init__")
        names = [field.name for field in fields]
        forms = [self._form(hints[name]) for name in names]
        encoders = [(name, form.encode) for name, form in zip(names, forms, strict=True)]
        decoders = [form.decode for form in forms]
        tag = cls.__name__

        def encode(value: Any, context: Any) -> JSONValue:
            if type(value) is not cls:
                raise CodecError(f"expected {tag}, got {type(value).__name__}")
            return {
                tag: [
                    encode_field(getattr(value, name), context) for name, encode_field in encoders
                ]
            }

        def decode(data: JSONValue, context: Any) -> Any:
            if type(data) is not dict or len(data) != 1 or tag not in data:
                raise CodecError(f"expected a {tag} record")
            values = data[tag]
            if type(values) is not list or len(values) != len(decoders):
                raise CodecError(f"bad {tag} record")
            return cls(*[d(v, context) for d, v in zip(decoders, values, strict=True)])

        return _Form("record", lambda v: type(v) is cls, encode, decode, {tag: cls})

    def _union(self, args: tuple[object, ...]) -> _Form:
        arms = [self._form(arg) for arg in args]
        by_kind: dict[str, _Form] = {}
        records: dict[str, type] = {}
        record_decoders: dict[str, Decoder] = {}
        for arm in arms:
            if arm.kind == "record":
                for tag, cls in arm.records.items():
                    if tag in records:
                        raise TypeError(f"two classes named {tag} in one union")
                    records[tag] = cls
                    record_decoders[tag] = arm.decode
                continue
            if arm.kind in by_kind:
                raise TypeError(f"ambiguous union {args!r}")
            by_kind[arm.kind] = arm
        if "special" in by_kind and (records or set(by_kind) != {"special", "null"}):
            raise TypeError(f"a special class can only be optional, not in {args!r}")

        def encode(value: Any, context: Any) -> JSONValue:
            for arm in arms:
                if arm.accepts(value):
                    return arm.encode(value, context)
            raise CodecError(f"{type(value).__name__} is not one of {args!r}")

        def decode(data: JSONValue, context: Any) -> Any:
            if type(data) is dict and len(data) == 1:
                decode_record = record_decoders.get(next(iter(data)))
                if decode_record is not None:
                    return decode_record(data, context)
            arm = by_kind.get(_KINDS.get(type(data), ""))
            if arm is None:  # an optional special class: what is not null is its
                arm = by_kind.get("special")
            if arm is None and type(data) is int:
                arm = by_kind.get("float")  # JSON does not tell 1.0 from 1
            if arm is None:
                raise CodecError(f"unexpected {type(data).__name__} for {args!r}")
            return arm.decode(data, context)

        return _Form(
            "union", lambda v: any(arm.accepts(v) for arm in arms), encode, decode, records
        )


_KINDS: dict[type, str] = {
    str: "str",
    int: "int",
    bool: "bool",
    float: "float",
    type(None): "null",
    list: "list",
    dict: "dict",
}


def _scalar(cls: type, kind: str) -> _Form:
    def check(value: Any, context: Any) -> Any:
        if type(value) is not cls:
            raise CodecError(f"expected {cls.__name__}, got {type(value).__name__}")
        return value

    return _Form(kind, lambda v: type(v) is cls, check, check)


def _float() -> _Form:
    def encode(value: Any, context: Any) -> JSONValue:
        if type(value) is not float:
            raise CodecError(f"expected float, got {type(value).__name__}")
        return value

    def decode(data: JSONValue, context: Any) -> Any:
        if type(data) is not float and type(data) is not int:
            raise CodecError(f"expected a number, got {type(data).__name__}")
        return float(data)

    return _Form("float", lambda v: type(v) is float, encode, decode)


_SCALARS: dict[object, _Form] = {
    str: _scalar(str, "str"),
    int: _scalar(int, "int"),
    bool: _scalar(bool, "bool"),
    float: _float(),
    type(None): _scalar(type(None), "null"),
    None: _scalar(type(None), "null"),
}


def _literal(values: tuple[object, ...]) -> _Form:
    allowed = frozenset(values)
    kinds = {_KINDS.get(type(value), "") for value in values}
    if len(kinds) != 1 or "" in kinds:
        raise TypeError(f"Literal{list(values)!r} mixes kinds")

    def check(value: Any, context: Any) -> Any:
        if type(value) not in _KINDS or value not in allowed:
            raise CodecError(f"{value!r} is not one of {sorted(map(repr, allowed))}")
        return value

    return _Form(kinds.pop(), lambda v: type(v) in _KINDS and v in allowed, check, check)


def _sequence(item: _Form, build: type, kind: str, sort: bool = False) -> _Form:
    encode_item, decode_item = item.encode, item.decode

    def encode(value: Any, context: Any) -> JSONValue:
        if not isinstance(value, build):
            raise CodecError(f"expected {build.__name__}, got {type(value).__name__}")
        items = [encode_item(v, context) for v in typing.cast("Iterable[Any]", value)]
        return sorted(items, key=repr) if sort else items

    def decode(data: JSONValue, context: Any) -> Any:
        if type(data) is not list:
            raise CodecError(f"expected a list for a {build.__name__}")
        return build([decode_item(v, context) for v in data])

    return _Form(kind, lambda v: isinstance(v, build), encode, decode)


def _fixed_tuple(items: list[_Form]) -> _Form:
    def encode(value: Any, context: Any) -> JSONValue:
        if type(value) is not tuple or len(value) != len(items):
            raise CodecError(f"expected a tuple of {len(items)}")
        return [form.encode(v, context) for form, v in zip(items, value, strict=True)]

    def decode(data: JSONValue, context: Any) -> Any:
        if type(data) is not list or len(data) != len(items):
            raise CodecError(f"expected a list of {len(items)}")
        return tuple([form.decode(v, context) for form, v in zip(items, data, strict=True)])

    return _Form("list", lambda v: type(v) is tuple and len(v) == len(items), encode, decode)


def _enum(cls: type[enum.Enum]) -> _Form:
    kinds = {_KINDS.get(type(member.value), "") for member in cls}
    if len(kinds) != 1 or "" in kinds:
        raise TypeError(f"enum {cls.__name__} has values of several kinds")

    def encode(value: Any, context: Any) -> JSONValue:
        if type(value) is not cls:
            raise CodecError(f"expected {cls.__name__}, got {type(value).__name__}")
        return value.value  # type: ignore[no-any-return]

    def decode(data: JSONValue, context: Any) -> Any:
        try:
            return cls(data)
        except ValueError:
            raise CodecError(f"{data!r} is not a {cls.__name__}") from None

    return _Form(kinds.pop(), lambda v: type(v) is cls, encode, decode)


def _encode_span(value: Any, context: Any) -> JSONValue:
    if type(value) is not Span:
        raise CodecError(f"expected Span, got {type(value).__name__}")
    return value.to_list()  # type: ignore[return-value]


def _decode_span(data: JSONValue, context: Any) -> Any:
    try:
        return decode_span(data)
    except DecodeError as error:
        raise CodecError(str(error)) from None
