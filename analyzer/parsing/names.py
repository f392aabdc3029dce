"""Import aliases: which local names stand for `alembic.op`, `sqlalchemy`, or other modules."""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst

OP_MODULE = "alembic.op"


def dotted_name(node: cst.BaseExpression) -> str | None:
    """`a.b.c` for a Name/Attribute chain, None for anything else (iterative)."""
    parts: list[str] = []
    current: cst.BaseExpression = node
    while isinstance(current, cst.Attribute):
        parts.append(current.attr.value)
        current = current.value
    if not isinstance(current, cst.Name):
        return None
    parts.append(current.value)
    return ".".join(reversed(parts))


def _module_name(node: cst.Attribute | cst.Name | None) -> str:
    return "" if node is None else dotted_name(node) or ""


class Aliases:
    """Local name -> qualified dotted prefix, from the import statements seen."""

    __slots__ = ("_names",)

    def __init__(self) -> None:
        self._names: dict[str, str] = {}

    def copy(self) -> Aliases:
        clone = Aliases()
        clone._names = dict(self._names)
        return clone

    def add_import(self, node: cst.Import | cst.ImportFrom) -> None:
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = _module_name(alias.name)
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    self._names[alias.asname.name.value] = full
                else:
                    root = full.partition(".")[0]
                    self._names[root] = root
            return
        if isinstance(node.names, cst.ImportStar):
            return
        prefix = "." * len(node.relative) + _module_name(node.module)
        for alias in node.names:
            imported = _module_name(alias.name)
            local = imported
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            separator = "" if prefix.endswith(".") else "."
            self._names[local] = f"{prefix}{separator}{imported}" if prefix else imported

    def add_imports(self, statements: Iterable[cst.BaseSmallStatement]) -> None:
        for statement in statements:
            if isinstance(statement, cst.Import | cst.ImportFrom):
                self.add_import(statement)

    def bind_local(self, name: str) -> None:
        """A local assignment shadows an import of the same name."""
        self._names.pop(name, None)

    def qualify(self, dotted: str) -> tuple[str, bool]:
        """The qualified name, and whether its first segment came from an import."""
        head, dot, rest = dotted.partition(".")
        target = self._names.get(head)
        if target is None:
            if head == "op":
                # `op` used without an import: alembic's op proxy is the only sane reading.
                return OP_MODULE + dot + rest, False
            return dotted, False
        return target + dot + rest, True

    def op_name(self, dotted: str) -> str | None:
        """`add_column` when `dotted` names an alembic op function, else None."""
        qualified, _ = self.qualify(dotted)
        module, _, name = qualified.rpartition(".")
        return name if module == OP_MODULE and name else None
