"""`--format sarif`: SARIF 2.1.0 that GitHub code scanning accepts (SPEC §7).

What GitHub requires, reads and rejects is in `../shared/sarif/GITHUB.md`; in short:
one run; the driver lists every rule with its documentation; each result has a rule
id and index, a level, a message and one location whose `uri` is relative to the
repository root (`%SRCROOT%`, see `analyzer.report.roots`), with a full region in
Unicode code points; `partialFingerprints.primaryLocationLineHash` is GitHub's own
line hash (`analyzer.report.fingerprint`); `automationDetails.id` is the category.
Files that could not be analyzed and anything dropped to stay under GitHub's limits
are `toolExecutionNotifications` of the one invocation.

The document is built from `sarif-om` objects and serialized by `to_json`, which
writes every property that differs from SARIF's default (and `level` always), with
sorted keys: the same findings always give the same bytes.
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import attr
import sarif_om as om

from analyzer._version import __version__
from analyzer.docs import PROJECT_URL, rule_markdown, rule_url
from analyzer.findings import Finding, Level
from analyzer.findings import Location as FindingLocation
from analyzer.positions import Span
from analyzer.report.fingerprint import primary_location_line_hashes
from analyzer.report.roots import path_from_root
from analyzer.rules import Rule, all_rules

if TYPE_CHECKING:
    from analyzer.api import Report

TOOL_NAME = "alembic-analyzer"
SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
DEFAULT_CATEGORY = "alembic-analyzer/"
SRCROOT = "%SRCROOT%"
LINE_HASH = "primaryLocationLineHash"
PRECISION = "high"
"""Every rule reports only what it can prove ("precision first", SPEC §4)."""

_PROBLEM_SEVERITY = {Level.ERROR: "error", Level.WARNING: "warning", Level.NOTE: "recommendation"}


@dataclass(frozen=True)
class Limits:
    """GitHub code scanning's limits (GITHUB.md §4.7); a file above them is rejected."""

    results: int = 25_000
    related_locations: int = 100
    """GitHub rejects more than 1,000 locations per result and shows 100."""
    gzip_bytes: int = 10_000_000
    """The upload is gzip-compressed; GitHub rejects more than 10 MB."""
    tags: int = 10
    name_chars: int = 255
    description_chars: int = 1024


def automation_id(category: str) -> str:
    """`automationDetails.id` for a category: GitHub reads everything up to the last `/` as
    the category, so one is appended when missing (as `upload-sarif` does for its input)."""
    return category if category.endswith("/") else f"{category}/"


def render(
    report: Report,
    root: Path,
    *,
    category: str = DEFAULT_CATEGORY,
    rules: Sequence[type[Rule]] | None = None,
    limits: Limits = Limits(),
) -> str:
    """The SARIF log of `report`, paths relative to `root` (the repository root)."""
    return _Builder(report, root, all_rules() if rules is None else rules, limits).render(
        automation_id(category)
    )


class _Builder:
    def __init__(
        self, report: Report, root: Path, rules: Sequence[type[Rule]], limits: Limits
    ) -> None:
        self.report = report
        self.root = root
        self.rules = rules
        self.limits = limits
        self.rule_index = {rule.id: index for index, rule in enumerate(rules)}
        self.line_hashes = _line_hashes(report.findings)

    def render(self, automation: str) -> str:
        findings = self.report.findings
        # Most severe first, then report order: what survives when results must be dropped.
        ranked = sorted(range(len(findings)), key=lambda i: (-findings[i].level.rank, i))
        count = min(len(findings), self.limits.results)
        text = self._log(ranked[:count], automation)
        size = gzip_size(text)
        while size > self.limits.gzip_bytes and count:
            count = min(count - 1, int(count * self.limits.gzip_bytes / size * 0.95))
            text = self._log(ranked[:count], automation)
            size = gzip_size(text)
        return text

    def _log(self, kept: list[int], automation: str) -> str:
        findings = self.report.findings
        notifications = [
            self._unanalyzable(path, reason) for path, reason in self.report.unanalyzable
        ]
        results = []
        for index in sorted(kept):
            result, note = self._result(findings[index])
            results.append(result)
            if note is not None:
                notifications.append(note)
        dropped = len(findings) - len(kept)
        if dropped:
            notifications.append(_dropped_results(dropped, len(findings), self.limits))
        run = om.Run(
            tool=om.Tool(
                driver=om.ToolComponent(
                    name=TOOL_NAME,
                    version=__version__,
                    semantic_version=__version__,
                    information_uri=PROJECT_URL,
                    rules=[self._descriptor(rule) for rule in self.rules],
                )
            ),
            automation_details=om.RunAutomationDetails(id=automation),
            column_kind="unicodeCodePoints",
            original_uri_base_ids={SRCROOT: self._root_location()},
            invocations=[
                om.Invocation(
                    execution_successful=True,
                    tool_execution_notifications=notifications or None,
                )
            ],
            results=results,
        )
        log = om.SarifLog(runs=[run], version=SARIF_VERSION, schema_uri=SCHEMA_URI)
        return json.dumps(to_json(log), indent=2, ensure_ascii=False, sort_keys=True) + "\n"

    def _descriptor(self, rule: type[Rule]) -> Any:
        doc = rule.doc()
        help_text = rule_markdown(rule)
        level = rule.default_level
        return om.ReportingDescriptor(
            id=rule.id,
            name=clip(rule.__name__, self.limits.name_chars),
            short_description=om.MultiformatMessageString(
                text=clip(doc.summary, self.limits.description_chars)
            ),
            full_description=om.MultiformatMessageString(
                text=clip(doc.description, self.limits.description_chars)
            ),
            help=om.MultiformatMessageString(text=help_text, markdown=help_text),
            help_uri=rule_url(rule),
            default_configuration=om.ReportingConfiguration(level=level.value),
            properties={
                "tags": list(rule.tags[: self.limits.tags]),
                "precision": PRECISION,
                "problem.severity": _PROBLEM_SEVERITY[level],
            },
        )

    def _result(self, finding: Finding) -> tuple[Any, Any]:
        """The result, and a notification when related locations had to be dropped."""
        related = finding.related[: self.limits.related_locations]
        line_hash = self.line_hashes.get((finding.location.path, finding.location.span.start_line))
        result = om.Result(
            rule_id=finding.rule,
            rule_index=self.rule_index.get(finding.rule, -1),
            level=finding.level.value,
            message=om.Message(text=finding.message),
            locations=[self._location(finding.location)],
            related_locations=[
                self._location(location, number) for number, location in enumerate(related, 1)
            ]
            or None,
            partial_fingerprints={LINE_HASH: line_hash} if line_hash else None,
        )
        if len(related) == len(finding.related):
            return result, None
        note = om.Notification(
            level="warning",
            message=om.Message(
                text=f"Only the first {len(related)} of the {len(finding.related)} related "
                f"locations of this {finding.rule} result are included: GitHub code scanning "
                "shows at most 100 locations per result and rejects more than 1,000."
            ),
            locations=[self._location(finding.location)],
        )
        return result, note

    def _location(self, location: FindingLocation, number: int = -1) -> Any:
        return om.Location(
            id=number,
            physical_location=om.PhysicalLocation(
                artifact_location=self._artifact(location.path), region=_region(location.span)
            ),
            message=om.Message(text=location.message) if location.message else None,
        )

    def _artifact(self, path: str) -> Any:
        relative = path_from_root(path, self.root)
        if Path(relative).is_absolute():  # on another drive than the root (Windows)
            return om.ArtifactLocation(uri=Path(relative).as_uri())
        # surrogateescape: a file name that is not UTF-8 is percent-encoded as its bytes.
        uri = quote(relative.encode("utf-8", errors="surrogateescape"), safe="/")
        return om.ArtifactLocation(uri=uri, uri_base_id=SRCROOT)

    def _root_location(self) -> Any:
        uri = self.root.as_uri()
        return om.ArtifactLocation(
            uri=uri if uri.endswith("/") else f"{uri}/",
            description=om.Message(text="The repository root; result paths are relative to it."),
        )

    def _unanalyzable(self, path: str, reason: str) -> Any:
        return om.Notification(
            level="warning",
            message=om.Message(
                text=f"{path_from_root(path, self.root)} could not be analyzed: {reason}"
            ),
            locations=[
                om.Location(
                    physical_location=om.PhysicalLocation(artifact_location=self._artifact(path))
                )
            ],
        )


def _dropped_results(dropped: int, total: int, limits: Limits) -> Any:
    return om.Notification(
        level="warning",
        message=om.Message(
            text=f"{dropped} of {total} results are not included, the least severe first: "
            f"GitHub code scanning rejects SARIF files with more than {limits.results:,} "
            f"results per run or more than {limits.gzip_bytes // 1_000_000} MB compressed. "
            "Use --format json for every finding."
        ),
    )


def _region(span: Span) -> Any:
    return om.Region(
        start_line=span.start_line,
        start_column=span.start_col,
        end_line=span.end_line,
        end_column=span.end_col,
    )


def _line_hashes(findings: Sequence[Finding]) -> dict[tuple[str, int], str]:
    """GitHub's line hash of each finding's first line, reading each file once."""
    lines: defaultdict[str, set[int]] = defaultdict(set)
    for finding in findings:
        lines[finding.location.path].add(finding.location.span.start_line)
    return {
        (path, line): digest
        for path, wanted in lines.items()
        for line, digest in primary_location_line_hashes(path, wanted).items()
    }


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters: after its last whole sentence that fits, else
    mid-word with an ellipsis."""
    if len(text) <= limit:
        return text
    end = text.rfind(". ", 0, limit)
    return text[: end + 1] if end > 0 else text[: limit - 1] + "…"


def gzip_size(text: str) -> int:
    return len(gzip.compress(text.encode("utf-8"), mtime=0))


def to_json(value: Any) -> Any:
    """A sarif-om object tree as JSON data: SARIF property names, and no property that
    holds its SARIF default, except `level`, which is always written (a reader should
    not need to know that SARIF's default level is `warning`)."""
    if attr.has(type(value)):
        data = {}
        for field in attr.fields(type(value)):
            item = getattr(value, field.name)
            if item is None or (field.name != "level" and _is_default(field, item)):
                continue
            data[field.metadata["schema_property_name"]] = to_json(item)
        return data
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    return value


def _is_default(field: Any, value: Any) -> bool:
    default = field.default
    if isinstance(default, attr.Factory):  # type: ignore[arg-type]  # a class at run time
        default = default.factory()
    return default is not attr.NOTHING and bool(value == default)
