"""Migration files in a pull request are untrusted (SPEC §1): analyzing a tree whose
revisions, imported modules, env.py, template, configuration and cache would run code if
imported, evaluated, rendered or unpickled executes nothing.

Every payload in tests/corpus/security (and in the cache entries planted here) appends
its name to the file named by $ALEMBIC_ANALYZER_MARKER. `test_the_payloads_do_fire`
shows that each one really runs when Python, alembic, logging, mako or pickle is let at
it; the other tests run every command of the analyzer on the tree and find no marker.

Commands run through the `alembic-analyzer` console script and `python -P -m analyzer`:
`python -m analyzer` without `-P` puts the current directory first on `sys.path`, so a
`click.py` or `json.py` in the analyzed checkout would be imported (README, Security).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO

SECURITY = REPO / "tests" / "corpus" / "security"
MARKER_VARIABLE = "ALEMBIC_ANALYZER_MARKER"
DEFAULT_CACHE_DIRECTORY = ".alembic-analyzer-cache"
CONSOLE_SCRIPT = Path(sys.executable).with_name("alembic-analyzer")
ALEMBIC = Path(sys.executable).with_name("alembic")


def payload(name: str) -> str:
    return f'open(__import__("os").environ["{MARKER_VARIABLE}"], "a").write("{name}\\n")'


class Exploit:
    """Unpickling this calls `exec(payload)`."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (exec, (payload("cache_pickle"),))


def cache_directories() -> set[str]:
    """Where a cache could be looked for: the documented default, and whatever directory
    `analyzer.cache` names once it exists."""
    names = {DEFAULT_CACHE_DIRECTORY}
    if importlib.util.find_spec("analyzer.cache") is not None:
        module = importlib.import_module("analyzer.cache")
        for value in vars(module).values():
            if isinstance(value, str) and "cache" in value and "/" not in value.strip("/"):
                names.add(value.strip("/"))
    return names


def plant_cache(project: Path) -> None:
    """Cache entries keyed by each revision's content hash, in every shape a cache might
    take: pickles, JSON that a careless reader would `eval`, jsonpickle-style JSON."""
    pickled = pickle.dumps(Exploit())
    evaluable = f'{{"facts": {payload("cache_eval")}}}'
    jsonpickle = json.dumps(
        {"py/reduce": [{"py/function": "builtins.exec"}, {"py/tuple": [payload("jsonpickle")]}]}
    )
    for name in cache_directories():
        cache = project / name
        cache.mkdir(parents=True, exist_ok=True)
        (cache / "cache.pickle").write_bytes(pickled)
        (cache / "index.json").write_text(evaluable, encoding="utf-8")
        for revision in (project / "migrations" / "versions").glob("*.py"):
            digest = hashlib.sha256(revision.read_bytes()).hexdigest()
            for key in (digest, digest[:16]):
                (cache / key).write_bytes(pickled)
                (cache / f"{key}.pickle").write_bytes(pickled)
                (cache / f"{key}.pkl").write_bytes(pickled)
                (cache / f"{key}.json").write_text(evaluable, encoding="utf-8")
                (cache / f"{key}.jsonpickle").write_text(jsonpickle, encoding="utf-8")


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A copy of tests/corpus/security with a poisoned cache in the project."""
    root = tmp_path / "security"
    shutil.copytree(SECURITY, root)
    plant_cache(root / "app")
    return root


def environment(marker: Path) -> dict[str, str]:
    return {**os.environ, MARKER_VARIABLE: str(marker), "NO_COLOR": "1"}


def run(command: list[str], cwd: Path, marker: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=cwd,
        env=environment(marker),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def fired(marker: Path) -> list[str]:
    return sorted(marker.read_text(encoding="utf-8").split()) if marker.exists() else []


def test_the_payloads_do_fire(hostile: Path, tmp_path: Path) -> None:
    """What the analyzer must never do, done on purpose: each vector runs its payload."""
    app = hostile / "app"
    marker = tmp_path / "MARKER"
    python = sys.executable
    cache = app / DEFAULT_CACHE_DIRECTORY
    snippets = {
        "import runpy; runpy.run_path('migrations/versions/a1b2c3d4e5f6_create_users.py')",
        "import runpy; runpy.run_path('migrations/versions/__init__.py')",
        "import runpy, sys; sys.path.insert(0, '.'); runpy.run_path("
        "'migrations/versions/b2c3d4e5f6a7_expand_branch.py')['downgrade']()",
        "import sys; sys.path.insert(0, '.'); import myapp.db.constants",
        "import runpy; runpy.run_path('migrations/env.py')",
        "import logging.config; logging.config.fileConfig('alembic.ini')",
        f"import pickle; pickle.loads(open({str(cache / 'cache.pickle')!r}, 'rb').read())",
        f"eval(open({str(cache / 'index.json')!r}).read())",
        "import configparser; c = configparser.ConfigParser();"
        " c.read('../evil_ini/alembic.ini'); eval(c['alembic']['script_location'])",
        "import tomllib; eval(tomllib.load(open('pyproject.toml', 'rb'))"
        "['tool']['alembic-analyzer']['exclude'][0])",
    }
    for snippet in snippets:
        run([python, "-P", "-c", snippet], app, marker)
    run([python, "-c", "import click"], app, marker)  # the checkout first on sys.path
    # alembic itself renders script.py.mako and runs the post-write hook on `revision`
    # (in a copy without the revision whose parent is not a string, which it rejects).
    alembic_app = shutil.copytree(app, tmp_path / "alembic_app")
    (alembic_app / "migrations" / "versions" / "b2c3d4e5f6a7_expand_branch.py").unlink()
    alembic = run([str(ALEMBIC), "revision", "-m", "probe"], alembic_app, marker)
    assert alembic.returncode == 0, alembic.stderr
    assert len(list((alembic_app / "migrations" / "versions").glob("*_probe.py"))) == 1
    assert set(fired(marker)) == {
        "cache_eval",
        "cache_pickle",
        "env_py",
        "eval_in_downgrade",
        "imported_module",
        "ini_value",
        "logging_args",
        "mako_template",
        "module_constant",
        "package_init",
        "post_write_hook",
        "pyproject_exclude",
        "revision_module_level",
        "shadowed_click",
        "shadowed_json",  # alembic's `prepend_sys_path = .` puts the checkout first too
        "shadowed_tomllib",
        "subpackage_init",
        "versions_init",
    }


def analyzer_commands(app: Path) -> list[list[str]]:
    python_files = sorted(str(p.relative_to(app)) for p in app.rglob("*.py"))
    return [
        ["check"],
        *(["check", "--format", fmt, "--output", f"report.{fmt}"] for fmt in ("json", "sarif")),
        ["check", "--format", "github"],
        ["check", "--format", "text", "migrations/versions/b2c3d4e5f6a7_expand_branch.py"],
        ["check", "--versions", "migrations/versions", "--format", "json"],
        ["check", "--show-settings"],
        ["check", "--write-baseline", "baseline.json"],
        ["check", "--baseline", "baseline.json"],
        *(["graph", "--format", fmt] for fmt in ("text", "mermaid", "dot", "json")),
        ["debug", "schema"],
        *(["debug", "facts", path] for path in python_files),
        ["rules"],
        ["explain", "dynamic-revision"],
    ]


@pytest.mark.parametrize(
    "launcher",
    [[str(CONSOLE_SCRIPT)], [sys.executable, "-P", "-m", "analyzer"]],
    ids=["console-script", "python-P-m"],
)
def test_no_command_executes_anything(hostile: Path, tmp_path: Path, launcher: list[str]) -> None:
    assert CONSOLE_SCRIPT.exists(), "the package is installed with its console script"
    app = hostile / "app"
    marker = tmp_path / "MARKER"
    for command in analyzer_commands(app):
        result = run([*launcher, *command], app, marker)
        assert result.returncode in (0, 1), (command, result.stderr)
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr
        assert fired(marker) == [], command
    evil_ini = hostile / "evil_ini"
    for command in (["check"], ["graph"], ["check", "--format", "sarif"]):
        result = run([*launcher, *command], evil_ini, marker)
        assert result.returncode == 2
        assert result.stderr.startswith("alembic-analyzer: error: ")
        assert "is not a directory" in result.stderr
    assert fired(marker) == []


def test_the_hostile_tree_is_still_analyzed_statically(hostile: Path, tmp_path: Path) -> None:
    """Nothing ran, yet the facts are there: the imported constant was read with `ast`."""
    marker = tmp_path / "MARKER"
    app = hostile / "app"
    graph = run([str(CONSOLE_SCRIPT), "graph", "--format", "json"], app, marker)
    assert graph.returncode == 0, graph.stderr
    check = run([str(CONSOLE_SCRIPT), "check", "--format", "json"], app, marker)
    findings = json.loads(check.stdout)["findings"]
    assert [(f["rule"], f["line"]) for f in findings] == [
        ("dynamic-revision", 13),
        ("unanalyzable-sql", 19),
    ]
    assert "(myapp.db.constants.PARENT)" in findings[0]["message"]
    assert '"expand"' in graph.stdout
    assert fired(marker) == []


def test_python_m_without_P_imports_the_checkout(hostile: Path, tmp_path: Path) -> None:
    """Why the README says to run the console script (or `python -P -m analyzer`) on an
    untrusted checkout: `python -m` puts the current directory first on `sys.path`. This
    also shows that a payload that does run is caught by these tests."""
    marker = tmp_path / "MARKER"
    result = run([sys.executable, "-m", "analyzer", "check"], hostile / "app", marker)
    assert result.returncode != 0
    assert "shadowed_click" in fired(marker) or "shadowed_json" in fired(marker)
