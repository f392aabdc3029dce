"""Replacing a file atomically: readers see the old file or the new one, never half of one."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def replace_file(target: Path, text: str, encoding: str = "utf-8") -> None:
    """Write `text` to a temporary file next to `target` and rename it over `target`, which
    keeps its permissions (a new file gets the umask's). Characters the encoding cannot
    hold are written as backslash escapes. Raises `OSError`; whatever happens, even
    Ctrl-C, the temporary file does not stay behind."""
    directory = target.parent if str(target.parent) else Path()
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding=encoding, errors="backslashreplace", newline="\n") as out:
            out.write(text)
        os.chmod(temporary, _file_mode(target))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _file_mode(target: Path) -> int:
    """The replaced file's permissions, or those of a new file (mkstemp's are 0600)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
