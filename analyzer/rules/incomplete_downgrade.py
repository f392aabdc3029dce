from __future__ import annotations

from collections.abc import Iterator

from analyzer.analysis import Analysis
from analyzer.findings import Finding, Level, Location
from analyzer.inverses import (
    Change,
    apply_downgrade,
    change_key,
    quote,
    track_upgrade,
    undo_op,
    what_downgrade_misses,
    what_upgrade_does,
)
from analyzer.rules.base import Example, Rule, revision_file

_NO_BATCH_FORM = frozenset({"create_table", "rename_table", "drop_table"})


class IncompleteDowngrade(Rule):
    """`downgrade()` does not undo every op of `upgrade()`.

    ## What it does
    Pairs each op of `upgrade()` with its inverse in `downgrade()`, as alembic's own
    ops reverse each other: `create_table` / `drop_table`, `add_column` /
    `drop_column`, `create_index` / `drop_index`, `create_foreign_key`,
    `create_unique_constraint`, `create_check_constraint`, `create_primary_key` and
    `create_exclude_constraint` / `drop_constraint`, `rename_table` and
    `alter_column(..., new_column_name=...)` / the reverse rename, in both directions
    (an upgrade that drops something must recreate it in the downgrade), batch ops
    too. Reports each upgrade op whose object `alembic downgrade` leaves behind (or does
    not bring back), at that op, naming the op the downgrade should contain.

    Objects are matched by name: tables (schema-qualified), columns, indexes (per
    schema) and constraints (per table); renames in either function are followed.
    Dropping a table undoes everything the upgrade created on it; dropping a column
    undoes the indexes and constraints that use it (PostgreSQL drops them with it; on
    MySQL only when all their columns are dropped). An index or constraint created
    without a name counts as undone when its table or one of its columns is dropped,
    or when the downgrade drops an index or constraint on that table by a name that
    this revision did not create (the database or a naming convention chose the name);
    otherwise it is reported, with the advice to name it.

    Nothing is guessed. Ops whose names are not literals match any name; `op.execute`,
    `bulk_insert` and ops alembic does not define are not checked in `upgrade()`. In
    `downgrade()`, SQL that is not a literal, literal SQL that mentions an object's
    names (other than plain data statements: `UPDATE`, `INSERT`, `DELETE`, ...) and
    custom ops that mention them (or take non-literal arguments) may be the inverse,
    so the object is not reported. `alter_column` is only checked for renames. Only a
    `downgrade()` that calls at least one op is compared: an empty one is
    `missing-downgrade`, and one that only raises (`raise RuntimeError("...
    irreversible")`) is taken as deliberate. Functions imported from other modules
    are never imported, so what they do is not seen: when one of them is the inverse,
    suppress the finding (`# alembic-analyzer: ignore[incomplete-downgrade]`).

    ## Why is this bad?
    A partial downgrade reports success and leaves objects behind, or does not bring
    back what the upgrade dropped: `alembic upgrade` afterwards fails with "relation
    already exists", an older revision's downgrade fails because a table it drops is
    still referenced by a foreign key or was renamed, and the schema no longer matches
    the revision `alembic_version` names. Rollbacks run under pressure; they should
    work the first time.

    ## Example
    ```python
    def upgrade():
        op.add_column("users", sa.Column("email", sa.String(255)))
        op.create_index("ix_users_email", "users", ["email"], unique=True)


    def downgrade():
        op.drop_column("orders", "email")
    ```

    Use instead:
    ```python
    def downgrade():
        op.drop_index("ix_users_email", table_name="users")
        op.drop_column("users", "email")
    ```
    """

    id = "incomplete-downgrade"
    default_level = Level.WARNING
    opt_in = True
    tags = ("reversibility", "correctness")
    VALID = (
        Example.single(
            revision_file(
                "a1",
                upgrade=(
                    'op.create_table("tags", sa.Column("id", sa.Integer()))\n'
                    'op.create_index("ix_tags_id", "tags", ["id"])'
                ),
                downgrade='op.drop_table("tags")',
            ),
            title="dropping a table undoes its indexes",
        ),
        Example.single(
            revision_file(
                "a1",
                upgrade=(
                    'op.add_column("users", sa.Column("org_id", sa.Integer()))\n'
                    'op.create_foreign_key("fk_users_org", "users", "orgs", ["org_id"], ["id"])\n'
                    'op.create_unique_constraint(None, "users", ["org_id", "email"])'
                ),
                downgrade='op.drop_column("users", "org_id")',
            ),
            title="dropping a column undoes the constraints that use it",
        ),
        Example.single(
            revision_file(
                "a1",
                upgrade=(
                    'with op.batch_alter_table("users") as batch_op:\n'
                    '    batch_op.create_index("ix_users_name", ["name"])\n'
                    '    batch_op.alter_column("name", new_column_name="full_name")'
                ),
                downgrade=(
                    'with op.batch_alter_table("users") as batch_op:\n'
                    '    batch_op.alter_column("full_name", new_column_name="name")\n'
                    '    batch_op.drop_index("ix_users_name")'
                ),
            ),
            title="batch ops and a rename undone",
        ),
        Example.single(
            revision_file(
                "a1",
                upgrade='op.rename_table("user", "users")\nop.drop_column("users", "legacy")',
                downgrade=(
                    'op.add_column("users", sa.Column("legacy", sa.Text()))\n'
                    'op.rename_table("users", "user")'
                ),
            ),
            title="renamed back, dropped column added back",
        ),
        Example.single(
            revision_file(
                "a1",
                upgrade=(
                    'op.create_primary_key("pk_events", "events", ["id"])\n'
                    'op.create_unique_constraint("uq_events_key", "events", ["key"])\n'
                    'op.create_check_constraint("ck_events_day", "events", "day > 0")'
                ),
                downgrade=(
                    'op.drop_constraint("ck_events_day", "events", type_="check")\n'
                    'op.drop_constraint("uq_events_key", "events", type_="unique")\n'
                    'op.drop_constraint("pk_events", "events", type_="primary")'
                ),
            ),
            title="constraints dropped by name",
        ),
        Example.single(
            revision_file(
                "a1",
                upgrade='op.create_index("ix_events_day", "events", ["day"])',
                downgrade='op.execute("DROP INDEX ix_events_day")',
            ),
            title="SQL in the downgrade that may be the inverse",
        ),
        Example.single(
            revision_file(
                "a1",
                upgrade='op.create_table("audit", sa.Column("id", sa.Integer()))',
                downgrade='raise RuntimeError("a1 is irreversible")',
            ),
            title="a downgrade that only raises",
        ),
    )
    INVALID = (
        Example.single(
            revision_file(
                "a1",
                upgrade=(
                    'op.add_column("users", sa.Column("email", sa.String(255)))\n'
                    'op.create_index("ix_users_email", "users", ["email"], unique=True)'
                ),
                downgrade='op.drop_column("orders", "email")',
            ),
            8,
            9,
            title="the wrong table",
        ),
        Example.single(
            revision_file(
                "a1",
                upgrade=(
                    'op.create_table("tags", sa.Column("id", sa.Integer()))\n'
                    'op.create_foreign_key("fk_posts_tag", "posts", "tags", ["tag_id"], ["id"])'
                ),
                downgrade='op.drop_table("tags")',
            ),
            9,
            title="a foreign key on another table",
        ),
        Example.single(
            revision_file(
                "a1",
                upgrade=(
                    'op.rename_table("user", "users")\n'
                    'op.alter_column("users", "name", new_column_name="full_name")'
                ),
                downgrade='op.alter_column("users", "full_name", new_column_name="name")',
            ),
            8,
            title="a rename not undone",
        ),
        Example.single(
            revision_file(
                "a1",
                upgrade=(
                    'with op.batch_alter_table("users", schema="auth") as batch_op:\n'
                    '    batch_op.drop_column("legacy")\n'
                    '    batch_op.create_unique_constraint(None, ["email"])'
                ),
                downgrade='op.execute("UPDATE auth.users SET email = lower(email)")',
            ),
            9,
            10,
            title="batch ops, an unnamed constraint, SQL that only changes data",
        ),
        Example.single(
            revision_file(
                "a1",
                upgrade=(
                    'op.drop_table("legacy_sessions")\n'
                    'op.create_index("ix_events_day", "events", ["day"])'
                ),
                downgrade='op.drop_index("ix_events_day", table_name="events")',
            ),
            8,
            title="a dropped table not recreated",
        ),
    )

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        for facts in analysis.files:
            upgrade, downgrade = facts.upgrade, facts.downgrade
            if facts.problem is not None or upgrade is None or downgrade is None:
                continue
            if downgrade.shape != "statements" or not downgrade.ops:
                continue
            changes = track_upgrade(upgrade.ops, analysis.dialect)
            if not changes:
                continue
            apply_downgrade(changes, downgrade.ops, analysis.dialect)
            related = (Location(facts.path, downgrade.span, "downgrade()"),)
            for change in changes:
                if not change.undone:
                    yield self.finding(
                        _message(change),
                        facts.path,
                        change.op.span,
                        related=related,
                        revision=facts.revision_id(),
                        key=change_key(change),
                    )


def _message(change: Change) -> str:
    where = "downgrade()"
    if change.batch and change.kind not in _NO_BATCH_FORM:
        schema = f", schema={quote(change.schema)}" if isinstance(change.schema, str) else ""
        fix = undo_op(change, batch=True)
        where = f"a batch_alter_table({quote(change.table)}{schema}) block in downgrade()"
    else:
        fix = undo_op(change)
    unnamed = change.kind in ("create_index", "create_constraint") and change.name is None
    name_it = "give it a name in upgrade() and " if unnamed else ""
    return (
        f"upgrade {what_upgrade_does(change)} but downgrade() {what_downgrade_misses(change)};"
        f" {name_it}add {fix} to {where}"
    )
