"""What rules report: a `Finding` at a `Location`, with a `Level`."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass

from analyzer.positions import Span


class Level(enum.Enum):
    NOTE = "note"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def __str__(self) -> str:
        return self.value


_RANK = {Level.NOTE: 0, Level.WARNING: 1, Level.ERROR: 2}


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A place in a file; `message` describes it when it is a related location."""

    path: str
    span: Span
    message: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem. `revision` and `key` identify it independently of line numbers
    (baselines and fingerprints): `key` is stable content such as `comments(post_id)`."""

    rule: str
    level: Level
    message: str
    location: Location
    related: tuple[Location, ...] = ()
    revision: str | None = None
    key: str = ""
    fingerprint: str = ""
    """`stable_id`, filled in by the orchestration (it knows the project root)."""

    @property
    def paths(self) -> tuple[str, ...]:
        """Every file the finding points at (pre-commit reports it when any is staged)."""
        return (self.location.path, *(r.path for r in self.related if r.path))

    def sort_key(self) -> tuple[str, int, int, str, str]:
        span = self.location.span
        return (self.location.path, span.start_line, span.start_col, self.rule, self.message)

    def stable_id(self, relative_path: str) -> str:
        """A fingerprint that survives line shifts: rule + revision (or path) + key."""
        anchor = self.revision if self.revision is not None else relative_path
        # surrogatepass: a revision id written as "\ud800", a file name that is not UTF-8.
        text = f"{self.rule}\0{anchor}\0{self.key}"
        digest = hashlib.sha256(text.encode("utf-8", errors="surrogatepass"))
        return digest.hexdigest()[:32]
