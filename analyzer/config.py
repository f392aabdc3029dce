"""The effective configuration of a run: defaults < configuration file < command line.

`load_config` finds and reads the configuration file (`analyzer.configfile`), applies the
command-line options on top and remembers where each value came from
(`check --show-settings`). Rule selection is layered as in ruff: the file's `select`,
`extend-select` and `ignore` apply first, then the command line's, so `--select` replaces
the file's selection and `--ignore`/`--extend-select` adjust it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from analyzer.configfile import (
    ConfigError,
    FileSettings,
    did_you_mean,
    find_config_file,
    read_config_file,
)
from analyzer.findings import Level
from analyzer.globs import PathPattern
from analyzer.rules import Rule, all_rules

__all__ = [
    "CliSettings",
    "Config",
    "ConfigError",
    "Resolved",
    "Setting",
    "did_you_mean",
    "load_config",
]


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] | None = None
    """Rules to run instead of the default set (every rule that is not opt-in)."""
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    levels: Mapping[str, Level] = field(default_factory=dict)
    dialect: str | None = None
    versions: tuple[str, ...] = ()
    """Versions directories (absolute, or relative to the working directory)."""
    fail_on: Level = Level.WARNING
    exclude: tuple[PathPattern, ...] = ()
    """Files whose findings are not reported (they are still loaded: the graph needs them)."""
    per_file_ignores: tuple[tuple[PathPattern, frozenset[str]], ...] = ()
    """(files, rule ids or ALL) whose findings are not reported."""

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
        chosen |= set(rules) if "ALL" in self.extend_select else set(self.extend_select)
        chosen -= set(self.ignore)
        return [rules[rule_id] for rule_id in sorted(chosen)]

    def level_of(self, rule: type[Rule]) -> Level:
        return self.levels.get(rule.id, rule.default_level)


def check_rule_id(rule_id: str, rules: Mapping[str, type[Rule]], where: str = "") -> None:
    if rule_id != "ALL" and rule_id not in rules:
        raise ConfigError(f"unknown rule {rule_id!r}{where}{did_you_mean(rule_id, rules)}")


@dataclass(frozen=True)
class CliSettings:
    """The options given on the command line (None or empty: not given)."""

    config: str | None = None
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    dialect: str | None = None
    versions: tuple[str, ...] = ()
    fail_on: Level | None = None


@dataclass(frozen=True)
class Setting:
    """One row of `--show-settings`: a key, its value as TOML, and where it came from."""

    key: str
    value: str
    source: str


@dataclass(frozen=True)
class Resolved:
    config: Config
    settings: tuple[Setting, ...]
    file: FileSettings | None


def load_config(cli: CliSettings, cwd: Path) -> Resolved:
    """The configuration file (`--config`, else the nearest one above `cwd`) under the
    command-line options."""
    rule_ids = frozenset(rule.id for rule in all_rules())
    if cli.config is not None:
        path: Path | None = cwd / cli.config
    else:
        path = find_config_file(cwd)
    file = read_config_file(path, cwd, rule_ids) if path is not None else None
    return _resolve(cli, file)


def _cli_rules(values: tuple[str, ...] | None, option: str) -> tuple[str, ...] | None:
    if values is None:
        return None
    rules = {rule.id: rule for rule in all_rules()}
    for rule_id in values:
        if rule_id == "ALL" and option == "--ignore":
            raise ConfigError("--ignore ALL would disable every rule; use --select instead")
        check_rule_id(rule_id, rules, f" in {option}")
    return values


def _selection(
    layers: Iterable[tuple[tuple[str, ...] | None, tuple[str, ...] | None, tuple[str, ...] | None]],
) -> tuple[str, ...] | None:
    """Apply (select, extend-select, ignore) layers in order; None when none sets anything."""
    rules = all_rules()
    chosen: set[str] | None = None
    for select, extend, ignore in layers:
        if select is None and extend is None and ignore is None:
            continue
        if chosen is None:
            chosen = {rule.id for rule in rules if not rule.opt_in}
        if select is not None:
            chosen = {rule.id for rule in rules} if "ALL" in select else set(select)
        if extend is not None:
            chosen |= {rule.id for rule in rules} if "ALL" in extend else set(extend)
        if ignore is not None:
            chosen -= set(ignore)
    return None if chosen is None else tuple(sorted(chosen))


def _resolve(cli: CliSettings, file: FileSettings | None) -> Resolved:
    select = _cli_rules(cli.select, "--select")
    extend = _cli_rules(cli.extend_select, "--extend-select")
    ignore = _cli_rules(cli.ignore, "--ignore")
    f = file
    base = f.path.parent if f is not None else Path()
    file_versions = tuple(str(base / v) for v in f.versions or ()) if f else ()
    config = Config(
        select=_selection(
            [
                (f.select, f.extend_select, f.ignore) if f else (None, None, None),
                (select, extend, ignore),
            ]
        ),
        levels=dict(f.levels or {}) if f else {},
        dialect=cli.dialect or (f.dialect if f else None),
        versions=cli.versions or file_versions,
        fail_on=cli.fail_on or (f.fail_on if f and f.fail_on else Level.WARNING),
        exclude=tuple(PathPattern(p, base) for p in (f.exclude or ())) if f else (),
        per_file_ignores=tuple(
            (PathPattern(pattern, base), frozenset(rules))
            for pattern, rules in ((f.per_file_ignores or {}) if f else {}).items()
        ),
    )
    return Resolved(config, tuple(_settings(cli, file)), file)


# --- provenance (--show-settings) -----------------------------------------------------------

_DEFAULTS = {
    "select": ("(not set)", "default: every rule that is not opt-in"),
    "extend-select": ("[]", "default"),
    "ignore": ("[]", "default"),
    "levels": ("{}", "default: each rule's own level"),
    "dialect": ("(not set)", "default: from sqlalchemy.url in alembic.ini, else postgresql"),
    "versions": ("[]", "default: from alembic.ini / [tool.alembic]"),
    "exclude": ("[]", "default"),
    "per-file-ignores": ("{}", "default"),
    "fail-on": ('"warning"', "default"),
}
_LAYERED = ("select", "extend-select", "ignore")


def toml_value(value: object) -> str:
    """`value` written as TOML (strings, lists, tables, levels)."""
    if isinstance(value, Level):
        return json.dumps(value.value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        items = ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items())
        return f"{{ {items} }}" if items else "{}"
    if isinstance(value, Sequence):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return json.dumps(value)


def _settings(cli: CliSettings, file: FileSettings | None) -> list[Setting]:
    cli_values: dict[str, object] = {
        "select": cli.select,
        "extend-select": cli.extend_select,
        "ignore": cli.ignore,
        "dialect": cli.dialect,
        "versions": cli.versions or None,
        "fail-on": cli.fail_on,
    }
    rows: list[Setting] = []
    for key, (default, default_source) in _DEFAULTS.items():
        from_file = getattr(file, key.replace("-", "_")) if file is not None else None
        from_cli = cli_values.get(key)
        option = f"--{key}"
        if file is not None and from_file is not None and (from_cli is None or key in _LAYERED):
            rows.append(Setting(key, toml_value(from_file), file.where(key)))
        if from_cli is not None:
            source = option
            if file is not None and from_file is not None:
                how = "applied after" if key in _LAYERED else "overrides"
                source += f" ({how} {file.where(key)})"
            rows.append(Setting(key, toml_value(from_cli), source))
        if from_file is None and from_cli is None:
            rows.append(Setting(key, default, default_source))
    return rows
