"""The effective configuration of a run: which rules, at which levels, for which dialect."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from analyzer.findings import Level
from analyzer.rules import Rule, all_rules


class ConfigError(Exception):
    """Invalid configuration or option (exit status 2; the message says how to fix it)."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] | None = None
    """Rules to run instead of the default set (every rule that is not opt-in)."""
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    levels: Mapping[str, Level] = field(default_factory=dict)
    dialect: str | None = None
    versions: tuple[str, ...] = ()
    fail_on: Level = Level.WARNING

    def enabled_rules(self) -> list[type[Rule]]:
        rules = {rule.id: rule for rule in all_rules()}
        for rule_id in (*(self.select or ()), *self.extend_select, *self.ignore, *self.levels):
            check_rule_id(rule_id, rules)
        if self.select is None:
            chosen = {rule_id for rule_id, rule in rules.items() if not rule.opt_in}
        elif "ALL" in self.select:
            chosen = set(rules)
        else:
            chosen = set(self.select)
        chosen |= set(self.extend_select)
        chosen -= set(self.ignore)
        return [rules[rule_id] for rule_id in sorted(chosen)]

    def level_of(self, rule: type[Rule]) -> Level:
        return self.levels.get(rule.id, rule.default_level)


def check_rule_id(rule_id: str, rules: Mapping[str, type[Rule]]) -> None:
    if rule_id != "ALL" and rule_id not in rules:
        raise ConfigError(f"unknown rule {rule_id!r}{did_you_mean(rule_id, rules)}")
