"""Source positions: the one place where parser offsets become user-facing positions.

A `Span` is 1-based: lines count from 1 and columns count Unicode code points from 1;
`end_col` is the column just after the last character (SARIF's convention).

Positions come from the standard library's `ast` tree of the same source (which the
analyzer builds anyway as its safety gate, see `analyzer.parsing.source`): its offsets
are UTF-8 byte offsets, converted here. libcst's own position metadata would cost
three times the parse itself, for positions of a handful of nodes per file.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True, order=True)
class Span:
    start_line: int
    start_col: int
    end_line: int
    end_col: int

    @classmethod
    def point(cls, line: int, col: int = 1) -> Span:
        return cls(line, col, line, col)

    def to_list(self) -> list[int]:
        return [self.start_line, self.start_col, self.end_line, self.end_col]

    @classmethod
    def from_list(cls, data: list[int]) -> Span:
        start_line, start_col, end_line, end_col = data
        return cls(start_line, start_col, end_line, end_col)

    def contains_line(self, line: int) -> bool:
        return self.start_line <= line <= self.end_line


FILE_START = Span(1, 1, 1, 1)


def split_lines(text: str) -> list[str]:
    """Split like Python's tokenizer: on CRLF, CR and LF only (not on form feeds)."""
    return _LINE_BREAK.split(text)


class LineIndex:
    """Converts `ast` (line, UTF-8 byte offset) pairs into 1-based code-point columns."""

    __slots__ = ("_lines",)

    def __init__(self, lines: list[str]) -> None:
        self._lines = lines

    def column(self, line: int, byte_offset: int) -> int:
        if not 1 <= line <= len(self._lines):
            return byte_offset + 1
        text = self._lines[line - 1]
        if text.isascii():
            return byte_offset + 1
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore")) + 1

    def span(self, node: ast.AST) -> Span:
        line: int = getattr(node, "lineno", 1)
        end_line: int = getattr(node, "end_lineno", None) or line
        start = self.column(line, getattr(node, "col_offset", 0))
        end_offset = getattr(node, "end_col_offset", None)
        end = self.column(end_line, end_offset) if end_offset is not None else start
        return Span(line, start, end_line, end)

    def line_text(self, line: int) -> str:
        return self._lines[line - 1] if 1 <= line <= len(self._lines) else ""

    def first_line_span(self, node: ast.AST) -> Span:
        """The part of a statement on its first line (a `def` line without its body)."""
        line: int = getattr(node, "lineno", 1)
        start = self.column(line, getattr(node, "col_offset", 0))
        end = len(self.line_text(line).rstrip()) + 1
        return Span(line, start, line, max(end, start))
