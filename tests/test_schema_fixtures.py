"""Exact findings of `unindexed-foreign-key` and `unanalyzable-sql` on the fk-* fixtures,
through the real command line. Each fixture's README lists them and says why; the
expected output is in tests/snapshots/schema/<fixture>.txt."""

from __future__ import annotations

import pytest

from tests.helpers import FIXTURES, REPO, run_cli

SNAPSHOTS = REPO / "tests" / "snapshots" / "schema"
FK_FIXTURES = sorted(path.name for path in FIXTURES.glob("fk-*"))


def test_every_fk_fixture_has_a_snapshot() -> None:
    assert sorted(path.stem for path in SNAPSHOTS.glob("*.txt")) == FK_FIXTURES


@pytest.mark.parametrize("fixture", FK_FIXTURES)
def test_findings_on_fixture(fixture: str) -> None:
    result = run_cli(
        ["check", f"fixtures/{fixture}", "--select", "unindexed-foreign-key,unanalyzable-sql"]
    )
    assert result.stdout == (SNAPSHOTS / f"{fixture}.txt").read_text(encoding="utf-8")
    assert result.returncode == 1, result.stderr


@pytest.mark.parametrize("fixture", FK_FIXTURES)
def test_no_other_rule_reports_on_fixture(fixture: str) -> None:
    result = run_cli(["check", f"fixtures/{fixture}", "--extend-select", "ALL", "--quiet"])
    rules = {line.rpartition(" [")[2].rstrip("]") for line in result.stdout.splitlines()}
    assert rules == {"unindexed-foreign-key"} | (
        {"unanalyzable-sql"} if fixture == "fk-raw-sql" else set()
    ), result.stdout


def test_the_rule_does_not_apply_to_mysql() -> None:
    result = run_cli(
        [
            "check",
            "fixtures/fk-constructs",
            "--dialect",
            "mysql",
            "--select",
            "unindexed-foreign-key",
        ]
    )
    assert (result.returncode, result.stdout) == (
        0,
        "All checks passed: no problems in 3 revisions.\n",
    )


def test_debug_schema_text_of_a_fixture() -> None:
    result = run_cli(["debug", "schema", "fixtures/fk-raw-sql"])
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Schema at the heads (postgresql): 4 tables"
    assert (
        "table payments  [uncertain]  fixtures/fk-raw-sql/migrations/versions/"
        "a0b1c2d3e4f5_billing_tables_in_sql.py:40" in lines
    )
    assert (
        "  index ix_invoice_lines_invoice_product (invoice_id) WHERE product_code IS NOT NULL  "
        "fixtures/fk-raw-sql/migrations/versions/b1c2d3e4f5a6_concurrent_indexes.py:27"
    ) in lines
    assert (
        "  uncertain: SQL in op.execute runs procedural code  fixtures/fk-raw-sql/migrations/"
        "versions/c2d3e4f5a6b7_refunds_and_housekeeping.py:30"
    ) in lines
