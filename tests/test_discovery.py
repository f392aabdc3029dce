"""Finding the versions directories and revision files (SPEC §3), as alembic does."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from analyzer.discovery import DiscoveryError, Project, load_project, select
from analyzer.graph import RevisionGraph
from analyzer.parsing import parse_file
from tests.helpers import FIXTURES, write_files

REVISION = "revision = '{rev}'\ndown_revision = None\n"


def names(project: Project) -> list[str]:
    return [str(p.relative_to(project.root)) for p in project.revision_files()]


def test_script_location_with_here(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "alembic.ini": "[alembic]\nscript_location = %(here)s/migrations\n"
            "sqlalchemy.url = postgresql+psycopg2://u@h/db\n",
            "migrations/versions/b.py": REVISION.format(rev="b"),
            "migrations/versions/a.py": REVISION.format(rev="a"),
            "migrations/versions/__init__.py": "",
            "migrations/versions/.#a.py": "",
            "migrations/versions/README": "",
            "migrations/versions/notes.txt": "",
            "migrations/versions/sub/c.py": REVISION.format(rev="c"),
        },
    )
    project = load_project(tmp_path)
    assert project is not None
    assert names(project) == ["migrations/versions/a.py", "migrations/versions/b.py"]
    assert project.dialect == "postgresql"


def test_relative_script_location_is_relative_to_the_ini(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "alembic.ini": "[alembic]\nscript_location = db\nsqlalchemy.url = driver://u@h/x\n",
            "db/versions/a.py": REVISION.format(rev="a"),
        },
    )
    project = load_project(tmp_path)
    assert project is not None and names(project) == ["db/versions/a.py"]
    assert project.dialect is None


@pytest.mark.parametrize(
    "separator,joined",
    [
        ("path_separator = space\n", "%(here)s/one %(here)s/two"),
        ("path_separator = os\n", f"%(here)s/one{os.pathsep}%(here)s/two"),
        ("path_separator = ;\n", "%(here)s/one;%(here)s/two"),
        ("version_path_separator = newline\n", "\n    %(here)s/one\n    %(here)s/two"),
        ("", "%(here)s/one, %(here)s/two"),
    ],
)
def test_version_locations_and_separators(tmp_path: Path, separator: str, joined: str) -> None:
    write_files(
        tmp_path,
        {
            "alembic.ini": "[alembic]\nscript_location = m\n"
            f"{separator}version_locations = {joined}\n",
            "m/env.py": "",
            "one/a.py": REVISION.format(rev="a"),
            "two/b.py": REVISION.format(rev="b"),
        },
    )
    project = load_project(tmp_path)
    assert project is not None
    assert names(project) == ["one/a.py", "two/b.py"]


def test_recursive_version_locations(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "alembic.ini": "[alembic]\nscript_location = m\nrecursive_version_locations = true\n",
            "m/versions/z.py": REVISION.format(rev="z"),
            "m/versions/2024/expand/a.py": REVISION.format(rev="a"),
            "m/versions/2024/contract/b.py": REVISION.format(rev="b"),
            "m/versions/__pycache__/x.py": "",
        },
    )
    project = load_project(tmp_path)
    assert project is not None
    assert names(project) == [
        "m/versions/z.py",
        "m/versions/2024/contract/b.py",
        "m/versions/2024/expand/a.py",
    ]


def test_ini_recursive_false_wins_over_pyproject(tmp_path: Path) -> None:
    """alembic reads a boolean from the ini when the ini has it, even `false`; only
    otherwise from [tool.alembic]."""
    write_files(
        tmp_path,
        {
            "alembic.ini": "[alembic]\nscript_location = m\nrecursive_version_locations = false\n",
            "pyproject.toml": "[tool.alembic]\nrecursive_version_locations = true\n",
            "m/versions/z.py": REVISION.format(rev="z"),
            "m/versions/sub/a.py": REVISION.format(rev="a"),
        },
    )
    project = load_project(tmp_path)
    assert project is not None
    assert names(project) == ["m/versions/z.py"]
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = m\n")
    project = load_project(tmp_path)
    assert project is not None
    assert names(project) == ["m/versions/z.py", "m/versions/sub/a.py"]


def test_legacy_hex_file_name_is_the_revision_id(tmp_path: Path) -> None:
    """alembic 0.1's fallback: a `<hex>.py` file with no `revision` variable is that id."""
    write_files(
        tmp_path,
        {
            "alembic.ini": "[alembic]\nscript_location = m\n",
            "m/versions/a.py": REVISION.format(rev="a"),
            "m/versions/1975ea83b712.py": "down_revision = 'a'\n",
            "m/versions/1975ea83b712_more.py": "down_revision = '1975ea83b712'\n",
        },
    )
    project = load_project(tmp_path)
    assert project is not None
    graph = RevisionGraph(parse_file(str(p)) for p in project.revision_files())
    assert sorted(graph.revisions) == ["1975ea83b712", "a"]  # `_more` has no id
    assert graph.heads == ("1975ea83b712",)


def test_pyproject_tool_alembic(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "pyproject.toml": '[tool.alembic]\nscript_location = "%(here)s/db"\n'
            'version_locations = ["%(here)s/db/versions", "%(here)s/plugins"]\n',
            "db/versions/a.py": REVISION.format(rev="a"),
            "plugins/p.py": REVISION.format(rev="p"),
        },
    )
    project = load_project(tmp_path)
    assert project is not None
    assert names(project) == ["db/versions/a.py", "plugins/p.py"]


def test_pyproject_without_tool_alembic_is_not_a_project(tmp_path: Path) -> None:
    write_files(tmp_path, {"pyproject.toml": "[project]\nname = 'x'\n"})
    assert load_project(tmp_path) is None


@pytest.mark.parametrize(
    "files,message",
    [
        (
            {"alembic.ini": "[alembic\nscript_location = m\n"},
            "cannot read the alembic configuration",
        ),
        (
            {"alembic.ini": "[alembic]\nsqlalchemy.url = x\n"},
            "no 'script_location' in the [alembic]",
        ),
        ({"alembic.ini": "[alembic]\nscript_location = nowhere\n"}, "is not a directory"),
        ({"alembic.ini": "[alembic]\nscript_location = m\n", "m/env.py": ""}, "does not exist"),
        (
            {
                "alembic.ini": "[alembic]\nscript_location = m\n"
                "path_separator = tab\nversion_locations = a\n"
            },
            "'tab' is not a valid path_separator",
        ),
        ({"pyproject.toml": "[tool.alembic\n"}, "cannot read the file"),
        ({"alembic.ini": "[alembic]\nscript_location = mypkg:migrations\n"}, "package resource"),
    ],
)
def test_configuration_errors_are_clear(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    write_files(tmp_path, files)
    with pytest.raises(DiscoveryError, match=re.escape(message)):
        load_project(tmp_path)


def test_select_without_paths_needs_a_project(tmp_path: Path) -> None:
    with pytest.raises(DiscoveryError, match=r"no alembic\.ini"):
        select([], tmp_path)


def test_select_files_filters_and_ignores_non_migrations(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "alembic.ini": "[alembic]\nscript_location = m\n",
            "m/versions/a.py": REVISION.format(rev="a"),
            "app/models.py": "x = 1\n",
        },
    )
    (target,) = select(["m/versions/a.py", "app/models.py"], tmp_path)
    assert target.project.root == tmp_path.resolve()
    assert target.only_files == {str((tmp_path / "m/versions/a.py").resolve())}


def test_select_directory_without_configuration_is_a_versions_dir(tmp_path: Path) -> None:
    write_files(tmp_path, {"versions/a.py": REVISION.format(rev="a")})
    (target,) = select(["versions"], tmp_path)
    assert target.only_files is None
    assert names(target.project) == ["a.py"]


def test_select_monorepo_root_finds_the_projects_below(tmp_path: Path) -> None:
    ini = "[alembic]\nscript_location = %(here)s/migrations\n"
    write_files(
        tmp_path,
        {
            "services/billing/alembic.ini": ini,
            "services/billing/migrations/versions/a.py": REVISION.format(rev="a"),
            "services/users/alembic.ini": ini,
            "services/users/migrations/versions/b.py": REVISION.format(rev="b"),
        },
    )
    targets = select(["."], tmp_path)
    assert sorted(t.project.root.name for t in targets) == ["billing", "users"]


def test_select_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DiscoveryError, match="path 'nope' does not exist"):
        select(["nope"], tmp_path)


LOADABLE = [
    p.name
    for p in sorted(FIXTURES.iterdir())
    if (p / "alembic.ini").is_file() or (p / "pyproject.toml").is_file()
]


@pytest.mark.parametrize("fixture", LOADABLE)
def test_same_revision_files_as_alembic(fixture: str) -> None:
    """alembic's own ScriptDirectory lists the same files (it imports them: fixtures only)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from alembic.script.base import Script, _only_source_rev_file

    root = FIXTURES / fixture
    ini = root / "alembic.ini"
    config = Config(str(ini)) if ini.is_file() else Config(toml_file=str(root / "pyproject.toml"))
    cwd = Path.cwd()
    os.chdir(root)
    try:
        directory = ScriptDirectory.from_config(config)
        expected = {
            str(path.resolve())
            for location in directory._version_locations
            if location.exists()
            for path in Script._list_py_dir(directory, location)
            if _only_source_rev_file.match(path.name)
        }
    finally:
        os.chdir(cwd)
    project = load_project(root)
    assert project is not None
    assert {str(p.resolve()) for p in project.revision_files()} == expected
