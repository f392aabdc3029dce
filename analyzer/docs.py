"""Rule documentation, generated from the rule docstrings: one text for `explain`,
`docs/rules/<rule-id>.md` and SARIF `help`."""

from __future__ import annotations

from analyzer.rules import Rule


def rule_markdown(rule: type[Rule]) -> str:
    doc = rule.doc()
    state = "opt-in (enable with `--extend-select`)" if rule.opt_in else "enabled by default"
    lines = [
        f"# {rule.id}",
        "",
        f"{doc.title}",
        "",
        f"Default level: **{rule.default_level.value}** · {state}",
        "",
    ]
    body = rule.docstring().partition("\n")[2].strip()
    lines.append(body)
    return "\n".join(lines).rstrip() + "\n"
