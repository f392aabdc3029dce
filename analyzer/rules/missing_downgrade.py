from __future__ import annotations

from collections.abc import Iterator

from analyzer.analysis import Analysis
from analyzer.facts import FunctionFacts, MigrationFacts
from analyzer.findings import Finding, Level
from analyzer.graph import identifiers
from analyzer.inverses import track_upgrade, undo_op
from analyzer.positions import FILE_START
from analyzer.rules.base import Example, Rule, revision_file

MAX_SUGGESTED_OPS = 3


class MissingDowngrade(Rule):
    """`upgrade()` changes something but `downgrade()` is missing or a no-op.

    ## What it does
    Reports a revision whose `upgrade()` does something while its `downgrade()` is
    missing, holds only a docstring, `pass`, `...`, `return` or comments, or only
    raises `NotImplementedError` (with or without a message). Merge revisions and
    empty revisions (whose `upgrade()` does nothing either) are not reported. A
    `downgrade()` that does anything else counts as real, including a call of a helper
    function and a deliberate `raise RuntimeError("irreversible ...")`: whether it undoes
    every op is the opt-in rule `incomplete-downgrade`.

    ## Why is this bad?
    An empty `downgrade()` makes `alembic downgrade` succeed while doing nothing:
    `alembic_version` moves back, the tables and columns stay, and the next
    `alembic upgrade` typically fails on objects that already exist. Without any `downgrade()`,
    or with the `NotImplementedError` placeholder, `alembic downgrade` stops with an
    error at this revision, typically during an incident, when a rollback is needed.

    ## Example
    ```python
    def upgrade():
        op.add_column("users", sa.Column("nickname", sa.String(50)))


    def downgrade():
        pass
    ```

    Use instead:
    ```python
    def downgrade():
        op.drop_column("users", "nickname")
    ```
    or, when the revision cannot be undone, say so explicitly:
    ```python
    def downgrade():
        raise RuntimeError("a1b2c3 is irreversible: the old passwords are gone")
    ```
    """

    id = "missing-downgrade"
    default_level = Level.WARNING
    tags = ("reversibility", "correctness")
    VALID = (
        Example.single(
            revision_file(
                "a1",
                upgrade='op.add_column("users", sa.Column("nickname", sa.String(50)))',
                downgrade='op.drop_column("users", "nickname")',
            ),
            title="a downgrade that undoes the upgrade",
        ),
        Example.single(revision_file("a1"), title="an empty revision"),
        Example.single(
            revision_file("m1", ("a1", "b2"), upgrade='"""merge"""\npass'),
            title="a merge revision",
        ),
        Example.single(
            revision_file(
                "a1",
                upgrade='op.create_table("audit", sa.Column("id", sa.Integer()))',
                downgrade='raise RuntimeError("a1 is irreversible: audit rows are kept")',
            ),
            title="a deliberately irreversible revision",
        ),
        Example.single(
            "revision = 'a1'\ndown_revision = None\n\n\n"
            "def _drop(name):\n    op.drop_table(name)\n\n\n"
            "def upgrade():\n    op.create_table('audit', sa.Column('id', sa.Integer()))\n\n\n"
            "def downgrade():\n    _drop('audit')\n",
            title="a downgrade that calls a helper",
        ),
    )
    INVALID = (
        Example.single(
            revision_file("a1", upgrade='op.drop_column("users", "legacy")'),
            11,
            title="downgrade is pass",
        ),
        Example.single(
            "revision = 'a1'\ndown_revision = None\n\n\n"
            "def upgrade():\n    op.create_table('audit', sa.Column('id', sa.Integer()))\n",
            1,
            title="no downgrade at all",
        ),
        Example.single(
            revision_file(
                "a1",
                upgrade='op.create_index("ix_users_email", "users", ["email"])',
                downgrade='"""Nothing to undo."""',
            ),
            11,
            title="downgrade holds only a docstring",
        ),
        Example.single(
            revision_file(
                "a1",
                upgrade='op.create_index("ix_users_email", "users", ["email"])',
                downgrade="...",
            ),
            11,
            title="downgrade is ...",
        ),
        Example.single(
            revision_file(
                "a1",
                upgrade='op.create_index("ix_users_email", "users", ["email"])',
                downgrade="# the index stays\nreturn",
            ),
            11,
            title="downgrade holds comments and return",
        ),
        Example.single(
            revision_file(
                "a1",
                upgrade='op.create_index("ix_users_email", "users", ["email"])',
                downgrade="raise NotImplementedError",
            ),
            11,
            title="downgrade raises NotImplementedError",
        ),
        Example.single(
            revision_file(
                "a1",
                upgrade='op.execute("UPDATE users SET active = true")',
                downgrade='raise NotImplementedError("no way back")',
            ),
            11,
            title="downgrade raises NotImplementedError with a message",
        ),
        Example(
            {
                "1975ea83b712.py": "down_revision = None\n\n\ndef upgrade():\n"
                "    op.drop_table('audit')\n\n\ndef downgrade():\n    pass\n"
            },
            expect=(("1975ea83b712.py", 8),),
            title="a `<hex>.py` file with no `revision` variable is a revision too",
        ),
    )

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        for facts in analysis.files:
            if not _does_something(facts) or _is_merge(facts):
                continue
            downgrade = facts.downgrade
            if downgrade is None or downgrade.shape != "statements":
                yield self._report(facts, downgrade, analysis.dialect)

    def _report(
        self, facts: MigrationFacts, downgrade: FunctionFacts | None, dialect: str
    ) -> Finding:
        revision = facts.revision_id()
        at = f"revision {revision}" if revision else "this revision"
        undo = _suggestion(facts, dialect)
        error = f'RuntimeError("{revision or "..."} is irreversible: ...")'
        if downgrade is None:
            message = (
                f"there is no downgrade(): `alembic downgrade` fails at {at} (AttributeError:"
                " module has no attribute 'downgrade'). Add a downgrade() that undoes"
                f" upgrade(){undo}, or one that raises {error} if it cannot be undone"
            )
        elif downgrade.shape == "not-implemented":
            message = (
                "downgrade() only raises NotImplementedError: `alembic downgrade` fails at"
                f" {at}. Undo the changes of upgrade() in downgrade(){undo}, or"
                f" raise {error} if they cannot be undone"
            )
        else:
            message = (
                f"downgrade() does nothing: `alembic downgrade` past {at} succeeds but keeps"
                f" every change of upgrade(). Undo them in downgrade(){undo}, or"
                f" raise {error} if they cannot be undone"
            )
        span = downgrade.span if downgrade is not None else FILE_START
        return self.finding(
            message,
            facts.path,
            span,
            revision=revision,
            key="absent" if downgrade is None else downgrade.shape,
        )


def _does_something(facts: MigrationFacts) -> bool:
    if facts.problem is not None or facts.upgrade is None:
        return False
    if facts.revision is None and facts.legacy_revision_id() is None:
        return False  # not a revision (`invalid-revision-file`)
    return facts.upgrade.shape != "empty"


def _is_merge(facts: MigrationFacts) -> bool:
    parents = identifiers(facts.down_revision.value) if facts.down_revision else ()
    return parents is not None and len(parents) >= 2


def _suggestion(facts: MigrationFacts, dialect: str) -> str:
    """` (op.drop_index(...); op.drop_table(...))`: the inverse ops, last change first."""
    changes = track_upgrade(facts.upgrade.ops, dialect) if facts.upgrade else None
    if not changes:
        return ""
    steps = [undo_op(change) for change in reversed(changes)]
    shown = "; ".join(steps[:MAX_SUGGESTED_OPS])
    more = f"; and {len(steps) - MAX_SUGGESTED_OPS} more" if len(steps) > MAX_SUGGESTED_OPS else ""
    return f" ({shown}{more})"
