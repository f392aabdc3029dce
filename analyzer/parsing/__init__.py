"""Revision files -> `MigrationFacts`. The only package that imports libcst."""

from analyzer.parsing.extract import parse_file, parse_source

__all__ = ["parse_file", "parse_source"]
