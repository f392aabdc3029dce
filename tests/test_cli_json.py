"""`--format json` matches its documented JSON Schema (docs/json-schema.json)."""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import pytest

from tests.helpers import FIXTURES, REPO, run_cli

SCHEMA: dict[str, Any] = json.loads((REPO / "docs" / "json-schema.json").read_text("utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def _errors(document: object) -> list[str]:
    return [f"{error.json_path}: {error.message}" for error in VALIDATOR.iter_errors(document)]


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize(
    ("project", "problems"),
    [("demo", 0), ("two-heads", 1), ("invalid-files", 5), ("revision-cycle", 2), ("monorepo", 3)],
)
def test_real_output_is_valid(project: str, problems: int) -> None:
    result = run_cli(["check", "--format", "json", "."], cwd=FIXTURES / project)
    assert result.returncode in (0, 1), result.stderr
    document = json.loads(result.stdout)
    assert _errors(document) == []
    assert document["summary"]["problems"] == len(document["findings"]) == problems


@pytest.fixture(scope="module")
def two_heads() -> dict[str, Any]:
    result = run_cli(["check", "--format", "json"], cwd=FIXTURES / "two-heads")
    document: dict[str, Any] = json.loads(result.stdout)
    assert document["findings"][0]["related"]
    return document


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (
            lambda d: d["findings"][0].update(level="fatal"),
            "$.findings[0].level: 'fatal' is not one of",
        ),
        (lambda d: d["findings"][0].pop("fingerprint"), "'fingerprint' is a required property"),
        (
            lambda d: d["findings"][0].update(line=0),
            "$.findings[0].line: 0 is less than the minimum of 1",
        ),
        (
            lambda d: d["findings"][0]["related"][0].update(rule="x"),
            "Unevaluated properties are not allowed ('rule' was unexpected)",
        ),
        (lambda d: d.update(version=2), "$.version: 1 was expected"),
        (lambda d: d["summary"].pop("notes"), "'notes' is a required property"),
    ],
)
def test_the_schema_rejects_what_the_format_never_produces(
    two_heads: dict[str, Any], change: Any, error: str
) -> None:
    document = copy.deepcopy(two_heads)
    change(document)
    assert any(error in message for message in _errors(document)), _errors(document)
