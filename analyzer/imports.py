"""Static resolution of names that revision files import from their own repository.

`branch_labels = (cli.EXPAND_BRANCH,)` with `from myapp.db.migration import cli` is
resolved by *reading* `myapp/db/migration/cli.py` (found next to the revision file or
in a directory above it) and taking a literal module-level assignment, through
`ast.literal_eval`, which evaluates literals only. Nothing is imported or executed.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Sequence
from pathlib import Path

from analyzer.facts import Assignment, MigrationFacts
from analyzer.parsing.source import Source, parse_text, read_bytes
from analyzer.values import Ref, Value

MAX_LEVELS_UP = 12
MAX_ALIAS_DEPTH = 5
_UNRESOLVED = object()


class ModuleReader:
    """Reads and remembers the literal module-level constants of repository modules."""

    def __init__(self) -> None:
        self._constants: dict[Path, dict[str, ast.expr]] = {}

    def _module_constants(self, path: Path) -> dict[str, ast.expr]:
        cached = self._constants.get(path)
        if cached is not None:
            return cached
        constants: dict[str, ast.expr] = {}
        data = read_bytes(str(path))
        source = parse_text(data) if isinstance(data, bytes) else None
        if isinstance(source, Source):
            for statement in source.tree.body:
                if isinstance(statement, ast.Assign):
                    for target in statement.targets:
                        if isinstance(target, ast.Name):
                            constants[target.id] = statement.value
                elif (
                    isinstance(statement, ast.AnnAssign)
                    and isinstance(statement.target, ast.Name)
                    and statement.value is not None
                ):
                    constants[statement.target.id] = statement.value
        self._constants[path] = constants
        return constants

    def constant(self, module_file: Path, name: str) -> object:
        """The literal value of `name` in the module, or `_UNRESOLVED`."""
        constants = self._module_constants(module_file)
        for _ in range(MAX_ALIAS_DEPTH):
            node = constants.get(name)
            if node is None:
                return _UNRESOLVED
            if isinstance(node, ast.Name):
                name = node.id  # `EXPAND_BRANCH = EXPAND` within the same module
                continue
            try:
                return ast.literal_eval(node)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                return _UNRESOLVED
        return _UNRESOLVED


def _module_file(module: str, revision_file: Path, consulted: list[Path]) -> Path | None:
    """The file of `module` as seen from the revision file; every path looked at is
    added to `consulted` (the result cache checks them again before trusting a result)."""
    level = len(module) - len(module.lstrip("."))
    parts = [p for p in module.lstrip(".").split(".") if p]
    if level:
        base = revision_file.parent
        for _ in range(level - 1):
            base = base.parent
        bases = [base]
    else:
        bases = [revision_file.parent, *list(revision_file.parents)[1:MAX_LEVELS_UP]]
    for base in bases:
        candidate = base.joinpath(*parts)
        for path in (candidate.with_suffix(".py"), candidate / "__init__.py"):
            if not parts:
                continue
            consulted.append(path)
            if path.is_file():
                return path
    return None


def _literal(value: object) -> Value | object:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, tuple | list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return _UNRESOLVED


class ImportResolver:
    def __init__(self) -> None:
        self.reader = ModuleReader()
        self.consulted: list[Path] = []
        """Every path looked at for a module, found or not."""

    def _resolve_ref(self, ref: Ref, revision_file: Path) -> Value:
        module, _, name = ref.name.rpartition(".")
        if not module or not name:
            return ref
        module_file = _module_file(module, revision_file, self.consulted)
        if module_file is None:
            return ref
        value = _literal(self.reader.constant(module_file, name))
        return ref if value is _UNRESOLVED else value  # type: ignore[return-value]

    def _resolve_value(self, value: Value, revision_file: Path) -> Value:
        if isinstance(value, Ref) and value.imported:
            return self._resolve_ref(value, revision_file)
        if isinstance(value, tuple):
            return tuple(self._resolve_value(item, revision_file) for item in value)
        return value

    def resolve(self, facts: MigrationFacts) -> MigrationFacts:
        changed = False
        variables = dict(facts.variables)
        for name, assignment in facts.variables.items():
            value = self._resolve_value(assignment.value, Path(facts.path))
            if value is not assignment.value and value != assignment.value:
                variables[name] = Assignment(value, assignment.span, assignment.earlier_lines)
                changed = True
        return dataclasses.replace(facts, variables=variables) if changed else facts


def resolve_imports(
    files: Sequence[MigrationFacts], consulted: list[Path] | None = None
) -> list[MigrationFacts]:
    """Facts with repository-imported names in revision variables replaced by literals.
    The paths looked at for modules are added to `consulted` when given."""
    resolver = ImportResolver()
    resolved = [resolver.resolve(f) if _has_imported_ref(f) else f for f in files]
    if consulted is not None:
        consulted.extend(resolver.consulted)
    return resolved


def _has_imported_ref(facts: MigrationFacts) -> bool:
    def imported(value: Value) -> bool:
        if isinstance(value, Ref):
            return value.imported
        return isinstance(value, tuple) and any(imported(item) for item in value)

    return any(imported(a.value) for a in facts.variables.values())
