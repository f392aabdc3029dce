"""What the terminal shows: colours, the summary line, --statistics, --quiet, progress."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from analyzer.findings import Finding, Level, Location
from analyzer.positions import Span
from analyzer.progress import MIN_FILES, ProgressLine, wanted
from analyzer.report import summary_line
from analyzer.rules.base import revision_file
from tests.helpers import run_cli, write_files

VERSIONS = "migrations/versions"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two heads, two broken files and a dynamic value: 4 findings of 3 rules."""
    root = tmp_path_factory.mktemp("output")
    write_files(
        root,
        {
            "alembic.ini": "[alembic]\nscript_location = %(here)s/migrations\n",
            f"{VERSIONS}/a.py": revision_file("a"),
            f"{VERSIONS}/b.py": revision_file("b", "a"),
            f"{VERSIONS}/c.py": "import os\n"
            + revision_file("c", "a").replace("depends_on = None", "depends_on = os.environ['X']"),
            f"{VERSIONS}/x.py": "x = (\n",
            f"{VERSIONS}/y.py": "down_revision = None\n",
        },
    )
    return root


LINES = [
    f"{VERSIONS}/b.py:1:1: error: 2 heads: b, c; `alembic upgrade head` fails with "
    '"Multiple head revisions are present". Merge them: alembic merge -m "merge heads" b c '
    "[multiple-heads]",
    f"{VERSIONS}/c.py:5:1: warning: `depends_on` is not a literal (os.environ['X']): its "
    "dependencies cannot be checked. Assign a string, a tuple of strings or None. "
    "[dynamic-revision]",
    f"{VERSIONS}/x.py:1:5: error: syntax error: '(' was never closed [invalid-revision-file]",
    f"{VERSIONS}/y.py:1:1: error: no `revision` variable: alembic cannot load this file. Add "
    '`revision = "<id>"`, or move the file out of the versions directory '
    "[invalid-revision-file]",
]
SUMMARY = "Found 4 problems (3 errors, 1 warning) in 5 revisions."


def test_plain_output(project: Path) -> None:
    result = run_cli(["check"], cwd=project)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [*LINES, SUMMARY]
    assert result.stderr == ""


def test_statistics_count_findings_per_rule(project: Path) -> None:
    result = run_cli(["check", "--statistics"], cwd=project)
    assert result.stdout.splitlines() == [
        *LINES,
        "2  invalid-revision-file  error",
        "1  dynamic-revision       warning",
        "1  multiple-heads         error",
        SUMMARY,
    ]


def test_quiet_leaves_out_the_summary(project: Path) -> None:
    assert run_cli(["check", "-q"], cwd=project).stdout.splitlines() == LINES
    quiet_statistics = run_cli(["check", "-q", "--statistics"], cwd=project)
    assert quiet_statistics.stdout.splitlines()[-1] == "1  multiple-heads         error"
    clean = run_cli(["check", "-q", "--select", "revision-cycle"], cwd=project)
    assert (clean.returncode, clean.stdout) == (0, "")


def test_statistics_needs_the_text_format(project: Path) -> None:
    result = run_cli(["check", "--statistics", "--format", "json"], cwd=project)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "alembic-analyzer: error: --statistics needs the text format\n"


# --- colour -------------------------------------------------------------------------------

BOLD, RESET, RED, YELLOW, DIM = "\x1b[1m", "\x1b[0m", "\x1b[1;31m", "\x1b[1;33m", "\x1b[2m"
COLOURED_FIRST = (
    f"{BOLD}{VERSIONS}/b.py:1:1:{RESET} {RED}error{RESET}: 2 heads: b, c; `alembic upgrade "
    'head` fails with "Multiple head revisions are present". Merge them: alembic merge -m '
    f'"merge heads" b c {DIM}[multiple-heads]{RESET}'
)


def _first_line(project: Path, *args: str, env: dict[str, str] | None = None) -> str:
    environment = {"NO_COLOR": "", "FORCE_COLOR": "", **(env or {})}
    return run_cli(["check", *args], cwd=project, env=environment).stdout.splitlines()[0]


@pytest.mark.parametrize(
    ("args", "env", "coloured"),
    [
        ((), {}, False),  # a pipe
        (("--color", "always"), {}, True),
        (("--color", "always"), {"NO_COLOR": "1"}, True),
        ((), {"FORCE_COLOR": "1"}, True),
        ((), {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        (("--color", "never"), {"FORCE_COLOR": "1"}, False),
    ],
)
def test_colour_options_and_environment(
    project: Path, args: tuple[str, ...], env: dict[str, str], coloured: bool
) -> None:
    assert _first_line(project, *args, env=env) == (COLOURED_FIRST if coloured else LINES[0])


def test_the_warning_level_has_its_colour(project: Path) -> None:
    lines = run_cli(["check", "--color", "always"], cwd=project).stdout.splitlines()
    assert f" {YELLOW}warning{RESET}: " in lines[1]
    assert lines[-1] == SUMMARY


def _on_a_terminal(
    args: list[str], cwd: Path, env: dict[str, str], stream: str = "stdout"
) -> tuple[str, str]:
    """Run the CLI with `stream` on a pseudo-terminal and the other one on a pipe:
    (what the terminal received, what the pipe received)."""
    controller, terminal = pty.openpty()
    unset = ("CI", "PRE_COMMIT", "NO_COLOR", "FORCE_COLOR")
    environment = {k: v for k, v in os.environ.items() if k not in unset} | env
    on_stdout = stream == "stdout"
    process = subprocess.Popen(
        [sys.executable, "-m", "analyzer", *args],
        cwd=cwd,
        env=environment,
        stdout=terminal if on_stdout else subprocess.PIPE,
        stderr=subprocess.PIPE if on_stdout else terminal,
    )
    os.close(terminal)
    received = bytearray()
    while True:
        try:
            data = os.read(controller, 65536)
        except OSError:  # EIO: the process closed the terminal
            break
        if not data:
            break
        received += data
    os.close(controller)
    pipe = process.stderr if on_stdout else process.stdout
    assert pipe is not None
    piped = pipe.read()
    process.wait(timeout=120)
    return received.decode("utf-8"), piped.decode("utf-8")


def test_colour_on_a_terminal_unless_no_color(project: Path) -> None:
    coloured, _ = _on_a_terminal(["check"], project, {})
    assert coloured.splitlines()[0] == COLOURED_FIRST
    plain, _ = _on_a_terminal(["check"], project, {"NO_COLOR": "1"})
    assert plain.splitlines()[0] == LINES[0]
    dumb, _ = _on_a_terminal(["check"], project, {"TERM": "dumb"})
    assert dumb.splitlines()[0] == LINES[0]


# --- the summary line -------------------------------------------------------------------------


def _finding(level: Level) -> Finding:
    return Finding("r", level, "m", Location("/p/a.py", Span(1, 1, 1, 1)))


@pytest.mark.parametrize(
    ("levels", "revisions", "suppressed", "baselined", "line"),
    [
        ((), 0, 0, 0, "All checks passed: no problems in 0 revisions."),
        ((), 1, 0, 0, "All checks passed: no problems in 1 revision."),
        ((), 412, 3, 0, "All checks passed: no problems in 412 revisions; 3 suppressed."),
        (
            (Level.ERROR, Level.ERROR, Level.WARNING),
            412,
            0,
            0,
            "Found 3 problems (2 errors, 1 warning) in 412 revisions.",
        ),
        (
            (Level.NOTE,),
            2,
            1,
            12,
            "Found 1 problem (1 note) in 2 revisions; 1 suppressed, 12 hidden by the baseline.",
        ),
        (
            (Level.WARNING,),
            2,
            0,
            1,
            "Found 1 problem (1 warning) in 2 revisions; 1 hidden by the baseline.",
        ),
    ],
)
def test_summary_line(
    levels: tuple[Level, ...], revisions: int, suppressed: int, baselined: int, line: str
) -> None:
    findings = [_finding(level) for level in levels]
    assert summary_line(findings, revisions, suppressed=suppressed, baselined=baselined) == line


# --- progress ---------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_counts_then_erases_itself() -> None:
    stream = _Terminal()
    progress = ProgressLine(stream)
    total = 250
    for done in range(1, total + 1):
        progress(done, total)
    updates = stream.getvalue().split("\r\x1b[K")
    assert updates[0] == ""
    assert updates[1] == "Parsing revision files: 1/250"
    assert updates[2] == "Parsing revision files: 2/250"
    assert updates[-2] == "Parsing revision files: 248/250"
    assert updates[-1] == ""  # erased at the end
    # before the first write, file 1, every second file (1 % of 250) up to 248, the erase
    assert len(updates) == 1 + 1 + 124 + 1


def test_no_progress_for_small_projects() -> None:
    stream = _Terminal()
    progress = ProgressLine(stream)
    for done in range(1, MIN_FILES):
        progress(done, MIN_FILES - 1)
    assert stream.getvalue() == ""


@pytest.mark.parametrize(
    ("terminal", "env", "shown"),
    [
        (True, {}, True),
        (False, {}, False),
        (True, {"CI": "true"}, False),
        (True, {"PRE_COMMIT": "1"}, False),
    ],
)
def test_progress_only_on_an_interactive_terminal(
    terminal: bool, env: dict[str, str], shown: bool
) -> None:
    stream = _Terminal() if terminal else io.StringIO()
    assert wanted(stream, env) is shown


@pytest.fixture(scope="module")
def long_chain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("long")
    files = {"alembic.ini": "[alembic]\nscript_location = %(here)s/migrations\n"}
    parent = None
    for number in range(MIN_FILES + 10):
        files[f"{VERSIONS}/r{number:04d}.py"] = revision_file(f"r{number}", parent)
        parent = f"r{number}"
    return write_files(root, files)


def test_progress_appears_on_a_terminal_and_never_in_a_pipe(long_chain: Path) -> None:
    on_terminal, stdout = _on_a_terminal(["check"], long_chain, {}, stream="stderr")
    assert "Parsing revision files: 1/210" in on_terminal
    assert on_terminal.endswith("\r\x1b[K")
    assert stdout == "All checks passed: no problems in 210 revisions.\n"
    piped = run_cli(["check"], cwd=long_chain)
    assert (piped.stdout, piped.stderr) == (stdout, "")
    in_ci, _ = _on_a_terminal(["check"], long_chain, {"CI": "1"}, stream="stderr")
    assert in_ci == ""
