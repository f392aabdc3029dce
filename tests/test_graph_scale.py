"""Deep graphs never hit Python's recursion limit (facts built directly, no files)."""

from __future__ import annotations

from analyzer.analysis import Analysis
from analyzer.facts import Assignment, MigrationFacts
from analyzer.graph import RevisionGraph
from analyzer.positions import Span
from analyzer.rules import all_rules

CHAIN = 100_000


def _facts(revision: str, down: str | None, path: str) -> MigrationFacts:
    span = Span(1, 1, 1, 10)
    return MigrationFacts(
        path=path,
        variables={
            "revision": Assignment(revision, span),
            "down_revision": Assignment(down, Span(2, 1, 2, 10)),
        },
    )


def test_linear_chain_of_100000_revisions() -> None:
    files = [_facts(f"r{i}", f"r{i - 1}" if i else None, f"/v/{i:06d}.py") for i in range(CHAIN)]
    files.append(_facts("fork", "r50000", "/v/fork.py"))  # a second head deep in the chain
    analysis = Analysis(files)
    graph = analysis.graph
    assert graph.heads == ("r99999", "fork")
    assert graph.bases == ("r0",)
    assert graph.branch_points == ("r50000",)
    assert graph.cycles == ()
    order = graph.topological_order()
    assert order[0] == "r0" and len(order) == CHAIN + 1
    assert len(graph.ancestors("r99999")) == CHAIN
    assert graph.lineage_labels["r99999"] == frozenset()

    findings = [f for rule in all_rules() for f in rule().check(analysis)]
    assert [(f.rule, f.location.path) for f in findings] == [("multiple-heads", "/v/099999.py")]


def test_cycle_of_100000_revisions() -> None:
    files = [_facts(f"r{i}", f"r{(i - 1) % CHAIN}", f"/v/{i:06d}.py") for i in range(CHAIN)]
    graph = RevisionGraph(files)
    assert len(graph.cycles) == 1
    assert len(graph.cycles[0]) == CHAIN
    assert graph.heads == ()
