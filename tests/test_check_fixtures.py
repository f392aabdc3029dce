"""`alembic-analyzer check` on the example projects: exact output and exit status."""

from __future__ import annotations

from tests.helpers import run_cli

TWO_HEADS = "fixtures/two-heads/migrations/versions/"


def test_two_heads_is_one_multiple_heads_finding_with_the_merge_fix() -> None:
    result = run_cli(["check", "fixtures/two-heads"])
    assert result.returncode == 1, result.stderr
    assert result.stdout == (
        f"{TWO_HEADS}5a9e0c3d7b18_add_reorder_threshold.py:15:1: error: 2 heads: 5a9e0c3d7b18, "
        'e03b6f2c9d41; `alembic upgrade head` fails with "Multiple head revisions are present". '
        'Merge them: alembic merge -m "merge heads" 5a9e0c3d7b18 e03b6f2c9d41 [multiple-heads]\n'
        "Found 1 problem (1 error) in 5 revisions.\n"
    )
    assert result.stderr == ""


def test_the_finding_shows_when_either_head_is_the_file_named() -> None:
    result = run_cli(["check", f"{TWO_HEADS}e03b6f2c9d41_create_suppliers.py"])
    assert result.returncode == 1
    assert "[multiple-heads]" in result.stdout
    other = run_cli(["check", f"{TWO_HEADS}8d3b5e7a1c22_create_products.py"])
    assert other.returncode == 0, other.stdout
    assert other.stdout == "All checks passed: no problems in 5 revisions.\n"


def test_demo_is_clean() -> None:
    result = run_cli(["check", "fixtures/demo"])
    assert result.returncode == 0, result.stdout
    assert result.stdout == "All checks passed: no problems in 7 revisions.\n"


def test_merged_heads_are_fine() -> None:
    result = run_cli(["check", "fixtures/merged-heads", "--select", "multiple-heads"])
    assert result.returncode == 0, result.stdout
