"""The revision graph agrees with alembic's own RevisionMap on random trees."""

from __future__ import annotations

import tempfile
from pathlib import Path

from alembic.script.revision import Revision as AlembicRevision
from alembic.script.revision import RevisionMap
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.graph import RevisionGraph
from analyzer.parsing import parse_file
from analyzer.rules.base import revision_file

ID_STYLES = (
    lambda i: f"{i * 7919 + 4096:012x}",  # 12-character hex
    lambda i: f"{i:010x}",
    lambda i: f"kilo{i}",
    lambda i: f"I43e0b{i:05d}",
    lambda i: f"{47147121 + i}",
)

Spec = tuple[str, str | tuple[str, ...] | None, tuple[str, ...] | None, tuple[str, ...] | None]


@st.composite
def revision_trees(draw: st.DrawFn) -> list[Spec]:
    """Random trees: several bases, merges, branch labels, depends_on (ids or labels)."""
    count = draw(st.integers(1, 14))
    style = draw(st.sampled_from(ID_STYLES))
    specs: list[Spec] = []
    labels: list[str] = []
    for index in range(count):
        rev = style(index)
        earlier = [spec[0] for spec in specs]
        if not earlier or draw(st.integers(0, 9)) == 0:
            down: str | tuple[str, ...] | None = None
        else:
            parents = draw(
                st.lists(
                    st.sampled_from(earlier), min_size=1, max_size=min(3, len(earlier)), unique=True
                )
            )
            down = parents[0] if len(parents) == 1 else tuple(parents)
        branch_labels = None
        if draw(st.integers(0, 4)) == 0:
            branch_labels = (f"branch{index}",)
            labels.append(branch_labels[0])
        depends_on = None
        targets = earlier + labels[:-1] if branch_labels else earlier + labels
        if targets and draw(st.integers(0, 4)) == 0:
            depends_on = tuple(
                draw(st.lists(st.sampled_from(targets), min_size=1, max_size=2, unique=True))
            )
        specs.append((rev, down, branch_labels, depends_on))
    return specs


def _alembic_map(specs: list[Spec]) -> RevisionMap:
    return RevisionMap(
        lambda: [
            AlembicRevision(rev, down, dependencies=deps, branch_labels=labels)
            for rev, down, labels, deps in specs
        ]
    )


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(revision_trees())
def test_graph_matches_alembic_revision_map(specs: list[Spec]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        paths = []
        for index, (rev, down, labels, deps) in enumerate(specs):
            path = root / f"{index:03d}_{rev}.py"
            path.write_text(revision_file(rev, down, branch_labels=labels, depends_on=deps))
            paths.append(path)
        graph = RevisionGraph([parse_file(str(p)) for p in paths])

    reference = _alembic_map(specs)
    revisions = {r for r in reference._revision_map.values() if r is not None}
    assert set(graph.heads) == set(reference.heads)
    assert set(graph.bases) == set(reference.bases)
    assert set(graph.branch_points) == {r.revision for r in revisions if r.is_branch_point}
    assert set(graph.merge_points) == {r.revision for r in revisions if r.is_merge_point}
    assert not graph.missing and not graph.cycles
    for head in graph.heads:
        assert graph.lineage_labels[head] == reference.get_revision(head).branch_labels
