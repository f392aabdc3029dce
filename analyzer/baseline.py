"""Baselines: accept today's findings, report only new ones.

A baseline is a JSON file: `{"version": 1, "findings": [{"fingerprint", "rule", "path",
"message"}, ...]}`. Only `fingerprint` is matched (`Finding.stable_id`: rule + revision
id, or the project-relative path, + stable content; no line numbers), so a baselined
finding stays hidden when lines move. Matching is a multiset: two identical findings need
two entries, and a third one is new. `rule`, `path` and `message` are there for people
reading the file; entries are sorted so that line shifts do not change the file.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from analyzer.configfile import ConfigError
from analyzer.findings import Finding

VERSION = 1
_SHAPE = '{"version": 1, "findings": [{"fingerprint": ...}, ...]}'


@dataclass(frozen=True)
class Baseline:
    fingerprints: Counter[str]

    def apply(self, findings: Iterable[Finding]) -> tuple[list[Finding], int]:
        """(the findings not in the baseline, how many were hidden)."""
        remaining = Counter(self.fingerprints)
        kept: list[Finding] = []
        hidden = 0
        for finding in findings:
            if remaining[finding.fingerprint] > 0:
                remaining[finding.fingerprint] -= 1
                hidden += 1
            else:
                kept.append(finding)
        return kept, hidden


def load_baseline(path: Path, shown: str) -> Baseline:
    """Read a baseline file; any problem is a `ConfigError` (exit status 2)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read baseline '{shown}': {error.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"baseline '{shown}' is not valid UTF-8") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(f"baseline '{shown}' is not valid JSON: {error}") from None
    if not isinstance(data, dict) or "findings" not in data or "version" not in data:
        raise ConfigError(f"'{shown}' is not an alembic-analyzer baseline (expected {_SHAPE})")
    if data["version"] != VERSION:
        raise ConfigError(
            f"baseline '{shown}' has version {data['version']!r}; "
            f"this alembic-analyzer reads version {VERSION}"
        )
    entries = data["findings"]
    if not isinstance(entries, list) or not all(
        isinstance(entry, dict) and isinstance(entry.get("fingerprint"), str) for entry in entries
    ):
        raise ConfigError(
            f"baseline '{shown}': 'findings' must be a list of objects with a "
            f"'fingerprint' string (expected {_SHAPE})"
        )
    return Baseline(Counter(entry["fingerprint"] for entry in entries))


def render_baseline(findings: Sequence[Finding], directory: Path) -> str:
    """The baseline file for `findings`; paths relative to the baseline's `directory`."""
    entries = sorted(
        (
            {
                "fingerprint": finding.fingerprint,
                "rule": finding.rule,
                "path": _relative(finding.location.path, directory),
                "message": finding.message,
            }
            for finding in findings
        ),
        key=lambda entry: (entry["path"], entry["rule"], entry["message"], entry["fingerprint"]),
    )
    return (
        json.dumps({"version": VERSION, "findings": entries}, indent=2, ensure_ascii=False) + "\n"
    )


def _relative(path: str, directory: Path) -> str:
    try:
        return Path(os.path.relpath(path, directory)).as_posix()
    except ValueError:
        return Path(path).as_posix()
