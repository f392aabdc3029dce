"""The text format is what editors parse (docs/editors.md): VS Code's problem matchers,
vim's errorformat and emacs compile-mode recover file, line, column, severity and message
from real output. The patterns are read from the docs, so the docs cannot drift; vim and
node run the real thing when they are installed."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO, run_cli, write_files

DOCS = (REPO / "docs" / "editors.md").read_text(encoding="utf-8")
SEVERITY = {"error": "error", "warning": "warning", "note": "note"}

GCC = r"^(.*?):(\d+):(\d*):?\s+(?:fatal\s+)?(warning|error):\s+(.*)$"
"""`$gcc` of the C/C++ extension (ms-vscode.cpptools), file 1 line 2 column 3 severity 4
message 5 (shared/sarif/GITHUB.md §5.1)."""

VIM_ERRORFORMAT_AS_REGEX = re.compile(r"^(.+?):(\d+):(\d+): (.)[^:]*: (.+)$")
"""`%f:%l:%c: %t%*[^:]: %m` as vim compiles it: `%f` followed by a literal is `.\\{-1,}`
(lazy, spaces allowed), `%l`/`%c` digits, `%t` one character, `%*[^:]` skipped, `%m` the
rest."""
VIM_TYPES = {"e": "error", "w": "warning", "n": "note"}

EMACS_GNU = re.compile(
    r"^(?:[A-Za-z][-A-Za-z0-9.]+: ?|[ \t]+(?:in |from))?"
    r"(?P<file>[0-9]*[^0-9\n](?:[^\n :]| [^-/\n]|:[^ \n])*?)"
    r": ?"
    r"(?P<line>[0-9]+)"
    r"(?:-(?P<end_line_a>[0-9]+)(?:\.(?P<end_col_a>[0-9]+))?"
    r"|[.:](?P<col>[0-9]+)(?:-(?:(?P<end_line_b>[0-9]+)\.)?(?P<end_col_b>[0-9]+))?)?"
    r":"
    r"(?: *(?P<warning>FutureWarning|RuntimeWarning|Warning|warning|W:)"
    r"| *(?P<info>[Ii]nfo(?:\b|rmationa?l?)|I:|\[ skipping .+ \]|instantiated from"
    r"|required from|[Nn]ote)"
    r"| *[Ee]rror"
    r"|[0-9]?(?:[^0-9\n]|$)"
    r"|[0-9][0-9][0-9])"
)
"""Emacs 29 compile.el, `compilation-error-regexp-alist-alist` entry `gnu`, translated
from rx: type warning when group `warning` matched, info when `info` did, else error."""


def _docs_tasks_json() -> dict[str, Any]:
    block = re.search(r"```json\n(\{\n  \"version\": \"2.0.0\".*?)\n```", DOCS, re.DOTALL)
    assert block, "docs/editors.md lost its tasks.json example"
    data: dict[str, Any] = json.loads(block.group(1))
    return data


def _docs_errorformat() -> str:
    line = re.search(r"^set errorformat=(.+)$", DOCS, re.MULTILINE)
    assert line, "docs/editors.md lost its errorformat"
    return line.group(1)


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[dict[str, Any]]]:
    """Real text output with errors, warnings and notes, a path with a space and a
    non-ASCII name; and the same findings as JSON (the expected values)."""
    root = tmp_path_factory.mktemp("editors") / "my project"
    versions = "migrations/versions"
    write_files(
        root,
        {
            "alembic.ini": "[alembic]\nscript_location = %(here)s/migrations\n",
            f"{versions}/a.py": "revision = 'a'\ndown_revision = None\n",
            f"{versions}/b_ajouté.py": "revision = 'b'\ndown_revision = 'a'\n",
            f"{versions}/c.py": "import os\nrevision = 'c'\ndown_revision = 'a'\n"
            "depends_on = os.environ['DEP']  # alembic-analyzer: ignore[multiple-heads]\n",
            f"{versions}/d.py": "revision = 'd'\n\n\ndown_revision = 'gone'\n",
            f"{versions}/e.py": "def broken(:\n",
            "pyproject.toml": "[tool.alembic-analyzer]\n"
            'extend-select = ["unused-suppression"]\n'
            '[tool.alembic-analyzer.levels]\n"missing-revision" = "note"\n',
        },
    )
    args = ["check", "my project", "--config", "my project/pyproject.toml"]
    text = run_cli([*args, "--color", "never"], cwd=root.parent)
    data = run_cli([*args, "--format", "json"], cwd=root.parent)
    findings: list[dict[str, Any]] = json.loads(data.stdout)["findings"]
    assert {finding["level"] for finding in findings} == {"error", "warning", "note"}
    assert "my project/migrations/versions/b_ajouté.py" in {f["path"] for f in findings}
    return root.parent, text.stdout, findings


def _expected(findings: list[dict[str, Any]]) -> list[tuple[str, int, int, str, str]]:
    return [
        (f["path"], f["line"], f["column"], f["level"], f"{f['message']} [{f['rule']}]")
        for f in findings
    ]


def test_vscode_problem_matcher_from_the_docs(output: tuple[Path, str, Any]) -> None:
    _, text, findings = output
    pattern = _docs_tasks_json()["tasks"][0]["problemMatcher"]["pattern"]
    regex = re.compile(pattern["regexp"])
    parsed = []
    for line in text.splitlines():
        match = regex.match(line)
        if match:
            file, row, column, severity, message, code = (
                match.group(pattern[key])
                for key in ("file", "line", "column", "severity", "message", "code")
            )
            parsed.append((file, int(row), int(column), severity, f"{message} [{code}]"))
    assert parsed == _expected(findings)


def test_vscode_gcc_matcher_reads_errors_and_warnings(output: tuple[Path, str, Any]) -> None:
    _, text, findings = output
    parsed = [
        (m[1], int(m[2]), int(m[3]), m[4], m[5])
        for line in text.splitlines()
        if (m := re.match(GCC, line))
    ]
    assert parsed == [f for f in _expected(findings) if f[3] != "note"]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_problem_matcher_regexes_in_javascript(output: tuple[Path, str, Any]) -> None:
    """VS Code evaluates the patterns with JavaScript's RegExp: run them there."""
    _, text, findings = output
    custom = _docs_tasks_json()["tasks"][0]["problemMatcher"]["pattern"]["regexp"]
    script = (
        "const [custom, gcc, text] = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "const out = {custom: [], gcc: []};"
        "for (const line of text.split('\\n')) {"
        "  let m = new RegExp(custom).exec(line); if (m) out.custom.push(m.slice(1));"
        "  m = new RegExp(gcc).exec(line); if (m) out.gcc.push(m.slice(1));"
        "}"
        "process.stdout.write(JSON.stringify(out));"
    )
    result = subprocess.run(
        ["node", "-e", script],
        input=json.dumps([custom, GCC, text]),
        capture_output=True,
        text=True,
        check=True,
    )
    parsed = json.loads(result.stdout)
    expected = _expected(findings)
    assert [
        (f, int(row), int(c), s, f"{m} [{code}]") for f, row, c, s, m, code in parsed["custom"]
    ] == expected
    assert [(f, int(row), int(c), s, m) for f, row, c, s, m in parsed["gcc"]] == [
        e for e in expected if e[3] != "note"
    ]


def test_vim_errorformat_semantics(output: tuple[Path, str, Any]) -> None:
    _, text, findings = output
    assert _docs_errorformat() == r"%f:%l:%c:\ %t%*[^:]:\ %m"
    parsed = [
        (m[1], int(m[2]), int(m[3]), VIM_TYPES[m[4]], m[5])
        for line in text.splitlines()
        if (m := VIM_ERRORFORMAT_AS_REGEX.match(line))
    ]
    assert parsed == _expected(findings)


@pytest.mark.skipif(shutil.which("vim") is None, reason="vim is not installed")
def test_vim_quickfix_list(output: tuple[Path, str, Any], tmp_path: Path) -> None:
    """Real vim reads the output with the documented errorformat."""
    cwd, text, findings = output
    (tmp_path / "out.txt").write_text(text, encoding="utf-8")
    items = (
        "map(filter(getqflist(), 'v:val.valid'), "
        "{_, v -> [bufname(v.bufnr), v.lnum, v.col, v.type, v.text]})"
    )
    subprocess.run(
        [
            "vim", "-N", "-u", "NONE", "-i", "NONE", "-es",
            "-c", "set encoding=utf-8",
            "-c", f"cd {cwd}",
            "-c", f"set errorformat={_docs_errorformat()}",
            "-c", f"cgetfile {tmp_path / 'out.txt'}",
            "-c", f"call writefile([json_encode({items})], '{tmp_path / 'qf.json'}')",
            "-c", "qa!",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    quickfix = json.loads((tmp_path / "qf.json").read_text(encoding="utf-8"))
    parsed = [(f, row, c, VIM_TYPES[t], m) for f, row, c, t, m in quickfix]
    assert parsed == _expected(findings)


def test_emacs_compile_mode_gnu_pattern(output: tuple[Path, str, Any]) -> None:
    _, text, findings = output
    parsed = []
    for line in text.splitlines():
        match = EMACS_GNU.match(line)
        if match:
            kind = "warning" if match["warning"] else "info" if match["info"] else "error"
            parsed.append((match["file"], int(match["line"]), int(match["col"]), kind))
    assert parsed == [
        (f, line, col, {"note": "info"}.get(level, level))
        for f, line, col, level, _ in _expected(findings)
    ]


def test_the_summary_and_statistics_lines_are_not_findings(output: tuple[Path, str, Any]) -> None:
    cwd, _, findings = output
    args = ["check", "my project", "--config", "my project/pyproject.toml", "--statistics"]
    text = run_cli(args, cwd=cwd).stdout
    extra = text.splitlines()[len(findings) :]
    assert extra[-1].startswith("Found ")
    assert len(extra) > 2
    custom = re.compile(_docs_tasks_json()["tasks"][0]["problemMatcher"]["pattern"]["regexp"])
    for line in extra:
        assert not custom.match(line)
        assert not re.match(GCC, line)
        assert not VIM_ERRORFORMAT_AS_REGEX.match(line)
        assert not EMACS_GNU.match(line)
