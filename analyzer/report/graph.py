"""`alembic-analyzer graph`: the revision graph as text, mermaid, dot or JSON."""

from __future__ import annotations

import json
from pathlib import Path

from analyzer.graph import RevisionGraph
from analyzer.report import relative_path
from analyzer.values import JSONValue

GRAPH_FORMATS = ("text", "mermaid", "dot", "json")


def render(graph: RevisionGraph, fmt: str, cwd: Path) -> str:
    return {"text": _text, "mermaid": _mermaid, "dot": _dot, "json": _json}[fmt](graph, cwd)


def _names(ids: tuple[str, ...]) -> str:
    return ", ".join(ids) if ids else "(none)"


def _text(graph: RevisionGraph, cwd: Path) -> str:
    lines = [
        f"revisions:     {len(graph.revisions)}",
        f"heads:         {_names(graph.heads)}",
        f"bases:         {_names(graph.bases)}",
        f"branch points: {_names(graph.branch_points)}",
        f"merge points:  {_names(graph.merge_points)}",
    ]
    if graph.labels:
        labels = ", ".join(f"{label} ({rev})" for label, rev in sorted(graph.labels.items()))
        lines.append(f"branch labels: {labels}")
    lines.append("")
    heads = set(graph.heads)
    branch_points = set(graph.branch_points)
    merge_points = set(graph.merge_points)
    for rev in reversed(graph.topological_order()):
        revision = graph.revisions[rev]
        down = ", ".join(revision.down_revisions) or "<base>"
        marks = [
            mark
            for mark, present in (
                ("head", rev in heads),
                ("branchpoint", rev in branch_points),
                ("mergepoint", rev in merge_points),
            )
            if present
        ]
        labels = ", ".join(sorted(graph.branch_labels(rev)))
        if labels:
            marks.append(f"label: {labels}")
        if revision.dependencies:
            marks.append("depends on: " + ", ".join(revision.dependencies))
        suffix = f" ({'; '.join(marks)})" if marks else ""
        title = f", {revision.facts.title}" if revision.facts.title else ""
        path = relative_path(revision.path, cwd)
        lines.append(f"{down} -> {rev}{suffix}{title}  [{path}]")
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _edges(graph: RevisionGraph) -> list[tuple[str, str, bool]]:
    order = {rev: graph.revisions[rev].order for rev in graph.revisions}
    return sorted(
        (
            (parent, child, bool(versioned))
            for parent, child, versioned in graph.digraph.edges(data="versioned")
        ),
        key=lambda edge: (order[edge[1]], order[edge[0]]),
    )


def _mermaid(graph: RevisionGraph, cwd: Path) -> str:
    ids = {rev: f"r{index}" for index, rev in enumerate(graph.topological_order())}
    heads = set(graph.heads)
    lines = ["flowchart BT"]
    for rev, node in ids.items():
        title = graph.revisions[rev].facts.title
        label = f"{rev}<br/>{title}" if title else rev
        label = label.replace('"', "#quot;")
        shape = f'(["{label}"])' if rev in heads else f'["{label}"]'
        lines.append(f"    {node}{shape}")
    for parent, child, versioned in _edges(graph):
        arrow = "-->" if versioned else "-. depends_on .->"
        lines.append(f"    {ids[parent]} {arrow} {ids[child]}")
    return "\n".join(lines) + "\n"


def _dot(graph: RevisionGraph, cwd: Path) -> str:
    heads = set(graph.heads)
    lines = ["digraph revisions {", "    rankdir=BT;", "    node [shape=box];"]
    for rev in graph.topological_order():
        title = graph.revisions[rev].facts.title
        label = f"{rev}\\n{_quote(title)}" if title else rev
        style = ", style=bold" if rev in heads else ""
        lines.append(f'    "{_quote(rev)}" [label="{label}"{style}];')
    for parent, child, versioned in _edges(graph):
        style = "" if versioned else ' [style=dashed, label="depends_on"]'
        lines.append(f'    "{_quote(parent)}" -> "{_quote(child)}"{style};')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _ids(ids: tuple[str, ...]) -> list[JSONValue]:
    return list(ids)


def _json(graph: RevisionGraph, cwd: Path) -> str:
    revisions: list[JSONValue] = []
    for rev in graph.topological_order():
        revision = graph.revisions[rev]
        revisions.append(
            {
                "revision": rev,
                "down_revisions": _ids(revision.down_revisions),
                "dependencies": _ids(revision.dependencies),
                "branch_labels": _ids(tuple(sorted(graph.branch_labels(rev)))),
                "declared_branch_labels": _ids(revision.branch_labels),
                "title": revision.facts.title,
                "path": relative_path(revision.path, cwd),
            }
        )
    document: dict[str, JSONValue] = {
        "heads": _ids(graph.heads),
        "bases": _ids(graph.bases),
        "branch_points": _ids(graph.branch_points),
        "merge_points": _ids(graph.merge_points),
        "revisions": revisions,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
