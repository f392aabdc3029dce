"""Revision files -> `MigrationFacts`. The only package that imports libcst.

`parse_file` and `parse_source` are imported on first use, so that the safe reader in
`analyzer.parsing.source` (used by the cache and the reporters) does not import libcst.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from analyzer.parsing.extract import parse_bytes, parse_file, parse_source

__all__ = ["parse_bytes", "parse_file", "parse_source"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from analyzer.parsing import extract

        return getattr(extract, name)
    raise AttributeError(f"module 'analyzer.parsing' has no attribute {name!r}")
