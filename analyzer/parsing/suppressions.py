"""`# alembic-analyzer: ignore[rule-id, ...]` and `# alembic-analyzer: ignore-file[rule-id]`
comments, found with the tokenizer (so never inside a string).

A comment that starts like a directive (`# alembic-analyzer:`) but does not follow the
grammar (no brackets, no rule ids, a misspelt keyword) is kept with no rule ids: it
suppresses nothing, and the opt-in `unused-suppression` rule reports it. Text after the
closing bracket is a free-form reason: `# alembic-analyzer: ignore[dynamic-revision] generated`.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Callable, Iterator

from analyzer.facts import Suppression
from analyzer.positions import Span

MARKER = "alembic-analyzer"
_DIRECTIVE = re.compile(r"#\s*alembic-analyzer\s*:")
_GRAMMAR = re.compile(
    r"#\s*alembic-analyzer\s*:\s*(?P<kind>ignore-file|ignore)"
    r"\[\s*(?P<rules>[A-Za-z0-9_-]+(?:\s*,\s*[A-Za-z0-9_-]+)*)\s*,?\s*\]"
)


def find_suppressions(text: str) -> tuple[Suppression, ...]:
    """Every directive comment of a decoded source file, in order."""
    if MARKER not in text:
        return ()
    # newline=None: lines end at \r, \n or \r\n, as for Python's own parser.
    return tuple(_from_tokens(io.StringIO(text, newline=None).readline, tokenize.generate_tokens))


def suppressions_in_bytes(data: bytes) -> tuple[Suppression, ...]:
    """Directives of a file that could not be parsed (a syntax error, Python 2 syntax):
    the tokenizer reads further than the parser, and stops quietly where it cannot."""
    if MARKER.encode() not in data:
        return ()
    return tuple(_from_tokens(io.BytesIO(data).readline, tokenize.tokenize))


def _from_tokens(
    readline: Callable[[], str] | Callable[[], bytes],
    tokenizer: Callable[..., Iterator[tokenize.TokenInfo]],
) -> Iterator[Suppression]:
    try:
        tokens = tokenizer(readline)  # `tokenize.tokenize` reads the encoding cookie here
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return
    while True:
        try:
            token = next(tokens)
        except StopIteration:
            return
        except (tokenize.TokenError, SyntaxError, UnicodeDecodeError, LookupError, ValueError):
            return  # the rest of the file is not tokenizable: keep what was found
        if token.type == tokenize.COMMENT and MARKER in token.string:
            yield from _directives(token.string, *token.start)


def _directives(comment: str, line: int, column: int) -> Iterator[Suppression]:
    starts = [match.start() for match in _DIRECTIVE.finditer(comment)]
    for index, start in enumerate(starts):
        end_of_part = starts[index + 1] if index + 1 < len(starts) else len(comment)
        part = comment[start:end_of_part]
        match = _GRAMMAR.match(part)
        if match is None:
            end = start + len(part.rstrip())
            yield Suppression(
                line, (), False, Span(line, column + start + 1, line, column + end + 1)
            )
            continue
        rules = tuple(rule.strip() for rule in match.group("rules").split(","))
        span = Span(line, column + start + 1, line, column + start + match.end() + 1)
        yield Suppression(line, rules, match.group("kind") == "ignore-file", span)
