"""What the parser extracts from one revision file: small frozen records with plain spans.

Nothing downstream of `analyzer.parsing` sees a syntax tree. Facts are data: they are
printed by `debug facts`, encoded to JSON for the cache and for worker processes, and
are the only input of file rules, the graph and the schema replay.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, cast

from analyzer.positions import FILE_START, Span
from analyzer.values import JSONValue, Value, decode, encode

REVISION_VARIABLES = ("revision", "down_revision", "branch_labels", "depends_on")

BodyShape = Literal["empty", "not-implemented", "statements"]
"""`empty`: only a docstring, `pass`, `...`, `return`; `not-implemented`: that plus
`raise NotImplementedError`; `statements`: anything else."""


@dataclass(frozen=True, slots=True)
class Assignment:
    """A module-level `name = value` (plain or annotated); the last one when repeated."""

    value: Value
    span: Span
    earlier_lines: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class BatchTable:
    """The table of a `with op.batch_alter_table(table, schema=...) as batch_op:` block."""

    table: Value
    schema: Value
    span: Span


@dataclass(frozen=True, slots=True)
class Op:
    """One `op.<name>(...)` call (or `batch_op.<name>(...)` inside a batch block).

    `args`/`kwargs` are the call's arguments; `span` is the whole call.
    `via` says how the op was reached when it is not written directly in the function:
    the name of a followed module-level helper function.
    """

    name: str
    args: tuple[Value, ...]
    kwargs: tuple[tuple[str, Value], ...]
    span: Span
    batch: BatchTable | None = None
    via: str | None = None

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
class FunctionFacts:
    """`upgrade()` or `downgrade()`: where it is defined, what its body is, its ops."""

    name: str
    span: Span
    shape: BodyShape
    ops: tuple[Op, ...] = ()
    helpers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FileProblem:
    """Why a file could not be analyzed (unreadable, not UTF-8, syntax error, ...)."""

    message: str
    span: Span = FILE_START


@dataclass(frozen=True, slots=True)
class Suppression:
    """An `# alembic-analyzer: ignore[...]` (or `ignore-file[...]`) comment."""

    line: int
    rules: tuple[str, ...]
    whole_file: bool
    span: Span


@dataclass(frozen=True, slots=True)
class MigrationFacts:
    path: str
    variables: dict[str, Assignment] = field(default_factory=dict)
    title: str = ""
    """First line of the module docstring (alembic's revision message)."""
    upgrade: FunctionFacts | None = None
    downgrade: FunctionFacts | None = None
    problem: FileProblem | None = None
    suppressions: tuple[Suppression, ...] = ()

    @property
    def revision(self) -> Assignment | None:
        return self.variables.get("revision")

    @property
    def down_revision(self) -> Assignment | None:
        return self.variables.get("down_revision")

    @property
    def branch_labels(self) -> Assignment | None:
        return self.variables.get("branch_labels")

    @property
    def depends_on(self) -> Assignment | None:
        return self.variables.get("depends_on")

    def revision_id(self) -> str | None:
        """The literal revision id, or None when missing or not a string."""
        assignment = self.revision
        if assignment is not None and isinstance(assignment.value, str):
            return assignment.value
        return None


# --- data-only encoding ---------------------------------------------------------------


def _encode_op(op: Op) -> JSONValue:
    data: dict[str, JSONValue] = {
        "name": op.name,
        "args": [encode(v) for v in op.args],
        "kwargs": [[k, encode(v)] for k, v in op.kwargs],
        "span": list(op.span.to_list()),
    }
    if op.batch is not None:
        data["batch"] = {
            "table": encode(op.batch.table),
            "schema": encode(op.batch.schema),
            "span": list(op.batch.span.to_list()),
        }
    if op.via is not None:
        data["via"] = op.via
    return data


def _encode_function(function: FunctionFacts | None) -> JSONValue:
    if function is None:
        return None
    return {
        "name": function.name,
        "span": list(function.span.to_list()),
        "shape": function.shape,
        "ops": [_encode_op(op) for op in function.ops],
        "helpers": list(function.helpers),
    }


def encode_facts(facts: MigrationFacts) -> dict[str, JSONValue]:
    """Facts as JSON-compatible data (`debug facts`, cache entries, worker results)."""
    return {
        "path": facts.path,
        "title": facts.title,
        "variables": {
            name: {
                "value": encode(a.value),
                "span": list(a.span.to_list()),
                "earlier_lines": list(a.earlier_lines),
            }
            for name, a in facts.variables.items()
        },
        "upgrade": _encode_function(facts.upgrade),
        "downgrade": _encode_function(facts.downgrade),
        "problem": None
        if facts.problem is None
        else {"message": facts.problem.message, "span": list(facts.problem.span.to_list())},
        "suppressions": [
            {
                "line": s.line,
                "rules": list(s.rules),
                "whole_file": s.whole_file,
                "span": list(s.span.to_list()),
            }
            for s in facts.suppressions
        ],
    }


def _span(raw: JSONValue) -> Span:
    return Span.from_list(cast(list[int], raw))


def _decode_op(raw: JSONValue) -> Op:
    data = cast(dict[str, JSONValue], raw)
    batch_raw = data.get("batch")
    batch = None
    if batch_raw is not None:
        b = cast(dict[str, JSONValue], batch_raw)
        batch = BatchTable(decode(b["table"]), decode(b["schema"]), _span(b["span"]))
    kwargs = cast(list[list[JSONValue]], data["kwargs"])
    via = data.get("via")
    return Op(
        name=cast(str, data["name"]),
        args=tuple(decode(v) for v in cast(list[JSONValue], data["args"])),
        kwargs=tuple((cast(str, k), decode(v)) for k, v in kwargs),
        span=_span(data["span"]),
        batch=batch,
        via=via if isinstance(via, str) else None,
    )


def _decode_function(raw: JSONValue) -> FunctionFacts | None:
    if raw is None:
        return None
    data = cast(dict[str, JSONValue], raw)
    shape = data["shape"]
    if shape not in ("empty", "not-implemented", "statements"):
        raise ValueError("bad body shape")
    return FunctionFacts(
        name=cast(str, data["name"]),
        span=_span(data["span"]),
        shape=cast(BodyShape, shape),
        ops=tuple(_decode_op(op) for op in cast(list[JSONValue], data["ops"])),
        helpers=tuple(cast(list[str], data["helpers"])),
    )


def decode_facts(raw: JSONValue) -> MigrationFacts:
    """Inverse of `encode_facts`. Raises (ValueError, KeyError, TypeError) on foreign data;
    callers treat that as a cache miss."""
    data = cast(dict[str, JSONValue], raw)
    variables = {
        name: Assignment(
            decode(cast(dict[str, JSONValue], a)["value"]),
            _span(cast(dict[str, JSONValue], a)["span"]),
            tuple(cast(list[int], cast(dict[str, JSONValue], a)["earlier_lines"])),
        )
        for name, a in cast(dict[str, JSONValue], data["variables"]).items()
    }
    problem_raw = data.get("problem")
    problem = None
    if problem_raw is not None:
        p = cast(dict[str, JSONValue], problem_raw)
        problem = FileProblem(cast(str, p["message"]), _span(p["span"]))
    return MigrationFacts(
        path=cast(str, data["path"]),
        title=cast(str, data["title"]),
        variables=variables,
        upgrade=_decode_function(data["upgrade"]),
        downgrade=_decode_function(data["downgrade"]),
        problem=problem,
        suppressions=tuple(
            Suppression(
                line=cast(int, s["line"]),
                rules=tuple(cast(list[str], s["rules"])),
                whole_file=s["whole_file"] is True,
                span=_span(s["span"]),
            )
            for s in cast(list[dict[str, JSONValue]], data["suppressions"])
        ),
    )
