"""`graph` and `debug facts`: the debug printers double as golden tests."""

from __future__ import annotations

import json

from tests.helpers import run_cli

V = "fixtures/two-heads/migrations/versions"


def test_graph_text_lists_heads_and_history_newest_first() -> None:
    result = run_cli(["graph", "fixtures/two-heads"])
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "revisions:     5\n"
        "heads:         5a9e0c3d7b18, e03b6f2c9d41\n"
        "bases:         2f1c9a8e4b70\n"
        "branch points: c47e91d0a3f5\n"
        "merge points:  (none)\n"
        "\n"
        "c47e91d0a3f5 -> e03b6f2c9d41 (head), create suppliers and link products to them"
        f"  [{V}/e03b6f2c9d41_create_suppliers.py]\n"
        "c47e91d0a3f5 -> 5a9e0c3d7b18 (head), add reorder threshold to stock levels"
        f"  [{V}/5a9e0c3d7b18_add_reorder_threshold.py]\n"
        "8d3b5e7a1c22 -> c47e91d0a3f5 (branchpoint), create stock_levels"
        f"  [{V}/c47e91d0a3f5_create_stock_levels.py]\n"
        f"2f1c9a8e4b70 -> 8d3b5e7a1c22, create products  [{V}/8d3b5e7a1c22_create_products.py]\n"
        f"<base> -> 2f1c9a8e4b70, create warehouses  [{V}/2f1c9a8e4b70_create_warehouses.py]\n"
    )


def test_graph_json_carries_labels_and_dependencies() -> None:
    result = run_cli(["graph", "fixtures/version-locations", "--format", "json"])
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["heads"] == ["0a9b8c7d6e5f", "47147121"]
    assert data["bases"] == ["d4e5f6a7b8c9", "Ia2f0c81e5d7"]
    plugin = {r["revision"]: r for r in data["revisions"]}["47147121"]
    assert plugin["branch_labels"] == ["billing"]
    assert (
        plugin["path"] == "fixtures/version-locations/plugins/billing/versions/47147121_invoices.py"
    )


def test_graph_dot_and_mermaid_draw_every_edge() -> None:
    dot = run_cli(["graph", "fixtures/version-locations", "--format", "dot"]).stdout
    assert '"d4e5f6a7b8c9" -> "Ia2f0c81e5d7" [style=dashed, label="depends_on"];' in dot
    mermaid = run_cli(["graph", "fixtures/version-locations", "--format", "mermaid"]).stdout
    assert mermaid.startswith("flowchart BT\n")
    assert mermaid.count("-->") == 3 and mermaid.count("-. depends_on .->") == 1


def test_debug_facts_prints_what_the_parser_saw() -> None:
    path = f"{V}/e03b6f2c9d41_create_suppliers.py"
    result = run_cli(["debug", "facts", path])
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    assert facts["path"] == path
    assert facts["title"] == "create suppliers and link products to them"
    assert facts["variables"]["revision"]["value"] == "e03b6f2c9d41"
    assert facts["variables"]["revision"]["span"] == [15, 1, 15, 31]
    assert [op["name"] for op in facts["upgrade"]["ops"]][:1] == ["create_table"]
    assert facts["problem"] is None


def test_debug_facts_of_a_missing_file_is_a_one_line_error() -> None:
    result = run_cli(["debug", "facts", "nope.py"])
    assert result.returncode == 2
    assert result.stderr == "alembic-analyzer: error: 'nope.py' is not a file\n"
