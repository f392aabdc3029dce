"""A one-line progress counter on stderr for long runs in a terminal.

Shown only when stderr is a terminal, the project has at least `MIN_FILES` revision
files, and the run is neither in CI (`CI`) nor under pre-commit (`PRE_COMMIT`, which runs
hooks in a pseudo-terminal and prints their output afterwards). It rewrites one line with
`\\r` and erases it when parsing is done, so it never ends up in a pipe or a log.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TextIO

MIN_FILES = 200
_ERASE = "\r\x1b[K"


def wanted(stream: TextIO, environ: Mapping[str, str]) -> bool:
    return stream.isatty() and not environ.get("CI") and not environ.get("PRE_COMMIT")


class ProgressLine:
    """`Parsing revision files: 120/5000`, updated at most once per percent."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def __call__(self, done: int, total: int) -> None:
        if total < MIN_FILES:
            return
        if done == total:
            self.stream.write(_ERASE)
        elif done == 1 or done % max(1, total // 100) == 0:
            self.stream.write(f"{_ERASE}Parsing revision files: {done}/{total}")
        else:
            return
        self.stream.flush()
