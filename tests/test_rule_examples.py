"""Every rule's VALID and INVALID examples run as tests (the examples are the rule's docs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.rules import Example, Rule, all_rules
from tests.helpers import analyze_files

CASES = [
    pytest.param(rule, example, valid, id=f"{rule.id}-{'valid' if valid else 'invalid'}-{index}")
    for rule in all_rules()
    for valid, examples in ((True, rule.VALID), (False, rule.INVALID))
    for index, example in enumerate(examples)
]


def test_every_rule_has_examples() -> None:
    for rule in all_rules():
        assert rule.VALID, f"{rule.id} has no VALID example"
        assert rule.INVALID, f"{rule.id} has no INVALID example"
        assert all(example.expect for example in rule.INVALID), rule.id


@pytest.mark.parametrize(("rule", "example", "valid"), CASES)
def test_example(rule: type[Rule], example: Example, valid: bool, tmp_path: Path) -> None:
    findings = analyze_files(tmp_path, example.files, rule, example.dialect)
    found = [(Path(f.location.path).name, f.location.span.start_line) for f in findings]
    assert all(f.rule == rule.id for f in findings)
    if valid:
        assert found == [], [f.message for f in findings]
    else:
        assert found == list(example.expect), [f.message for f in findings]


def test_rule_docs_have_the_sections() -> None:
    for rule in all_rules():
        doc = rule.doc()
        assert doc.title.endswith("."), rule.id
        for section in ("What it does", "Why is this bad?", "Example"):
            assert doc.sections.get(section), f"{rule.id} lacks ## {section}"
        assert "Use instead" in rule.docstring(), rule.id
