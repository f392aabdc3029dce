"""libcst tree (+ its `ast` twin) -> `MigrationFacts`.

Module level: the revision variables, imports, constants and function definitions.
`upgrade()`/`downgrade()`: the body's shape and every op call in execution order,
following calls of module-level helper functions (with their literal arguments bound),
unrolling `for` loops over literal sequences, and taking both arms of every `if`/`try`.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

import libcst as cst

from analyzer.facts import (
    REVISION_VARIABLES,
    Assignment,
    BatchTable,
    BodyShape,
    FileProblem,
    FunctionFacts,
    MigrationFacts,
    Op,
)
from analyzer.parsing.literals import UNBOUND, Environment, Reader, pair_arguments
from analyzer.parsing.names import Aliases, dotted_name
from analyzer.parsing.source import Source, parse_text, read_bytes
from analyzer.parsing.statements import Pair, body_shape, else_body, pair, stored_names
from analyzer.parsing.suppressions import find_suppressions, suppressions_in_bytes
from analyzer.positions import Span
from analyzer.values import Call, Unknown, Value

NOT_OPS = frozenset(
    {
        "f",
        "inline_literal",
        "get_bind",
        "get_context",
        "batch_alter_table",
        "implementation_for",
        "register_operation",
        "invoke",
        "run_async",
    }
)
"""`op.` functions that return a value or a context instead of changing the schema."""

BIND = "alembic.op.get_bind"
EXECUTE = ("execute", "exec_driver_sql")
MAX_OPS = 20_000
"""op calls one function may make (helpers and unrolled loops included): a file past it is
`invalid-revision-file`, as one past the size limit is, rather than half-read."""
MAX_HELPER_DEPTH = 30
MAX_UNROLL = 1_000


def parse_file(path: str) -> MigrationFacts:
    """Facts of the file at `path`; problems become `MigrationFacts.problem`, never raised."""
    return parse_bytes(path, read_bytes(path))


def parse_bytes(path: str, data: bytes | FileProblem) -> MigrationFacts:
    """Facts of a file's content as `read_bytes` returned it (the cache reads and hashes
    each file once, then parses what it read)."""
    source = data if isinstance(data, FileProblem) else parse_text(data)
    if isinstance(source, FileProblem):
        suppressions = suppressions_in_bytes(data) if isinstance(data, bytes) else ()
        variables = recover_variables(data) if isinstance(data, bytes) else {}
        return MigrationFacts(
            path=path, variables=variables, problem=source, suppressions=suppressions
        )
    return parse_source(path, source)


_RECOVERABLE_LINE = re.compile(
    r"(revision|down_revision|branch_labels|depends_on)\s*(?::[^=]*)?=\s*(\S.*?)\s*$"
)


def recover_variables(data: bytes) -> dict[str, Assignment]:
    """The revision variables of a file that Python cannot parse (Python 2 syntax, a
    typo further down), read line by line: a module-level one-line assignment whose value
    is a literal string, tuple or list of strings, or None (`ast.literal_eval`, nothing
    is guessed). The file stays `invalid-revision-file`; this only keeps its place in the
    graph, so that its children do not look like they name a missing revision.

    Returns nothing unless `revision` is found; a `down_revision` that cannot be read is
    an explicit unknown value (never a base)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return {}
    found: dict[str, Assignment] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _RECOVERABLE_LINE.fullmatch(line)
        if match is None:
            continue
        name, raw = match.groups()
        span = Span(number, 1, number, len(line) + 1)
        value = _literal_ids(raw)
        if value is None and raw.partition("#")[0].strip() not in ("None", ""):
            found[name] = Assignment(Unknown("in a file that cannot be parsed", span), span)
            continue
        found[name] = Assignment(value, span)
    revision = found.get("revision")
    if revision is None or not isinstance(revision.value, str):
        return {}
    if "down_revision" not in found:
        found["down_revision"] = Assignment(
            Unknown("not found in a file that cannot be parsed", revision.span), revision.span
        )
    return found


def _literal_ids(raw: str) -> str | tuple[str, ...] | None:
    """A string, a tuple or list of strings, or None; None also when it is not one."""
    for candidate in (raw, raw.partition("#")[0]):
        try:
            value = ast.literal_eval(candidate.strip())
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        if isinstance(value, str):
            return value
        if isinstance(value, tuple | list) and all(isinstance(item, str) for item in value):
            return tuple(value)
        return None
    return None


def parse_source(path: str, source: Source) -> MigrationFacts:
    facts = _parse_source(path, source)
    suppressions = find_suppressions(source.text)
    return dataclasses.replace(facts, suppressions=suppressions) if suppressions else facts


def _parse_source(path: str, source: Source) -> MigrationFacts:
    try:
        module = cst.parse_module(source.text)
    except cst.ParserSyntaxError as error:
        line = max(1, error.raw_line)
        column = max(1, error.raw_column + 1)
        return MigrationFacts(
            path=path,
            variables=recover_variables(source.text.encode("utf-8")),
            problem=FileProblem(
                f"libcst cannot parse this file: {error.message}",
                Span(line, column, line, column + 1),
            ),
        )
    except (RecursionError, MemoryError):
        return MigrationFacts(path=path, problem=FileProblem("the file is too complex to parse"))
    return _ModuleExtractor(path, module, source).facts()


@dataclass
class _Walk:
    """State of one walk through `upgrade()` or `downgrade()`."""

    ops: list[Op] = field(default_factory=list)
    active: list[str] = field(default_factory=list)
    followed: list[str] = field(default_factory=list)


_REBINDING = {
    "augassign": "changed by an augmented assignment",
    "expr": "assigned by an assignment expression (`:=`)",
    "import": "imported",
    "importfrom": "imported",
}
"""How a module-level statement other than `name = value` binds a revision variable."""


class _ModuleExtractor:
    def __init__(self, path: str, module: cst.Module, source: Source) -> None:
        self.path = path
        self.reader = Reader(source.index)
        self.stored = source.stored
        docstring = ast.get_docstring(source.tree, clean=True) or ""
        self.title = docstring.strip().partition("\n")[0].strip()
        self.aliases = Aliases()
        self.pairs = pair(module.body, source.tree.body)
        self.functions: dict[
            str, tuple[cst.FunctionDef, ast.FunctionDef | ast.AsyncFunctionDef]
        ] = {}
        self.assignments: dict[str, list[tuple[cst.BaseExpression, ast.expr, ast.stmt]]] = {}
        self.conditional: dict[str, ast.stmt] = {}
        self._constants: dict[str, Value] = {}
        self._resolving: set[str] = set()
        self.module_env = Environment(self.aliases, self._module_value)
        self._scan_module()

    # --- module level -----------------------------------------------------------------

    def _scan_module(self) -> None:
        for node, twin in self.pairs:
            if isinstance(node, cst.Import | cst.ImportFrom):
                self.aliases.add_import(node)
                if isinstance(twin, ast.Import | ast.ImportFrom):
                    for alias in twin.names:
                        bound = alias.asname or alias.name.partition(".")[0]
                        if bound in REVISION_VARIABLES:
                            self.conditional.setdefault(bound, twin)
            elif isinstance(node, cst.FunctionDef):
                assert isinstance(twin, ast.FunctionDef | ast.AsyncFunctionDef)
                self.functions[node.name.value] = (node, twin)
                self.assignments.pop(node.name.value, None)
            elif isinstance(node, cst.Assign) and isinstance(twin, ast.Assign):
                for target, target_twin in zip(node.targets, twin.targets, strict=True):
                    self._record_target(target.target, target_twin, node.value, twin.value, twin)
            elif isinstance(node, cst.AnnAssign) and isinstance(twin, ast.AnnAssign):
                if node.value is not None and twin.value is not None:
                    self._record_target(node.target, twin.target, node.value, twin.value, twin)
            elif isinstance(node, cst.If | cst.For | cst.While | cst.With | cst.Try | cst.TryStar):
                for name in stored_names(twin):
                    self.conditional.setdefault(name, twin)
            elif isinstance(twin, ast.AugAssign | ast.Expr):
                # `revision += "x"`, `(revision := "x")`: rebinds it to a computed value
                for name in stored_names(twin):
                    self.conditional.setdefault(name, twin)

    def _record_target(
        self,
        target: cst.BaseExpression,
        target_twin: ast.expr,
        value: cst.BaseExpression,
        value_twin: ast.expr,
        statement: ast.stmt,
    ) -> None:
        if isinstance(target, cst.Name):
            self.assignments.setdefault(target.value, []).append((value, value_twin, statement))
            self.aliases.bind_local(target.value)
            self.functions.pop(target.value, None)
            return
        if (
            isinstance(target, cst.Tuple | cst.List)
            and isinstance(target_twin, ast.Tuple | ast.List)
            and isinstance(value, cst.Tuple | cst.List)
            and isinstance(value_twin, ast.Tuple | ast.List)
            and len(target.elements) == len(value.elements) == len(value_twin.elts)
        ):
            for element, element_target, element_value, element_twin in zip(
                target.elements, target_twin.elts, value.elements, value_twin.elts, strict=True
            ):
                self._record_target(
                    element.value, element_target, element_value.value, element_twin, statement
                )
            return
        for name in stored_names(target_twin):
            self.conditional.setdefault(name, statement)

    def _module_value(self, name: str) -> Value | None:
        """A module-level name: its literal value, `UNBOUND`, or None (not assigned here)."""
        if name in self._constants:
            return self._constants[name]
        if name in self.conditional:
            return UNBOUND
        assigned = self.assignments.get(name)
        if not assigned:
            return None
        if len(assigned) > 1 or name in self._resolving:
            return UNBOUND
        self._resolving.add(name)
        node, twin, _ = assigned[0]
        value = self.reader.value(node, twin, self.module_env)
        self._resolving.discard(name)
        self._constants[name] = value
        return value

    def _variable(self, name: str) -> Assignment | None:
        conditional = self.conditional.get(name)
        assigned = self.assignments.get(name, [])
        if conditional is not None:
            kind = type(conditional).__name__.lower()
            how = _REBINDING.get(kind, f"assigned inside a `{kind}` statement")
            return Assignment(
                Unknown(how, self.reader.span(conditional)),
                self.reader.span(conditional),
                tuple(self.reader.span(s).start_line for _, _, s in assigned),
            )
        if not assigned:
            return None
        node, twin, statement = assigned[-1]
        return Assignment(
            self.reader.value(node, twin, self.module_env),
            self.reader.span(statement),
            tuple(self.reader.span(s).start_line for _, _, s in assigned[:-1]),
        )

    def facts(self) -> MigrationFacts:
        variables = {}
        for name in REVISION_VARIABLES:
            assignment = self._variable(name)
            if assignment is not None:
                variables[name] = assignment
        upgrade, downgrade = self._function("upgrade"), self._function("downgrade")
        for function in (upgrade, downgrade):
            if function is not None and len(function.ops) >= MAX_OPS:
                calls = f"{MAX_OPS:,} or more op calls"
                problem = FileProblem(
                    f"{function.name}() makes {calls}: too large to analyze", function.span
                )
                return MigrationFacts(self.path, variables, self.title, problem=problem)
        return MigrationFacts(
            path=self.path,
            variables=variables,
            title=self.title,
            upgrade=upgrade,
            downgrade=downgrade,
        )

    # --- functions ----------------------------------------------------------------------

    def _function(self, name: str) -> FunctionFacts | None:
        found = self.functions.get(name)
        if found is None:
            return None
        node, twin = found
        walk = _Walk(active=[name])
        self._walk_function(node, twin, {}, walk, via=None)
        return FunctionFacts(
            name=name,
            span=self.reader.index.first_line_span(twin),
            shape=cast(BodyShape, body_shape(twin.body)),
            ops=tuple(walk.ops),
            helpers=tuple(walk.followed),
        )

    def _walk_function(
        self,
        node: cst.FunctionDef,
        twin: ast.FunctionDef | ast.AsyncFunctionDef,
        arguments: dict[str, Value],
        walk: _Walk,
        via: str | None,
    ) -> None:
        env = self.module_env.child()
        env.aliases = self.aliases.copy()  # imports inside the function stay local to it
        for argument in ast.walk(twin.args):
            if isinstance(argument, ast.arg):
                env.bindings[argument.arg] = arguments.get(argument.arg, UNBOUND)
        counts = self.stored.get(twin)
        if counts is None:
            counts = stored_names(twin)
        for local in counts:
            env.bindings[local] = UNBOUND  # bound again when its single assignment runs
        body = node.body.body
        self._statements(pair(body, twin.body), env, walk, via, counts)

    def _statements(
        self,
        pairs: list[Pair],
        env: Environment,
        walk: _Walk,
        via: str | None,
        counts: dict[str, int],
    ) -> None:
        for node, twin in pairs:
            if len(walk.ops) >= MAX_OPS:
                return
            self._statement(node, twin, env, walk, via, counts)

    def _statement(
        self,
        node: cst.CSTNode,
        twin: ast.stmt,
        env: Environment,
        walk: _Walk,
        via: str | None,
        counts: dict[str, int],
    ) -> None:
        if isinstance(node, cst.Expr) and isinstance(twin, ast.Expr):
            self._scan(node.value, twin.value, env, walk, via)
        elif isinstance(node, cst.Assign) and isinstance(twin, ast.Assign):
            self._scan(node.value, twin.value, env, walk, via)
            if (
                len(node.targets) == 1
                and isinstance(node.targets[0].target, cst.Name)
                and counts.get(node.targets[0].target.value, 0) == 1
            ):
                env.bindings[node.targets[0].target.value] = self.reader.value(
                    node.value, twin.value, env
                )
        elif isinstance(node, cst.AnnAssign) and isinstance(twin, ast.AnnAssign):
            if node.value is not None and twin.value is not None:
                self._scan(node.value, twin.value, env, walk, via)
                if isinstance(node.target, cst.Name) and counts.get(node.target.value, 0) == 1:
                    env.bindings[node.target.value] = self.reader.value(node.value, twin.value, env)
        elif isinstance(node, cst.AugAssign) and isinstance(twin, ast.AugAssign):
            self._scan(node.value, twin.value, env, walk, via)
        elif isinstance(node, cst.Return) and isinstance(twin, ast.Return):
            if node.value is not None and twin.value is not None:
                self._scan(node.value, twin.value, env, walk, via)
        elif isinstance(node, cst.Import | cst.ImportFrom):
            env.aliases.add_import(node)
        elif isinstance(node, cst.If) and isinstance(twin, ast.If):
            self._scan(node.test, twin.test, env, walk, via)
            self._statements(pair(node.body.body, twin.body), env, walk, via, counts)
            if isinstance(node.orelse, cst.If):
                self._statements(pair([node.orelse], twin.orelse), env, walk, via, counts)
            elif isinstance(node.orelse, cst.Else):
                self._statements(pair(node.orelse.body.body, twin.orelse), env, walk, via, counts)
        elif isinstance(node, cst.For) and isinstance(twin, ast.For | ast.AsyncFor):
            self._for(node, twin, env, walk, via, counts)
        elif isinstance(node, cst.While) and isinstance(twin, ast.While):
            self._statements(pair(node.body.body, twin.body), env, walk, via, counts)
            self._statements(pair(else_body(node.orelse), twin.orelse), env, walk, via, counts)
        elif isinstance(node, cst.With) and isinstance(twin, ast.With | ast.AsyncWith):
            self._with(node, twin, env, walk, via, counts)
        elif isinstance(node, cst.Try | cst.TryStar) and isinstance(twin, ast.Try | ast.TryStar):
            self._statements(pair(node.body.body, twin.body), env, walk, via, counts)
            handlers: Sequence[cst.ExceptHandler | cst.ExceptStarHandler] = node.handlers
            for handler, handler_twin in zip(handlers, twin.handlers, strict=False):
                self._statements(pair(handler.body.body, handler_twin.body), env, walk, via, counts)
            self._statements(pair(else_body(node.orelse), twin.orelse), env, walk, via, counts)
            self._statements(
                pair(else_body(node.finalbody), twin.finalbody), env, walk, via, counts
            )
        elif isinstance(node, cst.Match) and isinstance(twin, ast.Match):
            for case, case_twin in zip(node.cases, twin.cases, strict=False):
                self._statements(pair(case.body.body, case_twin.body), env, walk, via, counts)

    def _for(
        self,
        node: cst.For,
        twin: ast.For | ast.AsyncFor,
        env: Environment,
        walk: _Walk,
        via: str | None,
        counts: dict[str, int],
    ) -> None:
        body = pair(node.body.body, twin.body)
        items = self.reader.value(node.iter, twin.iter, env)
        names = _target_names(twin.target)
        if isinstance(items, tuple) and names is not None and len(items) <= MAX_UNROLL:
            for item in items:
                scope = env.child()
                _bind_target(scope, names, item)
                self._statements(body, scope, walk, via, counts)
        else:
            self._scan(node.iter, twin.iter, env, walk, via)
            self._statements(body, env, walk, via, counts)
        self._statements(pair(else_body(node.orelse), twin.orelse), env, walk, via, counts)

    def _with(
        self,
        node: cst.With,
        twin: ast.With | ast.AsyncWith,
        env: Environment,
        walk: _Walk,
        via: str | None,
        counts: dict[str, int],
    ) -> None:
        scope = env.child()
        for item, item_twin in zip(node.items, twin.items, strict=False):
            expression, expression_twin = item.item, item_twin.context_expr
            batch = self._batch_table(expression, expression_twin, env)
            if batch is not None:
                target = item.asname.name if item.asname is not None else None
                if isinstance(target, cst.Name):
                    scope.batches[target.value] = batch
            else:
                self._scan(expression, expression_twin, env, walk, via)
        self._statements(pair(node.body.body, twin.body), scope, walk, via, counts)

    def _batch_table(
        self, node: cst.BaseExpression, twin: ast.expr, env: Environment
    ) -> BatchTable | None:
        if not (isinstance(node, cst.Call) and isinstance(twin, ast.Call)):
            return None
        dotted = dotted_name(node.func)
        if dotted is None or env.aliases.op_name(dotted) != "batch_alter_table":
            return None
        args, kwargs = self.reader.arguments(node, twin, env)
        call = Call("alembic.op.batch_alter_table", args, kwargs, self.reader.span(twin))
        return BatchTable(call.arg(0, "table_name"), call.kwarg("schema"), call.span)

    # --- expressions ----------------------------------------------------------------------

    def _scan(
        self,
        node: cst.BaseExpression,
        twin: ast.expr,
        env: Environment,
        walk: _Walk,
        via: str | None,
    ) -> None:
        """Record the op calls in an expression statement, assignment, ... in order."""
        if isinstance(node, cst.Await) and isinstance(twin, ast.Await):
            self._scan(node.expression, twin.value, env, walk, via)
        elif isinstance(node, cst.Tuple | cst.List) and isinstance(twin, ast.Tuple | ast.List):
            for element, element_twin in zip(node.elements, twin.elts, strict=False):
                self._scan(element.value, element_twin, env, walk, via)
        elif (
            isinstance(node, cst.Call)
            and isinstance(twin, ast.Call)
            and not self._call(node, twin, env, walk, via)
        ):
            # Not an op: its receiver and arguments may still hold one (`print(op.x())`).
            func, func_twin = node.func, twin.func
            if isinstance(func, cst.Attribute) and isinstance(func_twin, ast.Attribute):
                self._scan(func.value, func_twin.value, env, walk, via)
            for arg, arg_twin in pair_arguments(node, twin):
                inner = (
                    arg_twin.value if isinstance(arg_twin, ast.keyword | ast.Starred) else arg_twin
                )
                self._scan(arg.value, inner, env, walk, via)

    def _call(
        self, node: cst.Call, twin: ast.Call, env: Environment, walk: _Walk, via: str | None
    ) -> bool:
        """Record the call if it is an op (or follow it if it is a helper); True if handled."""
        dotted = dotted_name(node.func)
        if dotted is None:
            return self._bound_call(node, twin, env, walk, via)
        head, _, attribute = dotted.rpartition(".")
        batch = env.batch(head) if head else None
        if batch is not None:
            self._add_op(attribute, node, twin, env, walk, via, batch)
            return True
        name = env.aliases.op_name(dotted)
        if name is not None:
            if name not in NOT_OPS:
                self._add_op(name, node, twin, env, walk, via, None)
            return True
        if head:
            bound = env.lookup(head) if "." not in head else None
            if isinstance(bound, Call) and bound.func == BIND and attribute in EXECUTE:
                self._add_op("execute", node, twin, env, walk, via, None)
                return True
            return False
        if env.lookup(dotted) is None and dotted in self.functions:
            self._follow(dotted, node, twin, env, walk)
            return True
        return False

    def _bound_call(
        self, node: cst.Call, twin: ast.Call, env: Environment, walk: _Walk, via: str | None
    ) -> bool:
        """`op.get_bind().execute(...)`: SQL run on the migration's connection."""
        func, func_twin = node.func, twin.func
        if not (isinstance(func, cst.Attribute) and isinstance(func_twin, ast.Attribute)):
            return False
        if func.attr.value not in EXECUTE:
            return False
        receiver = self.reader.value(func.value, func_twin.value, env)
        if isinstance(receiver, Call) and receiver.func == BIND:
            self._add_op("execute", node, twin, env, walk, via, None)
            return True
        return False

    def _add_op(
        self,
        name: str,
        node: cst.Call,
        twin: ast.Call,
        env: Environment,
        walk: _Walk,
        via: str | None,
        batch: BatchTable | None,
    ) -> None:
        if len(walk.ops) >= MAX_OPS:
            return
        args, kwargs = self.reader.arguments(node, twin, env)
        walk.ops.append(Op(name, args, kwargs, self.reader.span(twin), batch, via))

    def _follow(
        self, name: str, node: cst.Call, twin: ast.Call, env: Environment, walk: _Walk
    ) -> None:
        """Walk a module-level helper's body with the call's arguments bound."""
        if name in walk.active or len(walk.active) > MAX_HELPER_DEPTH:
            return
        helper, helper_twin = self.functions[name]
        args, kwargs = self.reader.arguments(node, twin, env)
        bound = _bind_parameters(
            helper, helper_twin, args, dict(kwargs), self.reader, self.module_env
        )
        if name not in walk.followed:
            walk.followed.append(name)
        walk.active.append(name)
        self._walk_function(helper, helper_twin, bound, walk, via=name)
        walk.active.pop()


def _target_names(target: ast.expr) -> list[str] | str | None:
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Tuple | ast.List) and all(
        isinstance(e, ast.Name) for e in target.elts
    ):
        return [cast(ast.Name, e).id for e in target.elts]
    return None


def _bind_target(env: Environment, names: list[str] | str, item: Value) -> None:
    if isinstance(names, str):
        env.bindings[names] = item
        return
    if isinstance(item, tuple) and len(item) == len(names):
        for name, value in zip(names, item, strict=True):
            env.bindings[name] = value
        return
    for name in names:
        env.bindings[name] = UNBOUND


def _bind_parameters(
    node: cst.FunctionDef,
    twin: ast.FunctionDef | ast.AsyncFunctionDef,
    args: Sequence[Value],
    kwargs: dict[str, Value],
    reader: Reader,
    module_env: Environment,
) -> dict[str, Value]:
    """Parameter name -> value for one call: passed arguments, else literal defaults."""
    bound: dict[str, Value] = {}
    positional = [*twin.args.posonlyargs, *twin.args.args]
    cst_positional = [*node.params.posonly_params, *node.params.params]
    for index, (parameter, cst_parameter) in enumerate(
        zip(positional, cst_positional, strict=False)
    ):
        if index < len(args):
            bound[parameter.arg] = args[index]
        elif parameter.arg in kwargs:
            bound[parameter.arg] = kwargs[parameter.arg]
        elif cst_parameter.default is not None:
            default_index = index - (len(positional) - len(twin.args.defaults))
            if 0 <= default_index < len(twin.args.defaults):
                bound[parameter.arg] = reader.value(
                    cst_parameter.default, twin.args.defaults[default_index], module_env
                )
    for parameter, cst_parameter, default in zip(
        twin.args.kwonlyargs, node.params.kwonly_params, twin.args.kw_defaults, strict=False
    ):
        if parameter.arg in kwargs:
            bound[parameter.arg] = kwargs[parameter.arg]
        elif cst_parameter.default is not None and default is not None:
            bound[parameter.arg] = reader.value(cst_parameter.default, default, module_env)
    return bound
