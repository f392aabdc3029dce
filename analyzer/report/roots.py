"""The directory that GitHub-facing paths are relative to: the repository root.

GitHub maps a SARIF `uri` or an annotation's `file` to a file of the repository by its
path from the repository root, whatever directory the analyzer ran in. Symlinks are
resolved, because GitHub does not show alerts in symlinked paths.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path, PurePosixPath


def git_toplevel(start: Path) -> Path | None:
    """The nearest directory at or above `start` that holds `.git` (a directory, or the
    file that worktrees and submodules have), as `git rev-parse --show-toplevel` finds it."""
    directory = start.resolve()
    for candidate in (directory, *directory.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def source_root(cwd: Path) -> Path:
    """SARIF's `%SRCROOT%`: the git top-level above `cwd`, else `cwd` (symlinks resolved)."""
    return git_toplevel(cwd) or cwd.resolve()


def workspace_root(cwd: Path, environ: Mapping[str, str]) -> Path:
    """What annotation paths are relative to: `GITHUB_WORKSPACE` (the runner resolves
    `file=` against it) when set, else the same root as SARIF."""
    workspace = environ.get("GITHUB_WORKSPACE")
    return Path(workspace).resolve() if workspace else source_root(cwd)


def path_from_root(path: str, root: Path) -> str:
    """`path` with symlinks resolved, relative to `root` with `/` separators; `..` steps
    when it lies outside `root`, absolute when no relative path exists (another drive)."""
    real = os.path.realpath(path)
    if not os.path.isfile(real):  # a broken link, a loop, /dev/zero: the link is the file
        real = os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))
    try:
        relative = os.path.relpath(real, root)
    except ValueError:
        return Path(real).as_posix()
    return PurePosixPath(Path(relative)).as_posix()
