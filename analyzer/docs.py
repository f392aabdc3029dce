"""Rule documentation, generated from the rule docstrings: one text for `explain`,
`docs/rules/<rule-id>.md` and SARIF `help`.

`scripts/generate_rule_docs.py` writes `rule_pages()` into `docs/rules/`; a test fails
when the files there differ from it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from analyzer.rules import Rule, all_rules

PROJECT_URL = "https://github.com/alembic-analyzer/alembic-analyzer"
RULE_DOCS_URL = f"{PROJECT_URL}/blob/main/docs/rules"
INDEX_PAGE = "README.md"


def rule_page_name(rule: type[Rule]) -> str:
    return f"{rule.id}.md"


def rule_url(rule: type[Rule]) -> str:
    """The rule's page in the repository (SARIF `helpUri`)."""
    return f"{RULE_DOCS_URL}/{rule_page_name(rule)}"


def _state(rule: type[Rule]) -> str:
    return "opt-in (enable with `--extend-select`)" if rule.opt_in else "enabled by default"


def rule_markdown(rule: type[Rule]) -> str:
    doc = rule.doc()
    facts = f"Default level: **{rule.default_level.value}** · {_state(rule)}"
    if rule.tags:
        facts += " · tags: " + ", ".join(f"`{tag}`" for tag in rule.tags)
    lines = [f"# {rule.id}", "", doc.title, "", facts, ""]
    body = rule.docstring().partition("\n")[2].strip()
    lines.append(body)
    return "\n".join(lines).rstrip() + "\n"


def index_markdown(rules: Sequence[type[Rule]]) -> str:
    """`docs/rules/README.md`: every rule with its level, state and summary."""
    lines = [
        "# Rules",
        "",
        "Generated from the rule docstrings by `scripts/generate_rule_docs.py`; do not edit.",
        "`alembic-analyzer rules` prints the same list, `alembic-analyzer explain RULE` a page.",
        "",
        "| rule | level | state | what |",
        "|---|---|---|---|",
    ]
    for rule in rules:
        state = "opt-in" if rule.opt_in else "enabled"
        summary = rule.doc().summary.replace("|", "\\|")
        lines.append(
            f"| [`{rule.id}`]({rule_page_name(rule)}) | {rule.default_level.value} "
            f"| {state} | {summary} |"
        )
    return "\n".join(lines) + "\n"


def rule_pages(rules: Sequence[type[Rule]] | None = None) -> dict[str, str]:
    """File name in `docs/rules/` -> content, for every rule and the index."""
    chosen = all_rules() if rules is None else rules
    pages = {rule_page_name(rule): rule_markdown(rule) for rule in chosen}
    pages[INDEX_PAGE] = index_markdown(chosen)
    return pages


def stale_pages(directory: Path, pages: Mapping[str, str]) -> list[str]:
    """How `directory` differs from `pages`, one line per file (empty when up to date)."""
    problems = []
    for name, content in sorted(pages.items()):
        path = directory / name
        if not path.is_file():
            problems.append(f"missing: {name}")
        elif path.read_text(encoding="utf-8") != content:
            problems.append(f"out of date: {name}")
    problems.extend(
        f"not a rule: {path.name}"
        for path in sorted(directory.glob("*.md"))
        if path.name not in pages
    )
    return problems
