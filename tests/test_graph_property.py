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
    for rev, *_ in specs:
        # every revision, not only heads: labels also go down to ancestors, but only when
        # the labelled revision's descendants are one chain (alembic's `_add_branches`)
        assert graph.branch_labels(rev) == reference.get_revision(rev).branch_labels, rev


LABEL_TREES: dict[str, list[Spec]] = {
    "a labelled revision below a merge keeps its label to itself": [
        ("r0", None, None, None),
        ("r1", None, ("one",), None),
        ("r2", "r1", ("two",), None),
        ("r3", ("r0", "r2"), None, None),
    ],
    "a labelled revision below a branch point": [
        ("r0", None, None, None),
        ("r1", "r0", ("one",), None),
        ("r2", "r1", None, None),
        ("r3", "r1", None, None),
    ],
    "a labelled chain passes its label down to the nearest branch point": [
        ("r0", None, None, None),
        ("r1", "r0", None, None),
        ("r2", "r0", None, None),
        ("r3", "r1", None, None),
        ("r4", "r3", ("one",), None),
        ("r5", "r4", None, None),
    ],
    "a dependent makes a branch point for labels": [
        ("r0", None, None, None),
        ("r1", "r0", None, None),
        ("r2", None, ("other",), ("r1",)),
        ("r3", "r1", ("one",), None),
    ],
}


def test_branch_labels_match_alembic_on_known_trees() -> None:
    for title, specs in LABEL_TREES.items():
        with tempfile.TemporaryDirectory() as directory:
            paths = []
            for index, (rev, down, labels, deps) in enumerate(specs):
                path = Path(directory) / f"{index:03d}_{rev}.py"
                path.write_text(revision_file(rev, down, branch_labels=labels, depends_on=deps))
                paths.append(path)
            graph = RevisionGraph([parse_file(str(p)) for p in paths])
        reference = _alembic_map(specs)
        for rev, *_ in specs:
            expected = reference.get_revision(rev).branch_labels
            assert graph.branch_labels(rev) == expected, (title, rev)
