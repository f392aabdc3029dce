"""Pairing libcst statements with their `ast` twins, and small helpers over bodies."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence

import libcst as cst

_TWINS: dict[type[cst.CSTNode], tuple[type[ast.AST], ...]] = {
    cst.Assign: (ast.Assign,),
    cst.AnnAssign: (ast.AnnAssign,),
    cst.AugAssign: (ast.AugAssign,),
    cst.Expr: (ast.Expr,),
    cst.Pass: (ast.Pass,),
    cst.Return: (ast.Return,),
    cst.Raise: (ast.Raise,),
    cst.Import: (ast.Import,),
    cst.ImportFrom: (ast.ImportFrom,),
    cst.Global: (ast.Global,),
    cst.Nonlocal: (ast.Nonlocal,),
    cst.Del: (ast.Delete,),
    cst.Assert: (ast.Assert,),
    cst.Break: (ast.Break,),
    cst.Continue: (ast.Continue,),
    cst.FunctionDef: (ast.FunctionDef, ast.AsyncFunctionDef),
    cst.ClassDef: (ast.ClassDef,),
    cst.If: (ast.If,),
    cst.For: (ast.For, ast.AsyncFor),
    cst.While: (ast.While,),
    cst.With: (ast.With, ast.AsyncWith),
    cst.Try: (ast.Try,),
    cst.TryStar: (ast.TryStar,),
    cst.Match: (ast.Match,),
}

Pair = tuple[cst.CSTNode, ast.stmt]


def flatten(statements: Iterable[cst.CSTNode]) -> list[cst.CSTNode]:
    """Statements one by one, splitting `a = 1; b = 2` lines as `ast` does."""
    flat: list[cst.CSTNode] = []
    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine):
            flat.extend(statement.body)
        else:
            flat.append(statement)
    return flat


def pair(statements: Iterable[cst.CSTNode], twins: Sequence[ast.stmt]) -> list[Pair]:
    """Each libcst statement with its `ast` twin; stops at the first disagreement."""
    pairs: list[Pair] = []
    for node, twin in zip(flatten(statements), twins, strict=False):
        if not isinstance(twin, _TWINS.get(type(node), ())):
            break
        pairs.append((node, twin))
    return pairs


def else_body(node: cst.Else | cst.Finally | None) -> Sequence[cst.CSTNode]:
    return () if node is None else node.body.body


def stored_names(node: ast.AST) -> dict[str, int]:
    """How many times each name is bound inside `node` (assignments, loop targets, ...)."""
    counts: dict[str, int] = {}
    for child in ast.walk(node):
        if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
            counts[child.id] = counts.get(child.id, 0) + 1
        elif isinstance(child, ast.ExceptHandler) and child.name:
            counts[child.name] = counts.get(child.name, 0) + 1
    return counts


def _is_noop(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.Pass):
        return True
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
        return isinstance(statement.value.value, str) or statement.value.value is Ellipsis
    if isinstance(statement, ast.Return):
        value = statement.value
        return value is None or (isinstance(value, ast.Constant) and value.value is None)
    return False


def _raises_not_implemented(statement: ast.stmt) -> bool:
    if not isinstance(statement, ast.Raise) or statement.exc is None:
        return False
    exc = statement.exc
    if isinstance(exc, ast.Call):
        exc = exc.func
    return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"


def body_shape(body: Sequence[ast.stmt]) -> str:
    """`empty`, `not-implemented` or `statements` (see `analyzer.facts.BodyShape`)."""
    shape = "empty"
    for statement in body:
        if _is_noop(statement):
            continue
        if _raises_not_implemented(statement):
            shape = "not-implemented"
            continue
        return "statements"
    return shape
