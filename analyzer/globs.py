"""Path patterns of `exclude` and `per-file-ignores`, relative to the configuration file.

The semantics follow ruff's (and .gitignore's) habits:

- a pattern without `/` matches any single file or directory name below the base:
  `legacy` matches every file under any `legacy/` directory, `*_old.py` any such file;
- a pattern with `/` matches the path relative to the base from its start: `*` and `?`
  stay inside one path segment, `**` crosses directories, `[abc]` is a character class;
- a pattern that matches a directory matches every file below it.

Paths outside the base directory never match.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath


def _translate(pattern: str) -> str:
    """A `/`-aware glob as a regular expression (anchored at both ends)."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif char == "*":
            out.append("[^/]*")
            i += 1
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[" and pattern.find("]", i + 2) != -1:
            end = pattern.find("]", i + 2)
            body = pattern[i + 1 : end]
            negate = body.startswith("!")
            body = re.sub(r"([\\\[^])", r"\\\1", body[1:] if negate else body)
            out.append(f"[{'^' if negate else ''}{body}]")
            i = end + 1
        else:
            out.append(re.escape(char))
            i += 1
    return "".join(out) + r"\Z"


@dataclass(frozen=True)
class PathPattern:
    """One glob as written in the configuration, and the directory it is relative to."""

    pattern: str
    base: Path
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        cleaned = self.pattern.strip().rstrip("/")
        if "/" in cleaned:
            regex = _translate(cleaned.removeprefix("./").lstrip("/"))
        else:
            regex = fnmatch.translate(cleaned)
        object.__setattr__(self, "_regex", re.compile(regex))

    @property
    def anchored(self) -> bool:
        return "/" in self.pattern.strip().rstrip("/")

    def matches(self, path: str) -> bool:
        """Whether the file at `path` (absolute) is matched by this pattern."""
        try:
            relative = os.path.relpath(path, self.base)
        except ValueError:  # another drive
            return False
        parts = PurePosixPath(Path(relative).as_posix()).parts
        if not parts or parts[0] == "..":
            return False
        if not self.anchored:
            return any(self._regex.match(part) for part in parts)
        return any(self._regex.match("/".join(parts[:count])) for count in range(1, len(parts) + 1))
