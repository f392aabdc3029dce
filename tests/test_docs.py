"""Rule docs are generated from the rule docstrings, and the checked-in pages are current."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.commands import cli
from analyzer.docs import index_markdown, rule_markdown, rule_pages, stale_pages
from analyzer.rules import Rule, all_rules, get_rule
from tests.helpers import REPO

REGENERATE = "regenerate them: .venv/bin/python scripts/generate_rule_docs.py"


def test_docs_rules_are_up_to_date() -> None:
    problems = stale_pages(REPO / "docs" / "rules", rule_pages())
    assert problems == [], f"docs/rules is stale ({'; '.join(problems)}); {REGENERATE}"


def test_stale_pages_are_detected(tmp_path: Path) -> None:
    pages = {"a.md": "A\n", "b.md": "B\n", "README.md": "index\n"}
    (tmp_path / "a.md").write_text("A\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("old B\n", encoding="utf-8")
    (tmp_path / "gone.md").write_text("removed rule\n", encoding="utf-8")
    assert stale_pages(tmp_path, pages) == [
        "missing: README.md",
        "out of date: b.md",
        "not a rule: gone.md",
    ]


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.id)
def test_explain_prints_the_rule_page(rule: type[Rule]) -> None:
    result = CliRunner().invoke(cli, ["explain", rule.id])
    assert result.exit_code == 0
    assert result.output == rule_pages()[f"{rule.id}.md"] == rule_markdown(rule)


def test_a_page_holds_the_docstring_and_the_rule_facts() -> None:
    rule = get_rule("multiple-heads")
    assert rule is not None
    page = rule_markdown(rule)
    assert page.startswith(
        "# multiple-heads\n\nTwo or more heads in the same branch.\n\n"
        "Default level: **error** · enabled by default · tags: `revision-graph`, `correctness`\n\n"
        "## What it does\n"
    )
    for section in ("## Why is this bad?", "## Example", "Use instead:"):
        assert section in page


def test_the_index_lists_every_rule() -> None:
    index = index_markdown(all_rules())
    for rule in all_rules():
        state = "opt-in" if rule.opt_in else "enabled"
        row = (
            f"| [`{rule.id}`]({rule.id}.md) | {rule.default_level.value} | {state} "
            f"| {rule.doc().summary} |"
        )
        assert row in index.splitlines()
