"""The corpus of bad input (tests/corpus/versions, plus entries made here that git cannot
hold or that are too big to keep): each file gives exactly its expected finding, never a
crash, a hang or a traceback, and a directory holding all of them at once is analyzed
whole (SPEC §10).

The analyzer runs on Python 3.11 in CI, where `type X = int` and PEP 701 f-strings are
syntax errors; on 3.12+ those two files are valid revisions.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from analyzer.api import check
from analyzer.config import Config
from tests.helpers import REPO, run_cli

CORPUS = REPO / "tests" / "corpus" / "versions"
VALIDATE_SARIF = REPO.parent / "shared" / "sarif" / "validate-sarif"
EXECUTED_MARKER = "alembic-analyzer-corpus-was-executed"
"""What `runs_os_system.py` would create in the working directory if it were imported."""
PY312 = sys.version_info >= (3, 12)
TIMEOUT = 120
"""Seconds before a subprocess counts as hung (each case takes about a second)."""


@dataclass(frozen=True)
class Outcome:
    rule: str
    line: int
    column: int
    message: str
    """A substring of the message."""


def invalid(line: int, column: int, message: str) -> Outcome:
    return Outcome("invalid-revision-file", line, column, message)


def dynamic(line: int, message: str) -> Outcome:
    return Outcome("dynamic-revision", line, 1, message)


def no_downgrade(line: int) -> Outcome:
    """The corpus's valid revisions add a column and `pass` in downgrade(): this finding
    at the `def downgrade` line shows the file was read and its lines counted right."""
    return Outcome("missing-downgrade", line, 1, "downgrade() does nothing")


SYNTAX_312 = no_downgrade(24)
NOT_ANALYZED = "the file is too complex to analyze safely"
TOO_DEEP_FOR_PYTHON = "the file nests too deeply for Python's own parser"

COMMITTED: dict[str, Outcome] = {
    # valid revisions in unusual shapes
    "bom.py": no_downgrade(23),
    "crlf.py": no_downgrade(23),
    "cr_only.py": no_downgrade(23),
    "latin1_cookie.py": no_downgrade(24),
    "runs_os_system.py": no_downgrade(24),
    "tabs.py": no_downgrade(23),
    "form_feed.py": no_downgrade(23),
    "python2_print_in_comment.py": no_downgrade(24),
    # files alembic cannot load
    "syntax_error.py": invalid(20, 20, "syntax error: '(' was never closed"),
    "crlf_syntax_error.py": invalid(19, 14, "syntax error: expected ':'"),
    "python2_print.py": invalid(20, 5, "syntax error: Missing parentheses in call to 'print'"),
    "py312_type_alias.py": SYNTAX_312 if PY312 else invalid(11, 6, "syntax error: invalid"),
    "py312_fstring.py": SYNTAX_312 if PY312 else invalid(11, 13, "syntax error: f-string"),
    "tab_error.py": invalid(
        22, 1, "syntax error: inconsistent use of tabs and spaces in indentation"
    ),
    "truncated.py": invalid(20, 37, "syntax error: '(' was never closed"),
    "unterminated_string.py": invalid(20, 16, "syntax error: unterminated string literal"),
    "not_utf8.py": invalid(1, 15, "the file is not valid UTF-8: byte 0xe9 cannot be decoded"),
    "cr_only_not_utf8.py": invalid(20, 44, "the file is not valid UTF-8: byte 0xe9"),
    "bom_and_latin1_cookie.py": invalid(
        1, 1, "starts with a UTF-8 byte order mark but declares the encoding 'latin-1'"
    ),
    "unknown_encoding.py": invalid(1, 1, "invalid encoding declaration: unknown encoding"),
    "utf16.py": invalid(1, 1, "the file is encoded as UTF-16"),
    "binary.py": invalid(1, 8, "the file contains NUL bytes"),
    "nul_byte.py": invalid(20, 25, "the file contains NUL bytes"),
    "empty.py": invalid(1, 1, "no `revision` variable"),
    "helpers_module.py": invalid(1, 1, "no `revision` variable"),
    "illegal_id.py": invalid(13, 1, "revision id 'a1-b2' contains '-'"),
    # revision variables that are not literal strings
    "computed_id.py": dynamic(14, "`revision` is not a literal (uuid.uuid4().hex[:12])"),
    "revision_twice.py": dynamic(17, "`revision` is assigned more than once (also on line 13)"),
    "integer_id.py": dynamic(13, "`revision` is 20240302, not a string"),
    "bytes_id.py": dynamic(13, '(b"b7b7b7b7b7b7")'),
    "none_id.py": dynamic(13, "`revision` is None, not a string"),
    "dynamic_down_revision.py": dynamic(15, "`down_revision` is not a literal"),
}


# --- entries made at test time ---------------------------------------------------------


def revision_with(name: str, value: str) -> str:
    """A revision whose module constant `VALUE` (line 7) holds `value`; `def downgrade`
    is on line 14."""
    return (
        "from alembic import op\nimport sqlalchemy as sa\n\n"
        f'revision = "{name}"\ndown_revision = None\nbranch_labels = ("{name}_branch",)\n'
        f"VALUE = {value}\n\n\n"
        'def upgrade():\n    op.add_column("t", sa.Column("c", sa.Text()))\n\n\n'
        "def downgrade():\n    pass\n"
    )


def text_file(content: Callable[[], str]) -> Callable[[Path], None]:
    return lambda path: path.write_text(content(), encoding="utf-8")


def five_megabytes() -> str:
    """A 5 MB revision: a pasted data dump in the docstring, a seed-data literal (libcst
    needs about a second per 50,000 nodes: this one has 100,000)."""
    notes = "".join(
        f"row {n:07d}: imported from the legacy billing export\n" for n in range(95_000)
    )
    seed = ", ".join(f'("c{n:06d}", "Customer {n}")' for n in range(8_000))
    return f'"""import legacy customers\n\n{notes}"""\n' + revision_with("big5mb", f"[{seed}]")


def symlink(target: str) -> Callable[[Path], None]:
    return lambda path: path.symlink_to(target)


def fifo(path: Path) -> None:
    os.mkfifo(path)


def directory(path: Path) -> None:
    path.mkdir()
    (path / "inside.py").write_text('revision = "hidden"\ndown_revision = None\n')


def sparse_file(size: int) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        with path.open("wb") as handle:
            handle.truncate(size)

    return write


@dataclass(frozen=True)
class Made:
    make: Callable[[Path], None]
    outcome: Outcome | None
    """None: not a revision file at all (alembic skips it too)."""
    isolate: bool = False
    """Run it only in a subprocess: without the nesting gate libcst would kill the process."""


LOADED = no_downgrade(14)
"""The finding of a file built by `revision_with` that is analyzed normally."""

MADE: dict[str, Made] = {
    "parens_1500.py": Made(
        text_file(lambda: revision_with("p1500", "(" * 1500 + "1" + ")" * 1500)),
        invalid(7, 209, "syntax error: too many nested parentheses"),
        isolate=True,
    ),
    "parens_199.py": Made(
        # The deepest CPython accepts; redundant brackets are no `ast` node, so no gate.
        text_file(lambda: revision_with("p199", "(" * 199 + "1" + ")" * 199)),
        LOADED,
        isolate=True,
    ),
    "lists_150.py": Made(
        text_file(lambda: revision_with("l150", "[" * 150 + "]" * 150)),
        invalid(1, 1, NOT_ANALYZED),
        isolate=True,
    ),
    "or_chain_10000.py": Made(
        text_file(lambda: revision_with("or10k", " or ".join(["x"] * 10_000))),
        invalid(1, 1, NOT_ANALYZED),
        isolate=True,
    ),
    "plus_chain_2500.py": Made(
        text_file(lambda: revision_with("plus2500", " + ".join(["1"] * 2_500))),
        invalid(1, 1, NOT_ANALYZED),
        isolate=True,
    ),
    "plus_chain_10000.py": Made(
        text_file(lambda: revision_with("plus10k", " + ".join(["1"] * 10_000))),
        invalid(1, 1, TOO_DEEP_FOR_PYTHON),
        isolate=True,
    ),
    "unary_chain_10000.py": Made(
        text_file(lambda: revision_with("neg10k", "-" * 10_000 + "1")),
        invalid(1, 1, TOO_DEEP_FOR_PYTHON),
        isolate=True,
    ),
    "attribute_chain_10000.py": Made(
        text_file(lambda: revision_with("attr10k", "sa" + ".x" * 10_000)),
        invalid(1, 1, TOO_DEEP_FOR_PYTHON),
        isolate=True,
    ),
    "string_concat_4000.py": Made(
        text_file(lambda: revision_with("cat4k", " ".join(['"ab"'] * 4_000))),
        invalid(11, 1, "libcst cannot parse this file"),  # libcst's position
        isolate=True,
    ),
    "string_concat_2000.py": Made(
        text_file(lambda: revision_with("cat2k", " ".join(['"ab"'] * 2_000))),
        LOADED,
        isolate=True,
    ),
    "huge_line.py": Made(
        text_file(lambda: revision_with("line1mb", repr("x" * 1_000_000))), LOADED
    ),
    "five_megabytes.py": Made(text_file(five_megabytes), no_downgrade(95_017), isolate=True),
    "over_20_megabytes.py": Made(
        sparse_file(20 * 1024 * 1024 + 1), invalid(1, 1, "the file is larger than 20 MB")
    ),
    "fifo.py": Made(fifo, invalid(1, 1, "not a regular file: it is a named pipe (FIFO)")),
    "dev_zero.py": Made(symlink("/dev/zero"), invalid(1, 1, "not a regular file: it is a device")),
    "symlink_to_itself.py": Made(
        symlink("symlink_to_itself.py"),
        invalid(1, 1, "cannot read the file: Too many levels of symbolic links"),
    ),
    "dangling_symlink.py": Made(
        symlink("deleted_revision.py"), invalid(1, 1, "cannot read the file: No such file")
    ),
    "directory_named_like_a_revision.py": Made(directory, None),
}


def every_case() -> dict[str, Outcome | None]:
    return {**COMMITTED, **{name: made.outcome for name, made in MADE.items()}}


def populate(versions: Path, names: list[str] | None = None) -> None:
    """Copy the committed corpus files and make the others in `versions`."""
    versions.mkdir(parents=True, exist_ok=True)
    for name in names if names is not None else list(COMMITTED) + list(MADE):
        if name in COMMITTED:
            shutil.copyfile(CORPUS / name, versions / name)
        else:
            MADE[name].make(versions / name)


def finding_tuples(findings: list[dict[str, object]]) -> dict[str, tuple[object, ...]]:
    return {
        Path(str(f["path"])).name: (f["rule"], f["line"], f["column"], f["message"])
        for f in findings
    }


def assert_outcome(name: str, found: tuple[object, ...], expected: Outcome) -> None:
    rule, line, column, message = found
    assert (rule, line, column) == (expected.rule, expected.line, expected.column), name
    assert expected.message in str(message), (name, message)


# --- the corpus is what it says ------------------------------------------------------------


def test_the_table_covers_every_committed_file() -> None:
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted(COMMITTED)


def test_the_big_file_is_five_megabytes() -> None:
    assert len(five_megabytes().encode()) > 5 * 1024 * 1024


def test_committed_files_keep_their_exact_bytes() -> None:
    """`.gitattributes` keeps git from normalizing line endings in the corpus."""
    assert b"\r\n" in (CORPUS / "crlf.py").read_bytes()
    cr_only = (CORPUS / "cr_only.py").read_bytes()
    assert b"\r" in cr_only and b"\n" not in cr_only
    assert (CORPUS / "bom.py").read_bytes().startswith(b"\xef\xbb\xbf")


# --- one file at a time ------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(COMMITTED) + sorted(n for n in MADE if not MADE[n].isolate))
def test_each_case_alone_gives_exactly_its_finding(tmp_path: Path, name: str) -> None:
    if name == "fifo.py" and not hasattr(os, "mkfifo"):
        pytest.skip("named pipes need a POSIX system")
    populate(tmp_path / "versions", [name])
    report = check([str(tmp_path / "versions")], Config(), tmp_path)
    expected = every_case()[name]
    if expected is None:
        assert report.findings == () and report.revisions == 0
        return
    assert len(report.findings) == 1, report.findings
    finding = report.findings[0]
    assert Path(finding.location.path).name == name
    span = finding.location.span
    found = (finding.rule, span.start_line, span.start_col, finding.message)
    assert_outcome(name, found, expected)


@pytest.mark.parametrize("name", sorted(n for n in MADE if MADE[n].isolate))
def test_pathological_files_in_a_subprocess(tmp_path: Path, name: str) -> None:
    """Shapes that would crash or stall libcst (SPEC §10), each in its own process so a
    segfault would fail this test instead of killing pytest."""
    populate(tmp_path / "versions", [name])
    result = run_cli(["check", "--format", "json", "versions"], cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    found = finding_tuples(json.loads(result.stdout)["findings"])
    assert list(found) == [name]
    expected = MADE[name].outcome
    assert expected is not None
    assert_outcome(name, found[name], expected)


@pytest.mark.parametrize(
    "expression", ["(" * 1500 + "1" + ")" * 1500, " or ".join(["x"] * 10_000)], ids=["parens", "or"]
)
def test_libcst_alone_still_crashes_where_the_gate_stops_it(
    tmp_path: Path, expression: str
) -> None:
    """Why the gate exists: libcst's native parser kills the process on these shapes. If
    this fails, a libcst release fixed it and `MAX_NESTING` may be relaxed."""
    source = tmp_path / "shape.py"
    source.write_text(f"x = {expression}\n", encoding="utf-8")
    code = f"import libcst; libcst.parse_module(open({str(source)!r}).read())"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, timeout=TIMEOUT, check=False
    )
    assert result.returncode < 0, "libcst parsed it: see the docstring"


# --- everything at once ----------------------------------------------------------------


def expected_all_at_once() -> dict[str, Outcome]:
    cases = every_case()
    if not hasattr(os, "mkfifo"):
        del cases["fifo.py"]
    return {name: outcome for name, outcome in cases.items() if outcome is not None}


@pytest.fixture(scope="module")
def everything(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project directory whose `versions/` holds every case at once."""
    root = tmp_path_factory.mktemp("corpus")
    names = [n for n in [*COMMITTED, *MADE] if n != "fifo.py" or hasattr(os, "mkfifo")]
    populate(root / "versions", names)
    return root


TEXT_LINE = re.compile(
    r"^versions/(?P<name>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<level>error|warning|note): "
    r"(?P<message>.*) \[(?P<rule>[a-z-]+)\]$"
)


def test_all_at_once_text_one_finding_per_file(everything: Path) -> None:
    result = run_cli(["check", "versions"], cwd=everything)
    assert result.returncode == 1
    assert result.stderr == ""
    *lines, summary = result.stdout.splitlines()
    found: dict[str, tuple[object, ...]] = {}
    for line in lines:
        match = TEXT_LINE.match(line)
        assert match is not None, line
        assert match["name"] not in found, f"two findings for {match['name']}"
        found[match["name"]] = (
            match["rule"],
            int(match["line"]),
            int(match["col"]),
            match["message"],
        )
    expected = expected_all_at_once()
    assert sorted(found) == sorted(expected)
    for name, outcome in expected.items():
        assert_outcome(name, found[name], outcome)
    loaded = len(expected)  # the directory named like a revision is not a revision file
    assert summary.startswith(f"Found {len(expected)} problems (")
    assert summary.endswith(f" in {loaded} revisions.")
    assert not (everything / EXECUTED_MARKER).exists()


def test_all_at_once_json_matches_text(everything: Path) -> None:
    result = run_cli(["check", "--format", "json", "versions"], cwd=everything)
    assert (result.returncode, result.stderr) == (1, "")
    found = finding_tuples(json.loads(result.stdout)["findings"])
    expected = expected_all_at_once()
    assert sorted(found) == sorted(expected)
    for name, outcome in expected.items():
        assert_outcome(name, found[name], outcome)


def test_all_at_once_sarif_validates(everything: Path) -> None:
    if not VALIDATE_SARIF.is_file():
        pytest.skip(f"{VALIDATE_SARIF} (../shared/sarif) is not available")
    result = run_cli(
        ["check", "--format", "sarif", "--output", "out.sarif", "versions"], cwd=everything
    )
    assert (result.returncode, result.stderr, result.stdout) == (1, "", "")
    run = json.loads((everything / "out.sarif").read_text(encoding="utf-8"))["runs"][0]
    found: dict[str, tuple[object, ...]] = {}
    for sarif_result in run["results"]:
        location = sarif_result["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        assert uri.startswith("versions/"), uri  # a broken symlink is located at the link
        region = location["region"]
        found[uri.removeprefix("versions/")] = (
            sarif_result["ruleId"],
            region["startLine"],
            region["startColumn"],
            sarif_result["message"]["text"],
        )
    expected = expected_all_at_once()
    assert sorted(found) == sorted(expected)
    for name, outcome in expected.items():
        assert_outcome(name, found[name], outcome)
    validation = subprocess.run(
        [sys.executable, str(VALIDATE_SARIF), str(everything / "out.sarif")],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert validation.returncode == 0, validation.stdout + validation.stderr


ANNOTATION = re.compile(r"^::(?:error|warning|notice) file=versions/(?P<name>[^,]+),line=(\d+),")


def test_all_at_once_github_annotations_into_a_file(everything: Path) -> None:
    output = everything / "annotations.txt"
    result = run_cli(
        ["check", "--format", "github", "--output", str(output), "versions"], cwd=everything
    )
    assert (result.returncode, result.stderr, result.stdout) == (1, "", "")
    names = []
    for line in output.read_text(encoding="utf-8").splitlines():
        match = ANNOTATION.match(line)
        assert match is not None, line
        names.append(match["name"])
    assert sorted(names) == sorted(expected_all_at_once())
    assert [p.name for p in everything.iterdir() if p.name.endswith(".tmp")] == []


def test_all_at_once_graph_and_debug_facts(everything: Path) -> None:
    graph = run_cli(["graph", "--format", "json", "versions"], cwd=everything)
    assert (graph.returncode, graph.stderr) == (0, "")
    json.loads(graph.stdout)
    facts = run_cli(["debug", "facts", "versions/syntax_error.py"], cwd=everything)
    assert (facts.returncode, facts.stderr) == (0, "")
    assert "'(' was never closed" in json.loads(facts.stdout)["problem"]["message"]
    fifo = run_cli(["debug", "facts", "versions/fifo.py"], cwd=everything)
    assert (fifo.returncode, fifo.stderr) == (
        2,
        "alembic-analyzer: error: 'versions/fifo.py' is not a file\n",
    )
