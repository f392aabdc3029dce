"""What the parser extracts from one revision file: small frozen records with plain spans.

Nothing downstream of `analyzer.parsing` sees a syntax tree. Facts are data: they are
printed by `debug facts`, encoded to JSON for the cache and for worker processes, and
are the only input of file rules, the graph and the schema replay.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Literal, cast

from analyzer.positions import FILE_START, Span
from analyzer.values import Arguments, DecodeError, JSONValue, Value, decode, decode_span, encode

REVISION_VARIABLES = ("revision", "down_revision", "branch_labels", "depends_on")

_LEGACY_REVISION_FILE = re.compile(r"([a-f0-9]+)\.py$")
"""alembic's `_legacy_rev`: the id of a file with no `revision` variable (matched from the
start of the file name)."""

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
class Op(Arguments):
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
        """The literal revision id, or None when missing or not a string.

        With no `revision` variable, alembic falls back to the file name for a file named
        `<lowercase hex>.py` (`Script._from_path`, kept for alembic 0.1 scripts)."""
        assignment = self.revision
        if assignment is None:
            return self.legacy_revision_id()
        if isinstance(assignment.value, str):
            return assignment.value
        return None

    def legacy_revision_id(self) -> str | None:
        """The id alembic takes from the file name when there is no `revision` variable."""
        if self.revision is not None:
            return None
        match = _LEGACY_REVISION_FILE.match(PurePath(self.path).name)
        return match.group(1) if match else None


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


_SHAPES = frozenset({"empty", "not-implemented", "statements"})


def _record(raw: JSONValue) -> dict[str, JSONValue]:
    if type(raw) is not dict:
        raise DecodeError("bad record")
    return raw


def _list(raw: JSONValue) -> list[JSONValue]:
    if type(raw) is not list:
        raise DecodeError("bad list")
    return raw


def _str(raw: JSONValue) -> str:
    if type(raw) is not str:
        raise DecodeError("bad string")
    return raw


def _decode_op(raw: JSONValue) -> Op:
    data = _record(raw)
    batch_raw = data.get("batch")
    batch = None
    if batch_raw is not None:
        b = _record(batch_raw)
        batch = BatchTable(
            decode(b.get("table")), decode(b.get("schema")), decode_span(b.get("span"))
        )
    kwargs: list[tuple[str, Value]] = []
    for item in _list(data.get("kwargs")):
        pair = _list(item)
        if len(pair) != 2:
            raise DecodeError("bad keyword argument")
        kwargs.append((_str(pair[0]), decode(pair[1])))
    via = data.get("via")
    return Op(
        name=_str(data.get("name")),
        args=tuple([decode(v) for v in _list(data.get("args"))]),
        kwargs=tuple(kwargs),
        span=decode_span(data.get("span")),
        batch=batch,
        via=via if type(via) is str else None,
    )


def _decode_function(raw: JSONValue) -> FunctionFacts | None:
    if raw is None:
        return None
    data = _record(raw)
    shape = data.get("shape")
    if shape not in _SHAPES:
        raise DecodeError("bad body shape")
    return FunctionFacts(
        name=_str(data.get("name")),
        span=decode_span(data.get("span")),
        shape=cast(BodyShape, shape),
        ops=tuple([_decode_op(op) for op in _list(data.get("ops"))]),
        helpers=tuple([_str(helper) for helper in _list(data.get("helpers"))]),
    )


def _decode_assignment(raw: JSONValue) -> Assignment:
    data = _record(raw)
    lines = _list(data.get("earlier_lines"))
    if any(type(line) is not int for line in lines):
        raise DecodeError("bad line numbers")
    return Assignment(decode(data.get("value")), decode_span(data.get("span")), tuple(lines))  # type: ignore[arg-type]


def _decode_suppression(raw: JSONValue) -> Suppression:
    data = _record(raw)
    line = data.get("line")
    if type(line) is not int:
        raise DecodeError("bad line")
    return Suppression(
        line=line,
        rules=tuple([_str(rule) for rule in _list(data.get("rules"))]),
        whole_file=data.get("whole_file") is True,
        span=decode_span(data.get("span")),
    )


def decode_facts(raw: JSONValue) -> MigrationFacts:
    """Inverse of `encode_facts`. Raises `DecodeError` (a ValueError) on anything it cannot
    have written: callers treat that as a cache miss."""
    data = _record(raw)
    problem_raw = data.get("problem")
    problem = None
    if problem_raw is not None:
        p = _record(problem_raw)
        problem = FileProblem(_str(p.get("message")), decode_span(p.get("span")))
    return MigrationFacts(
        path=_str(data.get("path")),
        title=_str(data.get("title")),
        variables={
            name: _decode_assignment(assignment)
            for name, assignment in _record(data.get("variables")).items()
        },
        upgrade=_decode_function(data.get("upgrade")),
        downgrade=_decode_function(data.get("downgrade")),
        problem=problem,
        suppressions=tuple([_decode_suppression(s) for s in _list(data.get("suppressions"))]),
    )
