"""Configuration (SPEC §8): discovery, every key, every error message, CLI precedence."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.api import Report, check
from analyzer.config import CliSettings, Config, ConfigError, load_config
from analyzer.configfile import find_config_file
from analyzer.findings import Level
from analyzer.globs import PathPattern
from analyzer.rules.base import revision_file
from tests.helpers import run_cli, write_files

INI = "[alembic]\nscript_location = %(here)s/migrations\n"
VERSIONS = "migrations/versions"
BRANCHED = {
    "alembic.ini": INI,
    f"{VERSIONS}/a.py": revision_file("a"),
    f"{VERSIONS}/b.py": revision_file("b", "a"),
    f"{VERSIONS}/c.py": revision_file("c", "a"),
    f"{VERSIONS}/legacy/d.py": "",
}
"""Two heads (b, c) on a; `legacy/d.py` is not loaded (no recursion)."""


def _project(root: Path, config: str | None = None, **files: str) -> Path:
    write_files(root, {**BRANCHED, **files})
    if config is not None:
        (root / "pyproject.toml").write_text(config, encoding="utf-8")
    return root


def _config(root: Path, **cli: object) -> Config:
    return load_config(CliSettings(**cli), root).config  # type: ignore[arg-type]


def _run(root: Path, **cli: object) -> Report:
    return check([], _config(root, **cli), root)


def _found(report: Report, root: Path) -> list[tuple[str, str, int]]:
    return [
        (f.rule, Path(f.location.path).relative_to(root).as_posix(), f.location.span.start_line)
        for f in report.findings
    ]


def _error(root: Path, config: str, **cli: object) -> str:
    _project(root, config)
    with pytest.raises(ConfigError) as error:
        _config(root, **cli)
    return str(error.value)


# --- discovery ----------------------------------------------------------------------------


def test_the_nearest_pyproject_with_the_table_is_found_walking_up(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.alembic-analyzer]\n", encoding="utf-8")
    inner = tmp_path / "pkg" / "sub"
    inner.mkdir(parents=True)
    (tmp_path / "pkg" / "pyproject.toml").write_text("[tool.black]\n", encoding="utf-8")
    assert find_config_file(inner) == tmp_path / "pyproject.toml"


def test_a_standalone_file_wins_over_pyproject_in_the_same_directory(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.alembic-analyzer]\n", encoding="utf-8")
    (tmp_path / "alembic-analyzer.toml").write_text("", encoding="utf-8")
    assert find_config_file(tmp_path) == tmp_path / "alembic-analyzer.toml"


def test_no_configuration_file_gives_the_defaults(tmp_path: Path) -> None:
    _project(tmp_path)
    resolved = load_config(CliSettings(), tmp_path)
    assert resolved.file is None
    assert resolved.config == Config()
    assert _found(_run(tmp_path), tmp_path) == [("multiple-heads", f"{VERSIONS}/b.py", 1)]


def test_a_standalone_file_has_top_level_keys(tmp_path: Path) -> None:
    _project(tmp_path)
    (tmp_path / "alembic-analyzer.toml").write_text(
        'ignore = ["multiple-heads"]\n', encoding="utf-8"
    )
    assert _found(_run(tmp_path), tmp_path) == []


def test_config_option_reads_the_named_file(tmp_path: Path) -> None:
    _project(tmp_path)
    (tmp_path / "ci.toml").write_text('dialect = "sqlite"\n', encoding="utf-8")
    assert _config(tmp_path, config="ci.toml").dialect == "sqlite"


# --- every key ----------------------------------------------------------------------------


def test_select(tmp_path: Path) -> None:
    _project(tmp_path, '[tool.alembic-analyzer]\nselect = ["missing-revision"]\n')
    assert [r.id for r in _config(tmp_path).enabled_rules()] == ["missing-revision"]
    assert _run(tmp_path).findings == ()


def test_select_all_includes_opt_in_rules(tmp_path: Path) -> None:
    _project(tmp_path, '[tool.alembic-analyzer]\nselect = ["ALL"]\n')
    assert "unused-suppression" in [r.id for r in _config(tmp_path).enabled_rules()]


def test_extend_select_adds_an_opt_in_rule(tmp_path: Path) -> None:
    _project(tmp_path, '[tool.alembic-analyzer]\nextend-select = ["unused-suppression"]\n')
    enabled = [r.id for r in _config(tmp_path).enabled_rules()]
    assert "unused-suppression" in enabled
    assert "multiple-heads" in enabled


def test_ignore(tmp_path: Path) -> None:
    _project(tmp_path, '[tool.alembic-analyzer]\nignore = ["multiple-heads"]\n')
    assert "multiple-heads" not in [r.id for r in _config(tmp_path).enabled_rules()]
    assert _run(tmp_path).findings == ()


def test_levels(tmp_path: Path) -> None:
    _project(tmp_path, '[tool.alembic-analyzer.levels]\nmultiple-heads = "note"\n')
    report = _run(tmp_path)
    assert [(f.rule, f.level) for f in report.findings] == [("multiple-heads", Level.NOTE)]


def test_dialect(tmp_path: Path) -> None:
    _project(tmp_path, '[tool.alembic-analyzer]\ndialect = "mysql"\n')
    assert _config(tmp_path).dialect == "mysql"


def test_versions_are_relative_to_the_configuration_file(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "db/revs/a.py": revision_file("a"),
            "db/revs/b.py": revision_file("b", "zzz"),
            "pyproject.toml": '[tool.alembic-analyzer]\nversions = ["db/revs"]\n',
            "src/app/__init__.py": "",
        },
    )
    below = tmp_path / "src" / "app"
    report = check([], _config(below), below)
    assert _found(report, tmp_path) == [("missing-revision", "db/revs/b.py", 2)]


def test_exclude_hides_findings_of_excluded_files_only(tmp_path: Path) -> None:
    config = '[tool.alembic-analyzer]\nexclude = ["migrations/versions/b.py"]\n'
    _project(
        tmp_path,
        config,
        **{f"{VERSIONS}/e.py": revision_file("e", "gone"), f"{VERSIONS}/b.py": "x = 1\n"},
    )
    report = _run(tmp_path)
    # b.py's own finding is hidden; the graph still has b.py's file loaded.
    assert _found(report, tmp_path) == [("missing-revision", f"{VERSIONS}/e.py", 2)]
    assert report.suppressed == 0
    assert report.revisions == 4


def test_exclude_keeps_a_graph_finding_that_also_points_at_another_file(tmp_path: Path) -> None:
    _project(tmp_path, '[tool.alembic-analyzer]\nexclude = ["b.py"]\n')
    assert _found(_run(tmp_path), tmp_path) == [("multiple-heads", f"{VERSIONS}/b.py", 1)]
    _project(tmp_path, '[tool.alembic-analyzer]\nexclude = ["b.py", "c.py"]\n')
    assert _run(tmp_path).findings == ()


def test_per_file_ignores(tmp_path: Path) -> None:
    config = (
        "[tool.alembic-analyzer.per-file-ignores]\n"
        '"migrations/versions/[bc].py" = ["multiple-heads"]\n'
        '"**/x.py" = ["ALL"]\n'
    )
    _project(tmp_path, config, **{f"{VERSIONS}/x.py": "down_revision = None\n"})
    report = _run(tmp_path)
    assert report.findings == ()
    assert report.suppressed == 2


def test_per_file_ignores_only_the_rules_listed(tmp_path: Path) -> None:
    config = '[tool.alembic-analyzer]\nper-file-ignores = {"*.py" = ["missing-revision"]}\n'
    _project(tmp_path, config)
    assert _found(_run(tmp_path), tmp_path) == [("multiple-heads", f"{VERSIONS}/b.py", 1)]


def test_fail_on(tmp_path: Path) -> None:
    _project(
        tmp_path,
        '[tool.alembic-analyzer]\nfail-on = "error"\n'
        '[tool.alembic-analyzer.levels]\nmultiple-heads = "warning"\n',
    )
    result = run_cli(["check"], cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert ": warning: 2 heads" in result.stdout


# --- precedence: command line > file > defaults -------------------------------------------


def test_cli_select_replaces_the_files_selection(tmp_path: Path) -> None:
    _project(
        tmp_path,
        '[tool.alembic-analyzer]\nselect = ["missing-revision"]\n'
        'extend-select = ["unused-suppression"]\n',
    )
    config = _config(tmp_path, select=("multiple-heads",))
    assert [r.id for r in config.enabled_rules()] == ["multiple-heads"]


def test_cli_ignore_and_extend_select_apply_after_the_file(tmp_path: Path) -> None:
    _project(tmp_path, '[tool.alembic-analyzer]\nselect = ["multiple-heads", "missing-revision"]\n')
    config = _config(tmp_path, ignore=("missing-revision",), extend_select=("revision-cycle",))
    assert [r.id for r in config.enabled_rules()] == ["multiple-heads", "revision-cycle"]


def test_cli_select_reenables_a_rule_the_file_ignores(tmp_path: Path) -> None:
    _project(tmp_path, '[tool.alembic-analyzer]\nignore = ["multiple-heads"]\n')
    assert [r.id for r in _config(tmp_path, select=("multiple-heads",)).enabled_rules()] == [
        "multiple-heads"
    ]


def test_cli_dialect_versions_and_fail_on_override_the_file(tmp_path: Path) -> None:
    _project(
        tmp_path,
        '[tool.alembic-analyzer]\ndialect = "mysql"\nversions = ["nowhere"]\nfail-on = "note"\n',
    )
    config = _config(tmp_path, dialect="sqlite", versions=(VERSIONS,), fail_on=Level.ERROR)
    assert (config.dialect, config.versions, config.fail_on) == (
        "sqlite",
        (VERSIONS,),
        Level.ERROR,
    )


def test_cli_overrides_the_file_end_to_end(tmp_path: Path) -> None:
    _project(tmp_path, '[tool.alembic-analyzer]\nignore = ["multiple-heads"]\n')
    assert run_cli(["check"], cwd=tmp_path).returncode == 0
    result = run_cli(["check", "--select", "multiple-heads"], cwd=tmp_path)
    assert result.returncode == 1
    assert "[multiple-heads]" in result.stdout


# --- error messages -----------------------------------------------------------------------

ERRORS = [
    (
        '[tool.alembic-analyzer]\nselct = ["multiple-heads"]\n',
        "pyproject.toml:2: unknown key 'selct' in [tool.alembic-analyzer]; did you mean 'select'?",
    ),
    (
        "[tool.alembic-analyzer]\nextend_select = []\n",
        "pyproject.toml:2: unknown key 'extend_select' in [tool.alembic-analyzer]; "
        "did you mean 'extend-select'?",
    ),
    (
        "[tool.alembic-analyzer]\ncolour = true\n",
        "pyproject.toml:2: unknown key 'colour' in [tool.alembic-analyzer]",
    ),
    (
        '[tool.alembic-analyzer]\nselect = [\n  "missing-revision",\n  "multiple-head",\n]\n',
        "pyproject.toml:4: unknown rule 'multiple-head' in 'select'; "
        "did you mean 'multiple-heads'?",
    ),
    (
        '[tool.alembic-analyzer]\nignore = ["ALL"]\n',
        "pyproject.toml:2: unknown rule 'ALL' in 'ignore'",
    ),
    (
        '[tool.alembic-analyzer]\nselect = "multiple-heads"\n',
        "pyproject.toml:2: 'select' must be a list of strings, e.g. select = [\"multiple-heads\"]",
    ),
    (
        '[tool.alembic-analyzer]\nexclude = "legacy"\n',
        "pyproject.toml:2: 'exclude' must be a list of strings, e.g. "
        'exclude = ["migrations/versions/legacy"]',
    ),
    (
        "[tool.alembic-analyzer]\nversions = [1]\n",
        "pyproject.toml:2: 'versions' must be a list of strings, e.g. "
        'versions = ["migrations/versions"]',
    ),
    (
        '[tool.alembic-analyzer]\nlevels = ["multiple-heads"]\n',
        "pyproject.toml:2: 'levels' must be a table, e.g. "
        'levels = {"dynamic-revision" = "error"}',
    ),
    (
        '[tool.alembic-analyzer.levels]\n"dynamic-revison" = "error"\n',
        "pyproject.toml:2: unknown rule 'dynamic-revison' in 'levels'; "
        "did you mean 'dynamic-revision'?",
    ),
    (
        '[tool.alembic-analyzer.levels]\nmultiple-heads = "fatal"\n',
        "pyproject.toml:1: level 'fatal' of 'multiple-heads' in 'levels' is not one of "
        "'error', 'warning' or 'note'",
    ),
    (
        '[tool.alembic-analyzer.levels]\nmultiple-heads = "off"\n',
        "pyproject.toml:1: level 'off' of 'multiple-heads' in 'levels' is not one of "
        "'error', 'warning' or 'note' (to turn a rule off, add it to 'ignore')",
    ),
    (
        '[tool.alembic-analyzer]\ndialect = "postgres"\n',
        "pyproject.toml:2: dialect 'postgres' is not one of 'postgresql', 'mysql', "
        "'sqlite', 'mssql' or 'oracle'; did you mean 'postgresql'?",
    ),
    (
        '[tool.alembic-analyzer]\nfail-on = "never"\n',
        "pyproject.toml:2: 'fail-on' must be one of 'error', 'warning' or 'note'",
    ),
    (
        '[tool.alembic-analyzer.per-file-ignores]\n"legacy/*" = "ALL"\n',
        "pyproject.toml:2: 'per-file-ignores' maps a glob to a list of rule ids; "
        "'legacy/*' maps to 'ALL'",
    ),
    (
        '[tool.alembic-analyzer.per-file-ignores]\n"legacy/*" = ["dynamic-revisions"]\n',
        "pyproject.toml:2: unknown rule 'dynamic-revisions' in 'per-file-ignores'; "
        "did you mean 'dynamic-revision'?",
    ),
    (
        "[tool]\nalembic-analyzer = 3\n",
        "pyproject.toml: 'tool.alembic-analyzer' must be a table",
    ),
    (
        "[tool.alembic-analyzer]\nselect = [\n",
        "pyproject.toml: invalid TOML: ",
    ),
]


@pytest.mark.parametrize(("config", "message"), ERRORS, ids=[m[:40] for _, m in ERRORS])
def test_configuration_errors(tmp_path: Path, config: str, message: str) -> None:
    assert _error(tmp_path, config).startswith(message)
    if not message.endswith(": "):
        assert _error(tmp_path, config) == message


def test_a_config_error_exits_2_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    _project(tmp_path, '[tool.alembic-analyzer]\nselct = ["multiple-heads"]\n')
    result = run_cli(["check"], cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "alembic-analyzer: error: pyproject.toml:2: unknown key 'selct' in "
        "[tool.alembic-analyzer]; did you mean 'select'?\n"
    )


def test_errors_in_a_standalone_file_name_the_top_level(tmp_path: Path) -> None:
    _project(tmp_path)
    (tmp_path / "alembic-analyzer.toml").write_text('\nexlude = ["x"]\n', encoding="utf-8")
    with pytest.raises(
        ConfigError,
        match=r"^alembic-analyzer.toml:2: unknown key 'exlude' in "
        r"the top level; did you mean 'exclude'\?$",
    ):
        _config(tmp_path)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--select", "multiple-heads,mising-revision"],
            "unknown rule 'mising-revision' in --select; did you mean 'missing-revision'?",
        ),
        (["--ignore", "ALL"], "--ignore ALL would disable every rule; use --select instead"),
        (["--extend-select", "nope"], "unknown rule 'nope' in --extend-select"),
        (
            ["--config", "missing.toml"],
            "cannot read config file 'missing.toml': No such file or directory",
        ),
        (["--config", "pyproject.toml"], "pyproject.toml has no [tool.alembic-analyzer] table"),
    ],
)
def test_command_line_errors(tmp_path: Path, args: list[str], message: str) -> None:
    _project(tmp_path, "[project]\nname = 'x'\n")
    result = run_cli(["check", *args], cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"alembic-analyzer: error: {message}\n"


# --- --show-settings ----------------------------------------------------------------------


def test_show_settings_prints_each_value_and_its_source(tmp_path: Path) -> None:
    config = (
        "[tool.alembic-analyzer]\n"
        'select = ["multiple-heads", "missing-revision"]\n'
        'dialect = "mysql"\n'
        'exclude = ["migrations/versions/legacy"]\n'
        "\n"
        "[tool.alembic-analyzer.levels]\n"
        'missing-revision = "warning"\n'
    )
    _project(tmp_path, config, **{f"{VERSIONS}/broken.py": "def f(:\n"})
    result = run_cli(
        ["check", "--show-settings", "--extend-select", "revision-cycle", "--dialect", "sqlite"],
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "Configuration file: pyproject.toml ([tool.alembic-analyzer])\n"
        "\n"
        "Settings:\n"
        '  select           = ["multiple-heads", "missing-revision"]  # pyproject.toml:2\n'
        '  extend-select    = ["revision-cycle"]                      # --extend-select\n'
        "  ignore           = []                                      # default\n"
        '  levels           = { "missing-revision" = "warning" }      # pyproject.toml:6\n'
        '  dialect          = "sqlite"                                # --dialect '
        "(overrides pyproject.toml:3)\n"
        "  versions         = []                                      "
        "# default: from alembic.ini / [tool.alembic]\n"
        '  exclude          = ["migrations/versions/legacy"]          # pyproject.toml:4\n'
        "  per-file-ignores = {}                                      # default\n"
        '  fail-on          = "warning"                               # default\n'
        "\n"
        "Enabled rules (3):\n"
        "  missing-revision  warning (levels)\n"
        "  multiple-heads    error\n"
        "  revision-cycle    error\n"
        "\n"
        "Projects:\n"
        "  . (alembic.ini)\n"
        "    versions: migrations/versions\n"
        "    dialect: sqlite (--dialect (overrides pyproject.toml:3))\n"
    )


def test_show_settings_without_a_configuration_or_a_project(tmp_path: Path) -> None:
    result = run_cli(["check", "--show-settings"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "Configuration file: none found "
        "(alembic-analyzer.toml, or pyproject.toml with [tool.alembic-analyzer])"
    )
    assert "  select           = (not set)  # default: every rule that is not opt-in" in lines
    assert lines[-1].startswith("  none: no alembic.ini (or pyproject.toml with [tool.alembic])")


# --- path patterns ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("legacy", "migrations/versions/legacy/a.py", True),
        ("legacy", "migrations/legacy_versions/a.py", False),
        ("*_old.py", "migrations/versions/x_old.py", True),
        ("migrations/versions/legacy", "migrations/versions/legacy/deep/a.py", True),
        ("migrations/versions/legacy/", "migrations/versions/legacy/a.py", True),
        ("versions/legacy", "migrations/versions/legacy/a.py", False),
        ("migrations/*/a.py", "migrations/versions/a.py", True),
        ("migrations/*/a.py", "migrations/versions/deep/a.py", False),
        ("migrations/**/a.py", "migrations/versions/deep/a.py", True),
        ("migrations/**/a.py", "migrations/a.py", True),
        ("**/a.py", "migrations/versions/a.py", True),
        ("./migrations/versions/[ab].py", "migrations/versions/b.py", True),
        ("migrations/versions/[!ab].py", "migrations/versions/b.py", False),
        ("migrations/versions/?.py", "migrations/versions/ab.py", False),
        ("a.py", "../outside/a.py", False),
    ],
)
def test_path_patterns(tmp_path: Path, pattern: str, path: str, matches: bool) -> None:
    base = tmp_path / "repo"
    assert PathPattern(pattern, base).matches(str(base / path)) is matches
