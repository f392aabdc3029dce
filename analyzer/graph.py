"""The revision graph, with alembic's vocabulary (`alembic.script.revision.RevisionMap`).

Nodes are revision ids; an edge goes from each `down_revision` (and each `depends_on`
dependency) to the revision that names it. Edges carry `versioned=True` for
`down_revision` links: only those make heads, bases, branch points and merge points.
Dependencies order revisions but never merge heads.

Structural problems are data here (`missing`, `duplicates`, `cycles`, ...); graph rules
turn them into findings. Every algorithm is iterative and linear: a 100,000-revision chain
works.

The hot paths read plain adjacency lists. networkx, the graph of record for cycles and
exports (`digraph`), is imported and built only when asked for: a tree without cycles
(Kahn's sort places every revision) never needs it, which keeps it out of pre-commit runs.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from analyzer.facts import Assignment, MigrationFacts
from analyzer.positions import FILE_START, Span
from analyzer.values import Value

if TYPE_CHECKING:
    import networkx as nx

ILLEGAL_ID_CHARACTERS = frozenset("@-+")
"""Characters alembic refuses in revision ids (`Revision.verify_rev_id`)."""


def identifiers(value: Value) -> tuple[str, ...] | None:
    """A revision-variable value as alembic reads it (`util.to_tuple`), or None if dynamic.

    An empty string is kept: `down_revision = ""` names a revision "" (alembic fails with
    a KeyError), it does not make a base."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, tuple) and all(isinstance(item, str) for item in value):
        return tuple(item for item in value if isinstance(item, str))
    return None


def _variable_ids(assignment: Assignment | None) -> tuple[str, ...] | None:
    return () if assignment is None else identifiers(assignment.value)


@dataclass(frozen=True, slots=True)
class Revision:
    revision: str
    down_revisions: tuple[str, ...]
    dependencies: tuple[str, ...]
    branch_labels: tuple[str, ...]
    facts: MigrationFacts
    order: int
    """Position in alembic's load order (version locations, then sorted file names)."""

    @property
    def path(self) -> str:
        return self.facts.path

    def span_of(self, variable: str) -> Span:
        """Where a revision variable is assigned (line 1 when it is not)."""
        assignment = self.facts.variables.get(variable)
        return assignment.span if assignment is not None else FILE_START


@dataclass(frozen=True, slots=True)
class MissingReference:
    revision: Revision
    name: str
    kind: Literal["down_revision", "depends_on"]


class RevisionGraph:
    """All revisions of one project, as alembic would load them."""

    def __init__(self, files: Iterable[MigrationFacts]) -> None:
        self.revisions: dict[str, Revision] = {}
        self.declarations: dict[str, list[Revision]] = {}
        self.label_declarations: dict[str, list[Revision]] = {}
        self.unidentified: list[MigrationFacts] = []
        """Files whose `revision` is not a literal: they are in the tree, under unknown ids."""
        self.unparsed: dict[str, MigrationFacts] = {}
        """Ids of files alembic cannot load (`invalid-revision-file`: a syntax error, no
        `down_revision`): not graph nodes, but naming one is not a missing revision, and
        revisions above one have an unknown history (`broken`)."""
        self.unknown_parents: list[Revision] = []
        self.unknown_labels: list[Revision] = []
        self.missing: list[MissingReference] = []
        for order, facts in enumerate(files):
            self._declare(facts, order)
        self.labels: dict[str, str] = {
            label: owners[0].revision for label, owners in self.label_declarations.items()
        }
        self.unidentified_parents: frozenset[str] = frozenset(
            parent
            for facts in (*self.unidentified, *self.unparsed.values())
            for name in _variable_ids(facts.down_revision) or ()
            if (parent := self.resolve_parent(name)) is not None
        )
        """Revisions that a file with a non-literal `revision`, or one that cannot be
        parsed, revises: not heads."""
        self._link()

    # --- building ---------------------------------------------------------------------

    def _declare(self, facts: MigrationFacts, order: int) -> None:
        if facts.problem is not None:
            if facts.revision is not None and isinstance(facts.revision.value, str):
                self.unparsed.setdefault(facts.revision.value, facts)
            return
        revision_id = facts.revision_id()
        if revision_id is None:
            if facts.revision is not None:
                self.unidentified.append(facts)
            return
        if facts.down_revision is None:
            # alembic reads `module.down_revision`: without it the file fails to load
            # (`invalid-revision-file`), like one that cannot be parsed
            self.unparsed.setdefault(revision_id, facts)
            return
        down = _variable_ids(facts.down_revision)
        labels = _variable_ids(facts.branch_labels)
        dependencies = _variable_ids(facts.depends_on) or ()
        if dependencies == ("",):
            dependencies = ()  # alembic ignores a falsy `depends_on` ("" or [""])
        revision = Revision(
            revision=revision_id,
            down_revisions=down or (),
            dependencies=dependencies,
            branch_labels=labels or (),
            facts=facts,
            order=order,
        )
        if down is None:
            self.unknown_parents.append(revision)
        if labels is None:
            self.unknown_labels.append(revision)
        self.declarations.setdefault(revision_id, []).append(revision)
        self.revisions[revision_id] = revision  # the last file wins, as in alembic
        for label in revision.branch_labels:
            self.label_declarations.setdefault(label, []).append(revision)

    def resolve(self, name: str) -> str | None:
        """A revision id or branch label -> the revision id it names, or None.

        This is how alembic resolves `depends_on`; a `down_revision` names a revision id
        only (`resolve_parent`)."""
        if name in self.revisions:
            return name
        return self.labels.get(name)

    def resolve_parent(self, name: str) -> str | None:
        """A `down_revision` entry -> the revision id it names, or None.

        alembic checks the versioned history against the revisions alone (not the branch
        labels): a `down_revision` naming a label fails to load with a KeyError."""
        return name if name in self.revisions else None

    def _link(self) -> None:
        """Resolve every reference into the adjacency lists that the hot paths read
        (networkx views are slow to iterate 100,000 times) and the edge lists `digraph`
        is built from."""
        self.ordered: tuple[str, ...] = tuple(
            sorted(self.revisions, key=lambda rev: self.revisions[rev].order)
        )
        self._parents: dict[str, list[str]] = {rev: [] for rev in self.ordered}
        self._children: dict[str, list[str]] = {rev: [] for rev in self.ordered}
        self._requires: dict[str, list[str]] = {rev: [] for rev in self.ordered}
        self._required_by: dict[str, list[str]] = {rev: [] for rev in self.ordered}
        versioned: list[tuple[str, str]] = []
        dependency: list[tuple[str, str]] = []
        self.above_unparsed: set[str] = set()
        """Revisions whose `down_revision` names a revision in a file that cannot be parsed."""
        for rev in self.ordered:
            revision = self.revisions[rev]
            for name in revision.down_revisions:
                parent = self.resolve_parent(name)
                if parent is None and name in self.unparsed:
                    self.above_unparsed.add(rev)
                elif parent is None:
                    self.missing.append(MissingReference(revision, name, "down_revision"))
                elif parent not in self._parents[rev]:
                    self._parents[rev].append(parent)
                    self._children[parent].append(rev)
                    versioned.append((parent, rev))
            for name in revision.dependencies:
                parent = self.resolve(name)
                if parent is None:
                    if name not in self.unparsed:
                        self.missing.append(MissingReference(revision, name, "depends_on"))
                elif parent not in self._parents[rev] and parent not in self._requires[rev]:
                    self._requires[rev].append(parent)
                    self._required_by[parent].append(rev)
                    dependency.append((parent, rev))
        self._edges = (versioned, dependency)

    @cached_property
    def digraph(self) -> nx.DiGraph:
        """The graph as networkx holds it: nodes in load order, edges with `versioned`
        (True for `down_revision` links, False for `depends_on`). Built on first use."""
        import networkx as nx

        graph = nx.DiGraph()
        graph.add_nodes_from(self.ordered)
        versioned, dependency = self._edges
        graph.add_edges_from(versioned, versioned=True)
        graph.add_edges_from(dependency, versioned=False)
        return graph

    # --- alembic's names ----------------------------------------------------------------

    def children(self, revision: str) -> list[str]:
        """Revisions whose `down_revision` names this one (alembic's `nextrev`)."""
        return self._children[revision]

    def parents(self, revision: str) -> list[str]:
        return self._parents[revision]

    @cached_property
    def heads(self) -> tuple[str, ...]:
        return tuple(
            rev
            for rev in self.ordered
            if not self._children[rev] and rev not in self.unidentified_parents
        )

    @cached_property
    def bases(self) -> tuple[str, ...]:
        return tuple(rev for rev in self.ordered if not self.revisions[rev].down_revisions)

    @cached_property
    def branch_points(self) -> tuple[str, ...]:
        return tuple(rev for rev in self.ordered if len(self._children[rev]) > 1)

    @cached_property
    def merge_points(self) -> tuple[str, ...]:
        return tuple(rev for rev in self.ordered if len(self.revisions[rev].down_revisions) > 1)

    def dependencies(self, revision: str) -> tuple[str, ...]:
        """Resolved `depends_on` targets of a revision."""
        found = (self.resolve(name) for name in self.revisions[revision].dependencies)
        return tuple(rev for rev in found if rev is not None)

    # --- structure ----------------------------------------------------------------------

    @cached_property
    def cycles(self) -> tuple[tuple[str, ...], ...]:
        """Each cycle as the revisions along it (a self-reference is a cycle of one)."""
        if len(self._acyclic_order) == len(self.ordered):
            return ()  # Kahn's sort placed every revision: there is no cycle
        import networkx as nx

        found: list[tuple[str, ...]] = []
        for component in nx.strongly_connected_components(self.digraph):
            if len(component) == 1:
                (node,) = component
                if not self.digraph.has_edge(node, node):
                    continue
                found.append((node,))
                continue
            start = min(component, key=lambda rev: self.revisions[rev].order)
            found.append(self._cycle_through(start, component))
        found.sort(key=lambda cycle: self.revisions[cycle[0]].order)
        return tuple(found)

    def _cycle_through(self, start: str, component: set[str]) -> tuple[str, ...]:
        """A cycle inside a strongly connected component: every member has a successor in
        it, so walking from `start` must come back to a visited revision."""
        path: list[str] = []
        index: dict[str, int] = {}
        node = start
        while node not in index:
            index[node] = len(path)
            path.append(node)
            node = next(
                child
                for child in (*self._children[node], *self._required_by[node])
                if child in component
            )
        cycle = path[index[node] :]
        turn = cycle.index(min(cycle, key=lambda rev: self.revisions[rev].order))
        return tuple(cycle[turn:] + cycle[:turn])

    @cached_property
    def cyclic(self) -> frozenset[str]:
        return frozenset(rev for cycle in self.cycles for rev in cycle)

    def _reach(self, starts: Iterable[str], *steps: dict[str, list[str]]) -> set[str]:
        seen = set(starts)
        queue = deque(seen)
        while queue:
            node = queue.popleft()
            for step in steps:
                for other in step[node]:
                    if other not in seen:
                        seen.add(other)
                        queue.append(other)
        return seen

    def descendants(self, starts: Iterable[str], versioned_only: bool = True) -> set[str]:
        """The start revisions and everything above them (iterative BFS)."""
        if versioned_only:
            return self._reach(starts, self._children)
        return self._reach(starts, self._children, self._required_by)

    def ancestors(self, revision: str, versioned_only: bool = True) -> set[str]:
        """The revision and everything below it (iterative BFS)."""
        if versioned_only:
            return self._reach([revision], self._parents)
        return self._reach([revision], self._parents, self._requires)

    @cached_property
    def broken(self) -> frozenset[str]:
        """Revisions whose history is broken: above a missing reference or a cycle."""
        starts = {m.revision.revision for m in self.missing if m.kind == "down_revision"}
        starts |= self.cyclic
        starts |= {r.revision for r in self.unknown_parents}
        starts |= self.above_unparsed
        return frozenset(self.descendants(starts))

    def topological_order(self) -> tuple[str, ...]:
        """Every revision after its parents and dependencies; ties in load order.

        Revisions on a cycle come last, in load order (the replay still sees them)."""
        return self._topological_order

    @cached_property
    def _topological_order(self) -> tuple[str, ...]:
        if not self.cyclic:
            return self._acyclic_order
        return self._kahn(self.cyclic)

    @cached_property
    def _acyclic_order(self) -> tuple[str, ...]:
        """Kahn's sort with no revision set aside: it leaves out exactly the revisions on
        a cycle and those above one, so it places every revision iff there is none."""
        return self._kahn(frozenset(), complete=False)

    def _kahn(self, cyclic: frozenset[str], complete: bool = True) -> tuple[str, ...]:
        """Revisions after their parents and dependencies (ties in load order), with the
        `cyclic` ones set aside; `complete`: those, and any left unplaced, last."""
        position = {rev: index for index, rev in enumerate(self.ordered)}
        waiting = {
            rev: len(self._parents[rev]) + len(self._requires[rev])
            for rev in self.ordered
            if rev not in cyclic
        }
        for rev in cyclic:
            for child in (*self._children[rev], *self._required_by[rev]):
                if child in waiting:
                    waiting[child] -= 1
        ready = [position[rev] for rev, count in waiting.items() if count == 0]
        heapq.heapify(ready)
        order: list[str] = []
        while ready:
            rev = self.ordered[heapq.heappop(ready)]
            order.append(rev)
            for child in (*self._children[rev], *self._required_by[rev]):
                if child in waiting:
                    waiting[child] -= 1
                    if waiting[child] == 0:
                        heapq.heappush(ready, position[child])
        if complete:
            placed = set(order)
            order.extend(rev for rev in self.ordered if rev not in placed)
        return tuple(order)

    @cached_property
    def lineage_labels(self) -> dict[str, frozenset[str]]:
        """Per revision: the branch labels it carries from itself and its ancestors.

        A head's group for `multiple-heads` is exactly this set (alembic gives a labelled
        revision's labels to all its descendants)."""
        labels: dict[str, frozenset[str]] = {}
        empty: frozenset[str] = frozenset()
        for rev in self.topological_order():
            inherited = empty
            for parent in self.parents(rev):
                parent_labels = labels.get(parent, empty)
                inherited = parent_labels if not inherited else inherited | parent_labels
            own = self.revisions[rev].branch_labels
            labels[rev] = inherited | frozenset(own) if own else inherited
        return labels

    def branch_labels(self, revision: str) -> frozenset[str]:
        """All labels alembic gives a revision: its lineage's, plus those it passes down
        from a labelled descendant to the ancestors up to the nearest branch point."""
        return self.lineage_labels.get(revision, frozenset()) | self._labels_from_above.get(
            revision, frozenset()
        )

    @cached_property
    def _labels_from_above(self) -> dict[str, frozenset[str]]:
        """Labels alembic passes down to a labelled revision's ancestors (`_add_branches`).

        alembic walks down from the *last* of the labelled revision's descendants, not from
        the revision itself, and stops before a branch point (dependents count) or a merge
        point. So the ancestors get the labels only when everything from the labelled
        revision up is one chain with neither; they get them up to the nearest branch or
        merge point below."""
        given: dict[str, set[str]] = {}
        for label, owners in self.label_declarations.items():
            owner = owners[0].revision
            if owner not in self._parents or not self._plain_chain_above(owner):
                continue
            seen = {owner}
            parents = self.parents(owner)
            node = parents[0] if len(parents) == 1 else None
            while node is not None and node not in seen and not self._stops_label_walk(node):
                seen.add(node)
                given.setdefault(node, set()).add(label)
                parents = self.parents(node)
                node = parents[0] if len(parents) == 1 else None
        return {rev: frozenset(labels) for rev, labels in given.items()}

    def _plain_chain_above(self, revision: str) -> bool:
        """The revision and its descendants form one chain with no branch or merge point."""
        seen: set[str] = set()
        node = revision
        while node not in seen:
            seen.add(node)
            if self._stops_label_walk(node):
                return False
            children = self._children[node]
            if not children:
                return True
            node = children[0]
        return False  # a cycle

    def _stops_label_walk(self, revision: str) -> bool:
        real_children = len(self._children[revision]) + len(self._required_by[revision])
        return real_children > 1 or len(self.revisions[revision].down_revisions) > 1

    def head_groups(self) -> Iterator[tuple[frozenset[str], tuple[str, ...]]]:
        """Heads grouped by their lineage labels, in load order of each group's first head."""
        groups: dict[frozenset[str], list[str]] = {}
        for head in self.heads:
            groups.setdefault(self.lineage_labels.get(head, frozenset()), []).append(head)
        for labels, heads in groups.items():
            yield labels, tuple(heads)
