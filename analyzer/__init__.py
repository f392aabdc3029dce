"""alembic-analyzer: a static analyzer for Alembic migration trees.

Public API (imported lazily, so `import analyzer` stays cheap)::

    from analyzer import check, Config, Finding, Level
    report = check(["path/to/project"], Config())
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from analyzer._version import __version__

if TYPE_CHECKING:
    from analyzer.api import Report, check
    from analyzer.config import Config
    from analyzer.findings import Finding, Level, Location

__all__ = ["Config", "Finding", "Level", "Location", "Report", "__version__", "check"]

_LAZY = {
    "check": "analyzer.api",
    "Report": "analyzer.api",
    "Config": "analyzer.config",
    "Finding": "analyzer.findings",
    "Level": "analyzer.findings",
    "Location": "analyzer.findings",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'analyzer' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
