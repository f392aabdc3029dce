"""Byte-exact snapshots of every output format, on one shared set of findings.

`project/` is the analyzed project: a syntax-error file, a non-ASCII file name and
revision id, a file with CRLF line endings, and findings with related locations.
To accept new output, run `UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_report_snapshots.py`
and review the diff of `tests/snapshots/`.
"""

from __future__ import annotations

import os
from pathlib import Path

SNAPSHOTS = Path(__file__).resolve().parent
PROJECT = SNAPSHOTS / "project"


def assert_snapshot(name: str, actual: str) -> None:
    """`actual` equals the bytes of `tests/snapshots/<name>` (rewritten when the
    environment variable UPDATE_SNAPSHOTS is set)."""
    path = SNAPSHOTS / name
    data = actual.encode("utf-8")
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.write_bytes(data)
        return
    how = "run UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_report_snapshots.py and review"
    assert path.is_file(), f"no snapshot tests/snapshots/{name}: {how}"
    expected = path.read_bytes()
    assert data.decode("utf-8") == expected.decode("utf-8"), f"{name} changed: {how}"
