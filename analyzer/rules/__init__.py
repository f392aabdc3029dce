"""The rule registry: every `Rule` subclass defined in a module of this package."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from analyzer.rules.base import Example, Rule

__all__ = ["Example", "Rule", "all_rules", "get_rule"]


@cache
def all_rules() -> tuple[type[Rule], ...]:
    """All rules, sorted by id."""
    for module in pkgutil.iter_modules(__path__):
        if module.name != "base":
            importlib.import_module(f"{__name__}.{module.name}")
    found = [cls for cls in _subclasses(Rule) if "id" in cls.__dict__]
    return tuple(sorted(found, key=lambda cls: cls.id))


def _subclasses(cls: type[Rule]) -> list[type[Rule]]:
    result: list[type[Rule]] = []
    stack = list(cls.__subclasses__())
    while stack:
        sub = stack.pop()
        result.append(sub)
        stack.extend(sub.__subclasses__())
    return result


def get_rule(rule_id: str) -> type[Rule] | None:
    for rule in all_rules():
        if rule.id == rule_id:
            return rule
    return None
