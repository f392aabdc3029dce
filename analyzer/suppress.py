"""What hides a finding after the rules ran: suppression comments, `exclude` and
`per-file-ignores`. Pure functions over findings and facts.

A finding belongs to every place it points at, as for pre-commit's file filter: its
primary location and its related locations (the other head of `multiple-heads`, the
other file of `duplicate-revision`). So:

- `# alembic-analyzer: ignore[rule]` suppresses it when the comment is on any line of
  one of those locations (a multi-line call: any line of the call);
- `# alembic-analyzer: ignore-file[rule]` suppresses it when it is in one of those files;
- `exclude` and `per-file-ignores` hide it only when *every* file it points at matches
  (a conflict between an excluded legacy file and a new one is still reported).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass

from analyzer.facts import MigrationFacts, Suppression
from analyzer.findings import Finding, Location
from analyzer.globs import PathPattern

UNUSED_SUPPRESSION = "unused-suppression"


@dataclass(frozen=True)
class UnusedComment:
    """A suppression comment, or one rule id in it, that suppressed nothing."""

    path: str
    revision: str | None
    suppression: Suppression
    rule: str | None
    """The rule id it names; None when the comment is not a valid directive."""
    known: bool = True
    """False when `rule` is not a rule of this analyzer (a typo)."""


@dataclass(frozen=True)
class Judgement:
    kept: tuple[Finding, ...]
    suppressed: tuple[Finding, ...]
    unused: tuple[UnusedComment, ...]


class _Index:
    """The suppression comments of one project, by file and line."""

    def __init__(self, files: Iterable[MigrationFacts]) -> None:
        self.by_line: dict[tuple[str, int], list[Suppression]] = defaultdict(list)
        self.by_file: dict[str, list[Suppression]] = defaultdict(list)
        for facts in files:
            for suppression in facts.suppressions:
                if suppression.whole_file:
                    self.by_file[facts.path].append(suppression)
                else:
                    self.by_line[facts.path, suppression.line].append(suppression)
        self.paths = {path for path, _ in self.by_line} | set(self.by_file)

    def matching(
        self, rule: str, locations: Sequence[Location]
    ) -> Iterator[tuple[str, Suppression]]:
        """The comments that suppress `rule` at any of `locations`."""
        for path in dict.fromkeys(location.path for location in locations):
            if path not in self.paths:
                continue
            for suppression in self.by_file.get(path, ()):
                if rule in suppression.rules:
                    yield path, suppression
            for location in locations:
                if location.path != path:
                    continue
                span = location.span
                for line in range(span.start_line, span.end_line + 1):
                    for suppression in self.by_line.get((path, line), ()):
                        if rule in suppression.rules:
                            yield path, suppression


def judge(
    findings: Iterable[Finding],
    files: Sequence[MigrationFacts],
    enabled: Collection[str],
    known: Collection[str],
) -> Judgement:
    """Split `findings` into kept and suppressed, and list the comments that suppressed
    nothing. Rule ids that are known but not `enabled` in this run are not judged
    (a run with `--select` must not call the other rules' comments unused)."""
    index = _Index(files)
    used: set[tuple[str, Suppression, str]] = set()
    kept: list[Finding] = []
    suppressed: list[Finding] = []
    for finding in findings:
        locations = [finding.location, *(r for r in finding.related if r.path)]
        matches = list(index.matching(finding.rule, locations))
        used.update((path, suppression, finding.rule) for path, suppression in matches)
        (suppressed if matches else kept).append(finding)
    unused: list[UnusedComment] = []
    for facts in files:
        for suppression in facts.suppressions:
            for comment in _unused(facts, suppression, used, enabled, known):
                if not _silenced(index, comment):
                    unused.append(comment)
    return Judgement(tuple(kept), tuple(suppressed), tuple(unused))


def _unused(
    facts: MigrationFacts,
    suppression: Suppression,
    used: set[tuple[str, Suppression, str]],
    enabled: Collection[str],
    known: Collection[str],
) -> Iterator[UnusedComment]:
    revision = facts.revision_id()
    if not suppression.rules:
        yield UnusedComment(facts.path, revision, suppression, None)
        return
    for rule in dict.fromkeys(suppression.rules):
        if rule == UNUSED_SUPPRESSION:
            continue
        if rule not in known:
            yield UnusedComment(facts.path, revision, suppression, rule, known=False)
        elif rule in enabled and (facts.path, suppression, rule) not in used:
            yield UnusedComment(facts.path, revision, suppression, rule)


def _silenced(index: _Index, comment: UnusedComment) -> bool:
    """`ignore[unused-suppression]` on the comment's line, or `ignore-file[...]`."""
    where = Location(comment.path, comment.suppression.span)
    return next(index.matching(UNUSED_SUPPRESSION, [where]), None) is not None


def _all_paths_match(finding: Finding, patterns: Sequence[PathPattern]) -> bool:
    return bool(patterns) and all(
        any(pattern.matches(path) for pattern in patterns) for path in finding.paths
    )


def excluded(finding: Finding, exclude: Sequence[PathPattern]) -> bool:
    """Every file the finding points at matches an `exclude` pattern."""
    return _all_paths_match(finding, exclude)


def ignored_per_file(
    finding: Finding, per_file_ignores: Sequence[tuple[PathPattern, frozenset[str]]]
) -> bool:
    """Every file the finding points at matches a `per-file-ignores` pattern listing its
    rule (or ALL)."""
    patterns = [
        pattern for pattern, rules in per_file_ignores if finding.rule in rules or "ALL" in rules
    ]
    return _all_paths_match(finding, patterns)
