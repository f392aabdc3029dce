"""Fuzzing: random mutations of real-looking migration files (tests/corpus/seeds: a small
tree with a branch label, a merge, batch mode, helpers and raw SQL) never crash the
analyzer, every report it writes is well-formed, and every SARIF file passes
`../shared/sarif/validate-sarif` (SPEC §10).

Each example copies the seed tree and mutates one or two of its files: lines deleted,
duplicated or swapped, tokens swapped, the file truncated, bytes inserted or replaced
(random ones and ones that break Python: brackets, quotes, NUL, BOM, CR, invalid
UTF-8). The whole pipeline runs in-process (`api.check` and every renderer), and the
command line (`cli.main`) on a share of the examples. CI runs 200 examples
(`FUZZ_EXAMPLES` changes that).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer import cli
from analyzer.api import Report, check
from analyzer.config import Config
from analyzer.findings import Finding, Level
from analyzer.report import render_report
from analyzer.rules import all_rules
from tests.helpers import REPO

SEEDS = REPO / "tests" / "corpus" / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.py"))
VALIDATE_SARIF = REPO.parent / "shared" / "sarif" / "validate-sarif"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))
RULE_IDS = {rule.id for rule in all_rules()}

BREAKING = [
    b"(",
    b")",
    b"[",
    b"{",
    b'"',
    b"'",
    b'"""',
    b"\\",
    b":",
    b"\t",
    b"    ",
    b"\n",
    b"\r",
    b"\r\n",
    b"\x00",
    b"\xff",
    b"\xe9",
    b"\xef\xbb\xbf",
    b"# -*- coding: latin-1 -*-\n",
    b"# -*- coding: nope -*-\n",
    b"# coding: rot13\n",
    b"# coding: utf-16\n",
    b"\xff\xfe",
    b"print 'x'\n",
    b"revision = ",
    b"down_revision = ",
    b"op.",
    b"batch_op.",
    b"def downgrade():\n    pass\n",
    b"with op.batch_alter_table('t') as batch_op:\n",
    b"# alembic-analyzer: ignore[",
    b"# alembic-analyzer: ignore-file[missing-downgrade]\n",
    b" or x" * 200,
    b"((((((((((",
    b"\\ud800",
    b'f"{',
]
"""Fragments that break a file in the ways real half-written files are broken."""

TOKEN = re.compile(rb"\w+|[^\w\s]")
TEXT_LINE = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?:error|warning|note): .+ \[[a-z-]+\]$"
)
SUMMARY = re.compile(
    r"^(All checks passed: no problems|Found \d+ problems? \([^)]*\)) in \d+ revisions?"
    r"(; [^.]*)?\.$"
)


@st.composite
def mutation(draw: st.DrawFn, data: bytes) -> bytes:
    lines = data.splitlines(keepends=True) or [b""]
    kind = draw(
        st.sampled_from(
            ["delete", "duplicate", "swap_lines", "swap_tokens", "truncate", "insert", "replace"]
        )
    )
    at = draw(st.integers(0, len(lines) - 1))
    if kind == "delete":
        return b"".join(lines[:at] + lines[at + 1 :])
    if kind == "duplicate":
        return b"".join(lines[: at + 1] + lines[at:])
    if kind == "swap_lines":
        other = draw(st.integers(0, len(lines) - 1))
        lines[at], lines[other] = lines[other], lines[at]
        return b"".join(lines)
    if kind == "swap_tokens":
        tokens = list(TOKEN.finditer(data))
        if len(tokens) < 2:
            return data
        first, second = sorted(
            draw(st.lists(st.sampled_from(tokens), min_size=2, max_size=2)), key=lambda m: m.start()
        )
        if first.end() > second.start():
            return data
        return (
            data[: first.start()]
            + second.group()
            + data[first.end() : second.start()]
            + first.group()
            + data[second.end() :]
        )
    offset = draw(st.integers(0, len(data)))
    if kind == "truncate":
        return data[:offset]
    fragment = draw(st.one_of(st.sampled_from(BREAKING), st.binary(min_size=1, max_size=16)))
    if kind == "insert":
        return data[:offset] + fragment + data[offset:]
    return data[:offset] + fragment + data[offset + len(fragment) :]


@st.composite
def mutated_trees(draw: st.DrawFn) -> dict[str, bytes]:
    """The seed tree with one or two files mutated one to four times each."""
    tree = {path.name: path.read_bytes() for path in SEED_FILES}
    for name in draw(st.lists(st.sampled_from(sorted(tree)), min_size=1, max_size=2, unique=True)):
        for _ in range(draw(st.integers(1, 4))):
            tree[name] = draw(mutation(tree[name]))
    return tree


def write_tree(versions: Path, tree: dict[str, bytes]) -> None:
    shutil.rmtree(versions, ignore_errors=True)
    versions.mkdir(parents=True)
    for name, data in tree.items():
        (versions / name).write_bytes(data)


def assert_well_placed(finding: Finding, tree: dict[str, bytes]) -> None:
    """A finding names a rule that exists, a file of the tree and a place inside it."""
    assert finding.rule in RULE_IDS
    assert finding.message.strip()
    for location in (finding.location, *finding.related):
        name = Path(location.path).name
        assert name in tree, location.path
        span = location.span
        lines = len(re.split(rb"\r\n|\r|\n", tree[name]))
        assert 1 <= span.start_line <= span.end_line <= lines, (name, span, lines)
        assert span.start_col >= 1 and span.end_col >= 1, (name, span)
        if span.start_line == span.end_line:
            assert span.end_col >= span.start_col, (name, span)


def assert_reports_well_formed(report: Report, root: Path) -> str:
    """Render every format; check the structure of each. Returns the SARIF text."""
    text = render_report("text", report, root)
    *lines, summary = text.splitlines()
    assert all(TEXT_LINE.match(line) for line in lines), text
    assert len(lines) == len(report.findings)
    assert SUMMARY.match(summary), summary
    data = json.loads(render_report("json", report, root))
    assert len(data["findings"]) == len(report.findings)
    github = render_report("github", report, root)
    assert all(line.startswith("::") for line in github.splitlines()), github
    sarif = render_report("sarif", report, root)
    assert len(json.loads(sarif)["runs"][0]["results"]) == len(report.findings)
    return sarif


def validate_sarif(files: list[Path]) -> None:
    if not VALIDATE_SARIF.is_file():
        pytest.skip(f"{VALIDATE_SARIF} (../shared/sarif) is not available")
    result = subprocess.run(
        [sys.executable, str(VALIDATE_SARIF), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]


def test_the_seed_tree_is_clean() -> None:
    """Every finding in the fuzz runs comes from a mutation."""
    report = check([str(SEEDS)], Config(), REPO)
    assert (report.findings, report.revisions) == ((), len(SEED_FILES))


def test_mutated_trees_never_crash_the_analyzer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    versions = tmp_path / "versions"
    written = tmp_path / "sarif"
    written.mkdir()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(tree=mutated_trees(), through_cli=st.integers(0, 4))
    def analyze(tree: dict[str, bytes], through_cli: int) -> None:
        write_tree(versions, tree)
        report = check(["versions"], Config(), tmp_path)
        assert report.revisions == len(tree)
        for finding in report.findings:
            assert_well_placed(finding, tree)
        sarif = assert_reports_well_formed(report, tmp_path)
        digest = hashlib.sha256(sarif.encode()).hexdigest()[:16]
        (written / f"{digest}.sarif").write_text(sarif, encoding="utf-8")
        if through_cli == 0:  # a fifth of the examples: the command line, into a file
            output = tmp_path / "cli.sarif"
            stdout, stderr = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                status = cli.main(["check", "--format", "sarif", "-o", str(output), "versions"])
            assert (stderr.getvalue(), stdout.getvalue()) == ("", "")
            failing = any(f.level.rank >= Level.WARNING.rank for f in report.findings)
            assert status == (1 if failing else 0)
            (written / f"{digest}-cli.sarif").write_bytes(output.read_bytes())

    analyze()
    validate_sarif(sorted(written.iterdir()))
