"""Reading a revision file safely: bytes -> text -> a syntax tree, or a clear problem.

The standard library's `ast` parser is the gate: it is fast, it rejects what no Python
could import (Python 2 syntax, nesting deeper than CPython allows), and its positions
are what `analyzer.positions` converts. libcst's native parser crashes the whole
process on some pathological shapes that `ast` accepts (a flat `a or b or ...` chain of
thousands of operands), and needs super-linear time on others, so files whose
expressions nest deeper than `MAX_NESTING` never reach it.
"""

from __future__ import annotations

import ast
import codecs
import io
import os
import re
import stat
import tokenize
import warnings
from dataclasses import dataclass

from analyzer.facts import FileProblem
from analyzer.positions import FILE_START, LineIndex, Span, split_lines

_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.MULTILINE)
"""PEP 263 encoding declaration (in the first two lines)."""
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
"""Byte order marks of encodings Python cannot read source in (UTF-32 first: its LE mark
starts with UTF-16's)."""
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
_NOT_REGULAR = {stat.S_IFDIR: "a directory", stat.S_IFIFO: "a named pipe (FIFO)"}
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_NESTING = 100
"""Deepest expression nesting analyzed (a long `a or b or c` counts one level per operand).
Real migrations stay far below it; libcst needs super-linear time and stack above it."""


@dataclass(frozen=True, slots=True)
class Source:
    text: str
    tree: ast.Module
    index: LineIndex
    stored: dict[ast.AST, dict[str, int]]
    """Per module-level function: how many times each name is bound in it."""


def read_bytes(path: str, limit: int = MAX_FILE_BYTES) -> bytes | FileProblem:
    """The file's bytes, or why they cannot be had. Only regular files are read: opening a
    FIFO would wait forever for a writer (hence `O_NONBLOCK`, checked with `fstat` on the
    open descriptor), and a device such as `/dev/zero` never ends. At most `limit` bytes."""
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
        try:
            status = os.fstat(descriptor)
            if not stat.S_ISREG(status.st_mode):
                kind = _NOT_REGULAR.get(stat.S_IFMT(status.st_mode), "a device or socket")
                return FileProblem(f"not a regular file: it is {kind}; alembic cannot load it")
            data = _read_at_most(descriptor, limit + 1, status.st_size + 1)
        finally:
            os.close(descriptor)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return FileProblem(f"cannot read the file: {reason}")
    if len(data) > limit:
        return FileProblem(f"the file is larger than {limit // (1024 * 1024)} MB; not analyzed")
    return data


def _read_at_most(descriptor: int, limit: int, expected: int) -> bytes:
    """Up to `limit` bytes, asking for the size `fstat` gave (plus one byte, to see the
    end) rather than for `limit`: a read of 20 MB allocates 20 MB, and this runs for every
    file of the tree on every run."""
    chunks: list[bytes] = []
    remaining = limit
    request = expected
    while remaining > 0:
        chunk = os.read(descriptor, min(remaining, request))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
        request = 1 << 16  # the file grew since `fstat`, or the read was short
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _decode(data: bytes) -> str | FileProblem:
    for bom, name in _WIDE_BOMS:
        if data.startswith(bom):
            return FileProblem(
                f"the file is encoded as {name} (it starts with a {name} byte order mark), "
                "which Python cannot read source code in: save it as UTF-8"
            )
    if b"\0" in data:
        offset = data.index(b"\0")
        return FileProblem(
            "the file contains NUL bytes (is it a binary file?)", _byte_position(data, offset)
        )
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        head = data.removeprefix(codecs.BOM_UTF8)
        cookie = _COOKIE.search(b"\n".join(head.split(b"\n", 2)[:2]))
        if cookie is None:
            encoding = "utf-8"  # undecodable bytes in the first lines: reported below
        elif data.startswith(codecs.BOM_UTF8):
            declared = cookie.group(1).decode("ascii", errors="replace")
            return FileProblem(
                "the file starts with a UTF-8 byte order mark but declares the encoding "
                f"{declared!r}; Python refuses to import it: remove one of the two"
            )
        else:
            return FileProblem(f"invalid encoding declaration: {error.msg}")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        if _python_accepts(data):
            # CPython does not decode comments: bad bytes there do not stop an import.
            text = data.decode(encoding, errors="replace")
            return text[1:] if text.startswith("\ufeff") else text
        name = "UTF-8" if encoding in ("utf-8", "utf-8-sig") else encoding
        return FileProblem(
            f"the file is not valid {name}: byte 0x{data[error.start]:02x} cannot be decoded",
            _byte_position(data, error.start),
        )
    except LookupError:
        return FileProblem(f"unknown encoding {encoding!r} in the encoding declaration")
    return text[1:] if text.startswith("\ufeff") else text


def _python_accepts(data: bytes) -> bool:
    try:
        _parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _byte_position(data: bytes, offset: int) -> Span:
    """1-based line and column of a byte, lines ending at CRLF, CR or LF (as the tokenizer
    and `analyzer.positions.split_lines` count them)."""
    lines = _LINE_BREAK.split(data[:offset])
    column = len(lines[-1].decode("utf-8", errors="replace")) + 1
    return Span(len(lines), column, len(lines), column + 1)


def _parse(source: str | bytes) -> ast.Module:
    """`ast.parse` without its warnings: the analyzed file's `"\\d"` or `1if x else y`
    must not print `SyntaxWarning` lines on stderr, nor become errors under `-W error`."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source)


def _survey(tree: ast.Module, limit: int) -> tuple[int, dict[ast.AST, dict[str, int]]]:
    """One pass over the tree: its deepest nesting (stopping once past `limit`) and, for
    each module-level function, how many times each name is bound inside it.

    Hand-rolled instead of `ast.walk`: this runs on every file and is 4x faster.
    """
    stored: dict[ast.AST, dict[str, int]] = {}
    stack: list[tuple[ast.AST, int, dict[str, int] | None]] = []
    for statement in tree.body:
        counts: dict[str, int] | None = None
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            counts = stored[statement] = {}
        stack.append((statement, 1, counts))
    deepest = 0
    pop, push = stack.pop, stack.append
    name_type, constant_type, bool_op, handler = (
        ast.Name,
        ast.Constant,
        ast.BoolOp,
        ast.ExceptHandler,
    )
    while stack:
        node, depth, counts = pop()
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
        kind = type(node)
        if kind is name_type:
            if counts is not None and isinstance(node.ctx, ast.Store):  # type: ignore[attr-defined]
                name: str = node.id  # type: ignore[attr-defined]
                counts[name] = counts.get(name, 0) + 1
            continue
        if kind is constant_type:
            continue
        if kind is handler and counts is not None and node.name:  # type: ignore[attr-defined]
            counts[node.name] = counts.get(node.name, 0) + 1  # type: ignore[attr-defined]
        # `a or b or c` is one flat node in `ast` but a nested chain in libcst.
        child_depth = depth + (len(node.values) if kind is bool_op else 1)  # type: ignore[attr-defined]
        for field in node._fields:
            value = getattr(node, field, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, ast.AST):
                        push((item, child_depth, counts))
            elif field != "ctx" and isinstance(value, ast.AST):
                push((value, child_depth, counts))
    return deepest, stored


def _syntax_problem(error: SyntaxError, index: LineIndex) -> FileProblem:
    line = error.lineno or 1
    text = index.line_text(line)
    # SyntaxError offsets are 1-based code points into the line.
    column = max(1, min(error.offset or 1, len(text) + 1))
    end_column = column + 1
    if error.end_lineno == line and error.end_offset and error.end_offset > column:
        end_column = min(error.end_offset, len(text) + 1)
    return FileProblem(f"syntax error: {error.msg}", Span(line, column, line, end_column))


def parse_text(data: bytes) -> Source | FileProblem:
    """Decode and gate one file's content. Never raises for bad input."""
    text = _decode(data)
    if isinstance(text, FileProblem):
        return text
    index = LineIndex(split_lines(text))
    try:
        tree = _parse(text)
    except SyntaxError as error:
        return _syntax_problem(error, index)
    except (RecursionError, MemoryError):
        return FileProblem(
            "the file nests too deeply for Python's own parser; no Python can import it"
        )
    except ValueError as error:
        return FileProblem(f"cannot parse the file: {error}")
    depth, stored = _survey(tree, MAX_NESTING)
    if depth > MAX_NESTING:
        return FileProblem(
            f"an expression nests more than {MAX_NESTING} levels deep; "
            "the file is too complex to analyze safely",
            FILE_START,
        )
    return Source(text, tree, index, stored)
