"""Literal reading of expressions: a libcst expression (with its `ast` twin for positions
and already-evaluated constants) becomes a `Value`. Never executes anything.

Names are resolved through an `Environment`: loop variables of unrolled `for` loops,
function locals assigned once, module-level constants, then imports (as `Ref`).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator

import libcst as cst

from analyzer.facts import BatchTable
from analyzer.parsing.names import Aliases, dotted_name
from analyzer.positions import LineIndex, Span
from analyzer.values import STAR_ARGS, Call, Mapping, Ref, Unknown, Value

MAX_TEXT = 80

UNBOUND = Unknown("", Span(1, 1, 1, 1))
"""Marker for a name that is assigned in the function but has no single known value."""


class Environment:
    """Name -> value bindings, innermost first, falling back to module scope and imports.

    `batches` holds the names bound by `with op.batch_alter_table(...) as name:`.
    """

    __slots__ = ("_lookup_module", "aliases", "batches", "bindings", "parent")

    def __init__(
        self,
        aliases: Aliases,
        lookup_module: Callable[[str], Value | None],
        parent: Environment | None = None,
    ) -> None:
        self.aliases = aliases
        self.bindings: dict[str, Value] = {}
        self.batches: dict[str, BatchTable] = {}
        self.parent = parent
        self._lookup_module = lookup_module

    def batch(self, name: str) -> BatchTable | None:
        scope: Environment | None = self
        while scope is not None:
            if name in scope.batches:
                return scope.batches[name]
            if name in scope.bindings:
                return None
            scope = scope.parent
        return None

    def child(self) -> Environment:
        return Environment(self.aliases, self._lookup_module, self)

    def lookup(self, name: str) -> Value | None:
        """The bound value, `UNBOUND` for a local without a known value, None if unknown here."""
        scope: Environment | None = self
        while scope is not None:
            if name in scope.bindings:
                return scope.bindings[name]
            scope = scope.parent
        return self._lookup_module(name)


class Reader:
    """Converts expressions of one file. Holds the line index for spans and source text."""

    __slots__ = ("index",)

    def __init__(self, index: LineIndex) -> None:
        self.index = index

    def span(self, node: ast.AST) -> Span:
        return self.index.span(node)

    def text(self, node: ast.AST) -> str:
        span = self.span(node)
        line = self.index.line_text(span.start_line)
        if span.end_line == span.start_line:
            snippet = line[span.start_col - 1 : span.end_col - 1]
        else:
            snippet = line[span.start_col - 1 :].rstrip() + " ..."
        return snippet if len(snippet) <= MAX_TEXT else snippet[: MAX_TEXT - 3] + "..."

    def unknown(self, node: ast.AST) -> Unknown:
        return Unknown(self.text(node), self.span(node))

    def value(self, node: cst.BaseExpression, twin: ast.AST, env: Environment) -> Value:
        """The value of `node`; `twin` is the same expression in the `ast` tree."""
        if isinstance(twin, ast.Constant):
            constant = twin.value
            if constant is None or isinstance(constant, str | bool | int | float):
                return constant
            return self.unknown(twin)
        if isinstance(node, cst.Name) and isinstance(twin, ast.Name):
            return self._name(node.value, twin, env)
        if isinstance(node, cst.Attribute) and isinstance(twin, ast.Attribute):
            dotted = dotted_name(node)
            if dotted is None:
                return self.unknown(twin)
            qualified, imported = env.aliases.qualify(dotted)
            return Ref(qualified, self.span(twin), imported)
        if isinstance(node, cst.Tuple | cst.List) and isinstance(twin, ast.Tuple | ast.List):
            return self._elements(node, twin, env)
        if isinstance(node, cst.Call) and isinstance(twin, ast.Call):
            return self.call(node, twin, env)
        if isinstance(node, cst.Dict) and isinstance(twin, ast.Dict):
            return self._mapping(node, twin, env)
        if (
            isinstance(node, cst.UnaryOperation)
            and isinstance(twin, ast.UnaryOp)
            and isinstance(twin.op, ast.USub | ast.UAdd)
        ):
            inner = self.value(node.expression, twin.operand, env)
            if isinstance(inner, int | float) and not isinstance(inner, bool):
                return -inner if isinstance(twin.op, ast.USub) else inner
            return self.unknown(twin)
        if isinstance(node, cst.FormattedString) and isinstance(twin, ast.JoinedStr):
            return self._fstring(twin, env)
        return self.unknown(twin)

    def _name(self, name: str, twin: ast.Name, env: Environment) -> Value:
        bound = env.lookup(name)
        if bound is UNBOUND:
            return self.unknown(twin)
        if bound is not None:
            return bound
        qualified, imported = env.aliases.qualify(name)
        return Ref(qualified, self.span(twin), imported)

    def _elements(
        self, node: cst.Tuple | cst.List, container: ast.Tuple | ast.List, env: Environment
    ) -> Value:
        if len(node.elements) != len(container.elts):
            return self.unknown(container)
        items: list[Value] = []
        for element, twin in zip(node.elements, container.elts, strict=True):
            if isinstance(element, cst.Element) and not isinstance(twin, ast.Starred):
                items.append(self.value(element.value, twin, env))
            else:
                items.append(self.unknown(twin))
        return tuple(items)

    def _mapping(self, node: cst.Dict, twin: ast.Dict, env: Environment) -> Value:
        if len(node.elements) != len(twin.keys):
            return self.unknown(twin)
        items: list[tuple[Value, Value]] = []
        for element, key, value in zip(node.elements, twin.keys, twin.values, strict=True):
            if isinstance(element, cst.DictElement) and key is not None:
                items.append(
                    (self.value(element.key, key, env), self.value(element.value, value, env))
                )
            else:
                items.append((STAR_ARGS, self.unknown(value)))
        return Mapping(tuple(items), self.span(twin))

    def _fstring(self, twin: ast.JoinedStr, env: Environment) -> Value:
        """An f-string whose placeholders are all known plain values becomes a string."""
        parts: list[str] = []
        for part in twin.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                parts.append(part.value)
                continue
            if (
                isinstance(part, ast.FormattedValue)
                and part.conversion == -1
                and part.format_spec is None
                and isinstance(part.value, ast.Name)
            ):
                bound = env.lookup(part.value.id)
                if isinstance(bound, str | int) and not isinstance(bound, bool):
                    parts.append(str(bound))
                    continue
            return self.unknown(twin)
        return "".join(parts)

    def call(self, node: cst.Call, twin: ast.Call, env: Environment) -> Value:
        dotted = dotted_name(node.func)
        if dotted is None:
            return self.unknown(twin)
        qualified, _ = env.aliases.qualify(dotted)
        args, kwargs = self.arguments(node, twin, env)
        head, _, attribute = dotted.rpartition(".")
        is_f = qualified == "alembic.op.f" or (attribute == "f" and env.batch(head) is not None)
        if is_f and len(args) == 1 and isinstance(args[0], str):
            return args[0]  # op.f("name"): the name, exempt from naming conventions
        return Call(qualified, args, kwargs, self.span(twin))

    def arguments(
        self, node: cst.Call, twin: ast.Call, env: Environment
    ) -> tuple[tuple[Value, ...], tuple[tuple[str, Value], ...]]:
        args: list[Value] = []
        kwargs: list[tuple[str, Value]] = []
        for arg, arg_twin in pair_arguments(node, twin):
            if isinstance(arg_twin, ast.keyword):
                if arg_twin.arg is None:
                    kwargs.append((STAR_ARGS, self.unknown(arg_twin.value)))
                else:
                    kwargs.append((arg_twin.arg, self.value(arg.value, arg_twin.value, env)))
            elif isinstance(arg_twin, ast.Starred):
                args.append(self.unknown(arg_twin))
            else:
                args.append(self.value(arg.value, arg_twin, env))
        return tuple(args), tuple(kwargs)


def pair_arguments(
    node: cst.Call, twin: ast.Call
) -> Iterator[tuple[cst.Arg, ast.expr | ast.keyword]]:
    """libcst keeps arguments in source order; `ast` splits positional and keyword ones."""
    positional = iter(twin.args)
    keywords = iter(twin.keywords)
    for arg in node.args:
        is_keyword = arg.keyword is not None or arg.star == "**"
        twin_arg = next(keywords, None) if is_keyword else next(positional, None)
        if twin_arg is None:
            return
        yield arg, twin_arg
