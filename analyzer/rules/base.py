"""The rule interface. A rule is one small module: a `Rule` subclass whose docstring is its
documentation (`## What it does`, `## Why is this bad?`, `## Example`, `Use instead:`)
and whose `VALID`/`INVALID` examples are its tests."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from analyzer.analysis import Analysis
from analyzer.findings import Finding, Level, Location
from analyzer.positions import Span


@dataclass(frozen=True)
class Example:
    """A project of one or more revision files (name -> source).

    For an INVALID example, `expect` lists the (file, line) of every finding the rule must
    report on it, in order; VALID examples must produce none."""

    files: Mapping[str, str]
    expect: tuple[tuple[str, int], ...] = ()
    dialect: str = "postgresql"
    title: str = ""

    @classmethod
    def single(cls, source: str, *lines: int, title: str = "") -> Example:
        return cls(
            {"revision.py": source}, tuple(("revision.py", line) for line in lines), title=title
        )


@dataclass(frozen=True)
class RuleDoc:
    title: str
    sections: dict[str, str] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        """The one-line title (`rules`, SARIF shortDescription)."""
        return self.title

    @property
    def description(self) -> str:
        """`## What it does` as one paragraph (SARIF fullDescription)."""
        return " ".join(self.sections.get("What it does", self.title).split())


_SECTION = re.compile(r"^## (.+)$", re.MULTILINE)


class Rule:
    id: ClassVar[str]
    default_level: ClassVar[Level]
    opt_in: ClassVar[bool] = False
    tags: ClassVar[tuple[str, ...]] = ()
    VALID: ClassVar[tuple[Example, ...]] = ()
    INVALID: ClassVar[tuple[Example, ...]] = ()

    def check(self, analysis: Analysis) -> Iterable[Finding]:
        raise NotImplementedError

    @classmethod
    def docstring(cls) -> str:
        """The rule's documentation as written (dedented)."""
        import inspect

        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def doc(cls) -> RuleDoc:
        text = cls.docstring()
        parts = _SECTION.split(text)
        sections = {parts[i].strip(): parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
        return RuleDoc(title=parts[0].strip(), sections=sections)

    def finding(
        self,
        message: str,
        path: str,
        span: Span,
        *,
        related: Iterable[Location] = (),
        revision: str | None = None,
        key: str = "",
    ) -> Finding:
        return Finding(
            rule=self.id,
            level=self.default_level,
            message=message,
            location=Location(path, span),
            related=tuple(related),
            revision=revision,
            key=key,
        )


def revision_file(
    revision: str,
    down_revision: str | tuple[str, ...] | None = None,
    *,
    branch_labels: tuple[str, ...] | None = None,
    depends_on: str | tuple[str, ...] | None = None,
    upgrade: str = "pass",
    downgrade: str = "pass",
) -> str:
    """A minimal revision file for examples: `revision` on line 1, `down_revision` on
    line 2, `branch_labels` on 3, `depends_on` on 4, `def upgrade` on 7, `def downgrade`
    on 11 when `upgrade` is one line."""
    upgrade_body = "\n".join("    " + line for line in upgrade.splitlines())
    downgrade_body = "\n".join("    " + line for line in downgrade.splitlines())
    return (
        f"revision = {revision!r}\n"
        f"down_revision = {down_revision!r}\n"
        f"branch_labels = {branch_labels!r}\n"
        f"depends_on = {depends_on!r}\n"
        "\n\n"
        f"def upgrade():\n{upgrade_body}\n\n\n"
        f"def downgrade():\n{downgrade_body}\n"
    )
