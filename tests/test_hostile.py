"""Hostile and broken surroundings: configuration that cannot be used, directories that
cannot be listed, files that cannot be read, names and ids that cannot be printed, and
output files that must never be left half-written (SPEC §2, §10).

The tests run as root in CI, where `chmod 000` does not stop reads: unreadable files and
directories are simulated by patching `os.open` / `os.scandir` in-process; the real
`chmod` variants run only as a normal user.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import io
import json
import os
import shutil
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from analyzer import cli
from analyzer.api import check
from analyzer.config import Config
from analyzer.discovery import DiscoveryError
from tests.helpers import REPO, run_cli, write_files

PROJECTS = REPO / "tests" / "corpus" / "projects"
ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0
AS_ROOT = "runs as root, which chmod 000 does not stop (the patched variant covers it)"

REVISION = 'revision = "{id}"\ndown_revision = {down!r}\n\n\ndef upgrade():\n    pass\n'

CONFIG_ERRORS = {
    "missing_versions": "{root}/alembic.ini: the versions directory "
    "{root}/migrations/versions does not exist",
    "malformed_ini": "{root}/alembic.ini: cannot read the alembic configuration: "
    "File contains no section headers.",
    "binary_ini": "{root}/alembic.ini: cannot read the alembic configuration: "
    "File contains no section headers.",
    "points_nowhere": "{root}/alembic.ini: script_location '{root}/db/migrations' "
    "is not a directory",
    "ini_not_utf8": "{root}/alembic.ini: cannot read the alembic configuration: "
    "'utf-8' codec can't decode byte 0xe7 in position 16: invalid continuation byte",
    "bad_interpolation": "{root}/alembic.ini: Bad value substitution: option "
    "'script_location' in section 'alembic' contains an interpolation key 'project_root' "
    "which is not a valid option name. Raw value: '%(project_root)s/migrations'",
    "duplicate_key": "{root}/alembic.ini: cannot read the alembic configuration: While "
    "reading from '{root}/alembic.ini' [line  3]: option 'script_location' in section "
    "'alembic' already exists",
    "no_script_location": "{root}/alembic.ini: no 'script_location' in the [alembic] "
    "section; add it or pass --versions DIR",
    "bad_separator": "{root}/alembic.ini: 'comma' is not a valid path_separator; expected "
    "'space', 'newline', 'os', ':' or ';'",
    "invalid_pyproject": "{root}/pyproject.toml: cannot read the file: Illegal character "
    "'\\n' (at line 2, column 30)",
    "pyproject_wrong_type": "{root}/pyproject.toml [tool.alembic]: 'script_location' must "
    "be a string",
    "package_resource": "{root}/alembic.ini: 'myapp.db:migrations' names a package "
    "resource, which cannot be found without importing the package; pass --versions DIR "
    "instead",
}


def copy_project(name: str, tmp_path: Path) -> Path:
    root = tmp_path / name
    shutil.copytree(PROJECTS / name, root, symlinks=True)
    return root.resolve()


def test_every_corpus_project_has_an_expected_error() -> None:
    assert sorted(p.name for p in PROJECTS.iterdir()) == sorted(CONFIG_ERRORS)


@pytest.mark.parametrize("name", sorted(CONFIG_ERRORS))
@pytest.mark.parametrize("command", [["check"], ["graph"]])
def test_unusable_configuration_is_one_line_and_exit_2(
    tmp_path: Path, name: str, command: list[str]
) -> None:
    root = copy_project(name, tmp_path)
    result = run_cli(command, cwd=root)
    expected = CONFIG_ERRORS[name].format(root=root)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"alembic-analyzer: error: {expected}\n"


def test_a_versions_directory_that_does_not_exist(tmp_path: Path) -> None:
    result = run_cli(["check", "--versions", "migrations/versions"], cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "alembic-analyzer: error: versions directory "
        f"'{tmp_path}/migrations/versions' does not exist\n"
    )


def test_a_path_that_does_not_exist(tmp_path: Path) -> None:
    result = run_cli(["check", "migrations"], cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "alembic-analyzer: error: path 'migrations' does not exist\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need a POSIX system")
def test_an_alembic_ini_that_is_a_fifo_is_not_read(tmp_path: Path) -> None:
    """Opening a FIFO blocks until someone writes to it: it is no configuration file."""
    os.mkfifo(tmp_path / "alembic.ini")
    os.mkfifo(tmp_path / "pyproject.toml")
    result = run_cli(["check"], cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("alembic-analyzer: error: no alembic.ini")


def test_a_versions_directory_that_is_a_symlink_loop(tmp_path: Path) -> None:
    (tmp_path / "versions").symlink_to("versions")
    result = run_cli(["check", "--versions", "versions"], cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"alembic-analyzer: error: versions directory '{tmp_path}/versions' does not exist\n"
    )


def test_directory_symlink_loops_with_recursive_version_locations(tmp_path: Path) -> None:
    """alembic does not follow symlinked directories (`os.walk`), and neither does the
    analyzer: a loop back to the versions directory ends, and no file counts twice."""
    write_files(
        tmp_path,
        {
            "alembic.ini": "[alembic]\nscript_location = migrations\n"
            "recursive_version_locations = true\n",
            "migrations/versions/a1.py": REVISION.format(id="a1", down=None),
            "migrations/versions/2024/b2.py": REVISION.format(id="b2", down="a1"),
        },
    )
    versions = tmp_path / "migrations" / "versions"
    (versions / "2024" / "back_to_versions").symlink_to(versions)
    (versions / "self").symlink_to("self")
    report = check([], Config(), tmp_path)
    assert report.revisions == 2
    assert [f.rule for f in report.findings] == []


def test_a_directory_named_like_a_revision_is_skipped(tmp_path: Path) -> None:
    write_files(tmp_path, {"versions/a1.py": REVISION.format(id="a1", down=None)})
    (tmp_path / "versions" / "b2_not_a_file.py").mkdir()
    report = check(["versions"], Config(), tmp_path)
    assert (report.revisions, report.findings) == (1, ())


# --- unreadable files and directories ---------------------------------------------------


@contextlib.contextmanager
def unreadable(path: Path) -> Iterator[None]:
    """`os.open(path)` fails with EACCES, as it would for another user's 0600 file."""
    real_open = os.open

    def refusing(file: str | bytes | os.PathLike[str], *args: int, **kwargs: int) -> int:
        if os.fspath(file) == str(path):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "open", refusing)
        yield


def test_an_unreadable_revision_is_a_finding_and_the_rest_is_analyzed(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "versions/a1.py": REVISION.format(id="a1", down=None),
            "versions/b2.py": REVISION.format(id="b2", down="a1"),
            "versions/c3.py": REVISION.format(id="c3", down="a1"),
        },
    )
    with unreadable(tmp_path / "versions" / "b2.py"):
        report = check(["versions"], Config(), tmp_path)
    assert [(f.rule, Path(f.location.path).name, f.message) for f in report.findings] == [
        ("invalid-revision-file", "b2.py", "cannot read the file: Permission denied")
    ]
    assert report.revisions == 3


@pytest.mark.skipif(ROOT_USER, reason=AS_ROOT)
def test_an_unreadable_revision_with_chmod(tmp_path: Path) -> None:
    write_files(tmp_path, {"versions/a1.py": REVISION.format(id="a1", down=None)})
    (tmp_path / "versions" / "a1.py").chmod(0)
    try:
        result = run_cli(["check", "versions"], cwd=tmp_path)
    finally:
        (tmp_path / "versions" / "a1.py").chmod(0o644)
    assert (result.returncode, result.stderr) == (1, "")
    assert "a1.py:1:1: error: cannot read the file: Permission denied" in result.stdout


def test_an_unlistable_versions_directory_is_an_error_not_an_empty_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """alembic would silently see no revisions; the analyzer says why it cannot look."""
    write_files(tmp_path, {"versions/a1.py": REVISION.format(id="a1", down=None)})
    versions = str(tmp_path / "versions")
    real_scandir = os.scandir

    def refusing(path: str) -> object:
        if os.fspath(path) == versions:
            raise PermissionError(13, "Permission denied", versions)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    with pytest.raises(DiscoveryError) as error:
        check(["versions"], Config(), tmp_path)
    assert str(error.value) == (
        f"cannot list the versions directory '{versions}': Permission denied"
    )


@pytest.mark.skipif(ROOT_USER, reason=AS_ROOT)
def test_an_unlistable_subdirectory_with_chmod(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "alembic.ini": "[alembic]\nscript_location = m\nrecursive_version_locations = true\n",
            "m/versions/a1.py": REVISION.format(id="a1", down=None),
            "m/versions/old/b2.py": REVISION.format(id="b2", down="a1"),
        },
    )
    old = tmp_path / "m" / "versions" / "old"
    old.chmod(0)
    try:
        result = run_cli(["check"], cwd=tmp_path)
    finally:
        old.chmod(0o755)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"alembic-analyzer: error: cannot list the versions directory '{old}': Permission denied\n"
    )


# --- what cannot be printed --------------------------------------------------------------


@pytest.fixture
def unprintable(tmp_path: Path) -> Path:
    """A file name that is not UTF-8 (latin-1 `café`) and a revision id written as a lone
    surrogate escape: both reach messages, paths and fingerprints."""
    versions = tmp_path / "versions"
    versions.mkdir()
    name = os.fsdecode(b"caf\xe9_menu.py")
    (versions / name).write_text(REVISION.format(id="c4fe", down="gone"), encoding="utf-8")
    (versions / "lone_surrogate.py").write_text(
        'revision = "s1"\ndown_revision = "\\ud800"\n', encoding="utf-8"
    )
    return tmp_path


@pytest.mark.skipif(sys.platform == "win32", reason="file names are UTF-16 on Windows")
@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_names_and_ids_that_are_not_utf8_never_crash_any_format(
    unprintable: Path, fmt: str
) -> None:
    result = run_cli(["check", "--format", fmt, "-o", "report", "versions"], cwd=unprintable)
    assert (result.returncode, result.stderr, result.stdout) == (1, "", "")
    report = (unprintable / "report").read_text(encoding="utf-8")
    if fmt == "text":
        assert report.splitlines()[:2] == [
            "versions/caf\\udce9_menu.py:2:1: error: `down_revision` names 'gone', which no "
            "revision file declares (as a revision); alembic cannot load the history. Point "
            "it at an existing revision or restore the missing file. [missing-revision]",
            "versions/lone_surrogate.py:2:1: error: `down_revision` names '\\ud800', which no "
            "revision file declares (as a revision); alembic cannot load the history. Point "
            "it at an existing revision or restore the missing file. [missing-revision]",
        ]
    elif fmt == "json":
        paths = [f["path"] for f in json.loads(report)["findings"]]
        assert paths == ["versions/caf\udce9_menu.py", "versions/lone_surrogate.py"]
    elif fmt == "sarif":
        results = json.loads(report)["runs"][0]["results"]
        uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
        assert uris == ["versions/caf%E9_menu.py", "versions/lone_surrogate.py"]


def test_warnings_of_the_analyzed_code_never_reach_stderr(tmp_path: Path) -> None:
    """`ast.parse` warns about `"\\d"` and `1if x else y`; under `-W error` (some CI sets
    PYTHONWARNINGS=error) the warning would become a false syntax error."""
    source = 'revision = "w1"\ndown_revision = None\nPATTERN = "\\d+"\nFLAG = 1if True else 2\n'
    write_files(tmp_path, {"versions/w1.py": source})
    for environment in ({}, {"PYTHONWARNINGS": "error"}):
        result = run_cli(["check", "versions"], cwd=tmp_path, env=environment)
        assert (result.returncode, result.stderr) == (0, "")
        assert result.stdout == "All checks passed: no problems in 1 revision.\n"


# --- never a partial output file ---------------------------------------------------------


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_an_error_leaves_an_existing_output_file_alone(tmp_path: Path) -> None:
    root = copy_project("malformed_ini", tmp_path)
    (root / "results.sarif").write_text("previous run\n", encoding="utf-8")
    result = run_cli(["check", "--format", "sarif", "-o", "results.sarif"], cwd=root)
    assert result.returncode == 2
    assert (root / "results.sarif").read_text(encoding="utf-8") == "previous run\n"
    assert leftovers(root) == []


def test_an_error_creates_no_output_file(tmp_path: Path) -> None:
    root = copy_project("points_nowhere", tmp_path)
    result = run_cli(["check", "--format", "json", "-o", "out.json"], cwd=root)
    assert result.returncode == 2
    assert not (root / "out.json").exists()
    assert leftovers(root) == []


def test_an_output_file_in_a_missing_directory(tmp_path: Path) -> None:
    write_files(tmp_path, {"versions/a1.py": REVISION.format(id="a1", down=None)})
    result = run_cli(["check", "-o", "reports/out.txt", "versions"], cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "alembic-analyzer: error: cannot write reports/out.txt: No such file or directory\n"
    )


def test_an_output_path_that_is_a_directory(tmp_path: Path) -> None:
    write_files(tmp_path, {"versions/a1.py": REVISION.format(id="a1", down=None)})
    (tmp_path / "out").mkdir()
    result = run_cli(["check", "-o", "out", "versions"], cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "alembic-analyzer: error: cannot write out: Is a directory\n"
    assert leftovers(tmp_path) == []


def test_an_internal_error_while_rendering_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_files(tmp_path, {"versions/a1.py": REVISION.format(id="a1", down=None)})
    (tmp_path / "out.json").write_text("previous run\n", encoding="utf-8")

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("renderer bug")

    monkeypatch.setattr("analyzer.report.render_report", broken)
    monkeypatch.chdir(tmp_path)
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        status = cli.main(["check", "--format", "json", "-o", "out.json", "versions"])
    assert status == 2
    assert stderr.getvalue() == (
        "alembic-analyzer: internal error: RuntimeError: renderer bug\n"
        "Run again with --debug for the traceback, and please report it.\n"
    )
    assert (tmp_path / "out.json").read_text(encoding="utf-8") == "previous run\n"
    assert leftovers(tmp_path) == []


def test_an_interrupted_write_removes_its_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.sarif"
    target.write_text("previous run\n", encoding="utf-8")

    def interrupted(source: str, destination: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cli.write_output("new report\n", str(target))
    assert target.read_text(encoding="utf-8") == "previous run\n"
    assert leftovers(tmp_path) == []


def test_output_files_get_ordinary_permissions(tmp_path: Path) -> None:
    """The temporary file is created 0600; the report must not stay private to its owner."""
    umask = os.umask(0o022)
    try:
        cli.write_output("report\n", str(tmp_path / "new.txt"))
        existing = tmp_path / "shared.txt"
        existing.write_text("old\n", encoding="utf-8")
        existing.chmod(0o664)
        cli.write_output("report\n", str(existing))
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o644
    assert stat.S_IMODE(existing.stat().st_mode) == 0o664
    assert existing.read_text(encoding="utf-8") == "report\n"


def test_output_to_a_device_is_written_not_replaced(tmp_path: Path) -> None:
    """`-o /dev/null` must not rename a temporary file over /dev/null (as root that
    turns it into a regular file). Checked through a symlink so a regression can only
    replace the link."""
    link = tmp_path / "null"
    link.symlink_to(os.devnull)
    cli.write_output("report\n", str(link))
    assert link.is_symlink() and not link.resolve().is_file()
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need a POSIX system")
def test_output_to_a_fifo_is_written_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        received = pool.submit(fifo.read_text, encoding="utf-8")
        cli.write_output("report\n", str(fifo))
        assert received.result(timeout=30) == "report\n"
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_output_through_a_symlink_replaces_the_file_and_keeps_the_link(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    real = tmp_path / "reports" / "latest.sarif"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "results.sarif"
    link.symlink_to(real)
    cli.write_output("new\n", str(link))
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "new\n"
    assert leftovers(tmp_path) == leftovers(tmp_path / "reports") == []
