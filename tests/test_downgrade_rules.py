"""`missing-downgrade` and `incomplete-downgrade`: exact findings on the example projects,
the command line, and the matching policy of `incomplete-downgrade` case by case."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.rules.base import revision_file
from analyzer.rules.incomplete_downgrade import IncompleteDowngrade
from analyzer.rules.missing_downgrade import MissingDowngrade
from tests.helpers import analyze_files, run_cli

NOOP = "fixtures/downgrade-noop/migrations/versions/"
FORGOTTEN = "fixtures/downgrade-forgotten-index/migrations/versions/"
LEFTOVERS = "fixtures/downgrade-leftovers/migrations/versions/"


# --- missing-downgrade on the example project ---------------------------------------------


def _empty(revision: str, undo: str) -> str:
    return (
        f"downgrade() does nothing: `alembic downgrade` past revision {revision} succeeds but"
        f" keeps every change of upgrade(). Undo them in downgrade() ({undo}), or raise"
        f' RuntimeError("{revision} is irreversible: ...") if they cannot be undone'
        " [missing-downgrade]"
    )


def _not_implemented(revision: str, undo: str) -> str:
    return (
        "downgrade() only raises NotImplementedError: `alembic downgrade` fails at revision"
        f" {revision}. Undo the changes of upgrade() in downgrade(){undo}, or raise"
        f' RuntimeError("{revision} is irreversible: ...") if they cannot be undone'
        " [missing-downgrade]"
    )


def test_every_noop_downgrade_shape_is_found_at_its_def_line() -> None:
    result = run_cli(["check", "--select", "missing-downgrade", "fixtures/downgrade-noop"])
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        f"{NOOP}1c9d4e7b3a25_add_accounts_region.py:26:1: warning: "
        + _empty("1c9d4e7b3a25", 'op.drop_column("accounts", "region")'),
        f"{NOOP}2e6a0c4f8b13_add_accounts_status.py:29:1: warning: "
        + _not_implemented(
            "2e6a0c4f8b13",
            ' (op.drop_index("ix_accounts_status", table_name="accounts");'
            ' op.drop_column("accounts", "status"))',
        ),
        f"{NOOP}3d7b9c1e5f48_add_accounts_locale.py:25:1: warning: "
        + _empty("3d7b9c1e5f48", 'op.drop_column("accounts", "locale")'),
        f"{NOOP}7a5c3e9f1b02_add_accounts_referrer.py:27:1: warning: "
        + _empty("7a5c3e9f1b02", 'op.drop_column("accounts", "referrer")'),
        f"{NOOP}8f3a1d6c2e70_add_accounts_plan.py:28:1: warning: "
        + _empty("8f3a1d6c2e70", 'op.drop_column("accounts", "plan")'),
        f"{NOOP}a6e2f08b5c31_index_accounts_email.py:25:1: warning: "
        + _empty("a6e2f08b5c31", 'op.drop_index("ix_accounts_email", table_name="accounts")'),
        f"{NOOP}b4d8f6a0e2c7_backfill_accounts_plan.py:24:1: warning: "
        + _not_implemented("b4d8f6a0e2c7", ""),
        f"{NOOP}c8f2b6d0a4e9_add_accounts_deleted_at.py:1:1: warning: there is no downgrade():"
        " `alembic downgrade` fails at revision c8f2b6d0a4e9 (AttributeError: module has no"
        " attribute 'downgrade'). Add a downgrade() that undoes upgrade()"
        ' (op.drop_column("accounts", "deleted_at")), or one that raises'
        ' RuntimeError("c8f2b6d0a4e9 is irreversible: ...") if it cannot be undone'
        " [missing-downgrade]",
        f"{NOOP}e0f4a2b8c6d9_add_accounts_timezone.py:28:1: warning: "
        + _empty("e0f4a2b8c6d9", 'op.drop_column("accounts", "timezone")'),
        "Found 9 problems (9 warnings) in 16 revisions.",
    ]


def test_merge_empty_helper_irreversible_and_real_downgrades_are_not_reported() -> None:
    result = run_cli(["check", "--select", "missing-downgrade", "fixtures/downgrade-noop"])
    reported = {line.split(":")[0].rpartition("/")[2] for line in result.stdout.splitlines()}
    for quiet in (
        "5b0e2c7a9d14_create_accounts.py",  # a real downgrade
        "9f1d5b3a7c60_hash_account_tokens.py",  # raise RuntimeError("... irreversible ...")
        "4b8e2d6f0a17_add_accounts_audit_columns.py",  # calls a module-level helper
        "d5a9c3e7f1b4_release_2_4.py",  # empty revision
        "0d4f8b2e6a3c_merge_invoices_and_payment_methods.py",  # merge revision
    ):
        assert (Path(NOOP) / quiet).is_file()
        assert quiet not in reported


def test_missing_downgrade_is_on_by_default_and_the_other_fixtures_have_none() -> None:
    default = run_cli(["check", "fixtures/downgrade-noop"])
    assert default.returncode == 1
    assert default.stdout.endswith("Found 9 problems (9 warnings) in 16 revisions.\n")
    for fixture in ("demo", "downgrade-complete", "downgrade-leftovers", "merged-heads"):
        result = run_cli(["check", "--select", "missing-downgrade", f"fixtures/{fixture}"])
        assert result.returncode == 0, result.stdout


# --- incomplete-downgrade on the example projects ---------------------------------------


def test_a_forgotten_drop_index_is_reported_exactly() -> None:
    result = run_cli(
        ["check", "--select", "incomplete-downgrade", "fixtures/downgrade-forgotten-index"]
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout == (
        f"{FORGOTTEN}b6d0f4a8c2e5_index_user_lookups.py:23:5: warning: upgrade creates index"
        " ix_users_email on users but downgrade() does not drop it; add"
        ' op.drop_index("ix_users_email", table_name="users") to downgrade()'
        " [incomplete-downgrade]\n"
        "Found 1 problem (1 warning) in 2 revisions.\n"
    )
    assert result.stderr == ""


def test_incomplete_downgrade_is_opt_in() -> None:
    default = run_cli(["check", "fixtures/downgrade-forgotten-index"])
    assert default.returncode == 0, default.stdout
    extended = run_cli(
        ["check", "--extend-select", "incomplete-downgrade", "fixtures/downgrade-forgotten-index"]
    )
    assert extended.returncode == 1
    assert "[incomplete-downgrade]" in extended.stdout


def test_each_leftover_is_reported_at_its_upgrade_op() -> None:
    result = run_cli(["check", "--select", "incomplete-downgrade", "fixtures/downgrade-leftovers"])
    assert result.returncode == 1, result.stderr
    warning = "warning: upgrade"
    suffix = " [incomplete-downgrade]"
    assert result.stdout.splitlines() == [
        f"{LEFTOVERS}1f3b5d7a9c0e_create_customers_and_invoices.py:22:5: {warning} creates"
        ' table customers but downgrade() does not drop it; add op.drop_table("customers")'
        f" to downgrade(){suffix}",
        f"{LEFTOVERS}2a4c6e8f0b1d_add_customers_loyalty_tier.py:22:5: {warning} adds column"
        " customers.loyalty_tier but downgrade() does not drop it; add"
        f' op.drop_column("customers", "loyalty_tier") to downgrade(){suffix}',
        f"{LEFTOVERS}3b5d7f9a1c2e_customers_constraints.py:21:5: {warning} creates unique"
        " constraint uq_customers_email on customers but downgrade() does not drop it; add"
        ' op.drop_constraint("uq_customers_email", "customers", type_="unique") to'
        f" downgrade(){suffix}",
        f"{LEFTOVERS}4c6e8a0b2d3f_index_customers.py:22:9: {warning} creates index"
        " ix_customers_created_at on customers but downgrade() does not drop it; add"
        ' batch_op.drop_index("ix_customers_created_at") to a batch_alter_table("customers")'
        f" block in downgrade(){suffix}",
        f"{LEFTOVERS}5d7f9b1c3e4a_rename_customers_phone.py:21:5: {warning} renames column"
        " customers.phone to phone_number but downgrade() does not rename it back; add"
        ' op.alter_column("customers", "phone_number", new_column_name="phone") to'
        f" downgrade(){suffix}",
        f"{LEFTOVERS}6e8a0c2d4f5b_replace_fax_with_notes.py:23:5: {warning} drops column"
        " customers.fax but downgrade() does not add it back; add"
        f' op.add_column("customers", sa.Column("fax", ...)) to downgrade(){suffix}',
        f"{LEFTOVERS}7f9b1d3e5a6c_customers_external_ref_unique.py:23:5: {warning} creates an"
        " unnamed unique constraint on customers (external_ref) but downgrade() does not drop"
        ' it; give it a name in upgrade() and add op.drop_constraint("<name>", "customers",'
        f' type_="unique") to downgrade(){suffix}',
        f"{LEFTOVERS}8a0c2e4f6b7d_customer_referrals.py:23:5: {warning} adds column"
        " customers.referred_by_id but downgrade() does not drop it; add"
        f' op.drop_column("customers", "referred_by_id") to downgrade(){suffix}',
        f"{LEFTOVERS}8a0c2e4f6b7d_customer_referrals.py:27:5: {warning} creates foreign key"
        " fk_customers_referred_by_id_customers on customers but downgrade() does not drop"
        ' it; add op.drop_constraint("fk_customers_referred_by_id_customers", "customers",'
        f' type_="foreignkey") to downgrade(){suffix}',
        f"{LEFTOVERS}9b1d3f5a7c8e_customer_segments.py:23:5: {warning} creates table segments"
        ' but downgrade() does not drop it; add op.drop_table("segments") to'
        f" downgrade(){suffix}",
        f"{LEFTOVERS}a0c2e4f6b8d9_rename_segments.py:21:5: {warning} renames table segments to"
        " customer_segments but downgrade() does not rename it back; add"
        f' op.rename_table("customer_segments", "segments") to downgrade(){suffix}',
        "Found 11 problems (11 warnings) in 10 revisions.",
    ]


def test_complete_downgrades_are_not_reported() -> None:
    for fixture in ("demo", "downgrade-complete", "flask-migrate", "two-heads", "expand-contract"):
        result = run_cli(["check", "--select", "incomplete-downgrade", f"fixtures/{fixture}"])
        assert result.returncode == 0, result.stdout
        assert result.stdout.startswith("All checks passed"), result.stdout


# --- the matching policy, case by case ----------------------------------------------------


def _incomplete(
    tmp_path: Path, upgrade: str, downgrade: str, dialect: str = "postgresql"
) -> list[tuple[int, str]]:
    source = revision_file("a1", upgrade=upgrade, downgrade=downgrade)
    findings = analyze_files(tmp_path, {"a1.py": source}, IncompleteDowngrade, dialect)
    return [(f.location.span.start_line, f.key) for f in findings]


TABLE = 'op.create_table("audit", sa.Column("id", sa.Integer()))'
INDEX = 'op.create_index("ix_users_email", "users", ["email"])'

CASES = [
    # (title, upgrade, downgrade, expected (line, key) findings)
    ("table name not a literal", TABLE, "op.drop_table(AUDIT_TABLE)", []),
    ("SQL not a literal", TABLE, "op.execute(DROP_AUDIT)", []),
    ("SQL that drops it", TABLE, 'op.execute("DROP TABLE audit CASCADE")', []),
    ("SQL that drops it, quoted", TABLE, "op.execute(sa.text('DROP TABLE \"audit\"'))", []),
    (
        "SQL that only changes data",
        TABLE,
        'op.execute("DELETE FROM audit")',
        [(8, "create_table audit")],
    ),
    (
        "SQL that drops something else",
        TABLE,
        'op.execute("DROP TABLE audit_archive")',
        [(8, "create_table audit")],
    ),
    ("a custom op naming it", TABLE, 'op.drop_partitioned_table("audit")', []),
    ("a custom op with a non-literal argument", TABLE, "op.drop_entity(audit_view)", []),
    ("bulk_insert is data", TABLE, 'op.bulk_insert(t, [{"id": 1}])', [(8, "create_table audit")]),
    (
        "created and dropped in the upgrade",
        f'{TABLE}\nop.drop_table("audit")\nop.add_column("t", sa.Column("c", sa.Text()))',
        'op.drop_column("t", "c")',
        [],
    ),
    (
        "created then renamed, dropped under its new name",
        f'{TABLE}\nop.rename_table("audit", "audit_log")',
        'op.drop_table("audit_log")',
        [],
    ),
    (
        "created then renamed, dropped under its old name",
        f'{TABLE}\nop.rename_table("audit", "audit_log")',
        'op.drop_table("audit")',
        [(8, "create_table audit_log")],
    ),
    ("a rename with unknown names", f"{TABLE}\nop.rename_table(OLD, NEW)", 'op.f("x")', []),
    (
        "renamed back in two steps",
        'op.rename_table("a", "b")',
        'op.rename_table("b", "tmp")\nop.rename_table("tmp", "a")',
        [],
    ),
    (
        "a foreign key dropped after renaming its table back",
        'op.rename_table("a", "b")\nop.create_foreign_key("fk_b_x", "b", "x", ["x_id"], ["id"])',
        'op.rename_table("b", "a")\nop.drop_constraint("fk_b_x", "a", type_="foreignkey")',
        [],
    ),
    (
        "the public schema is the default one",
        f'{TABLE[:-1]}, schema="public")',
        'op.drop_table("audit")',
        [],
    ),
    (
        "another schema",
        f'{TABLE[:-1]}, schema="archive")',
        'op.drop_table("audit")',
        [(8, "create_table archive.audit")],
    ),
    ("an index dropped by its name only", INDEX, 'op.drop_index("ix_users_email")', []),
    (
        "an index dropped as a constraint",
        INDEX,
        'op.drop_constraint("ix_users_email", "users")',
        [],
    ),
    (
        "an index dropped in another schema",
        INDEX,
        'op.drop_index("ix_users_email", schema="auth")',
        [(8, "create_index users.ix_users_email")],
    ),
    (
        "an expression index and a dropped column of its table",
        'op.create_index("ix_users_lower_email", "users", [sa.text("lower(email)")])',
        'op.drop_column("users", "email")',
        [],
    ),
    (
        "an unnamed constraint dropped by the database's name",
        'op.create_unique_constraint(None, "users", ["email"])',
        'op.drop_constraint("users_email_key", "users", type_="unique")',
        [],
    ),
    (
        "an unnamed constraint and a drop of another type",
        'op.create_unique_constraint(None, "users", ["email"])',
        'op.drop_constraint("users_email_check", "users", type_="check")',
        [(8, "create_constraint users(email)")],
    ),
    (
        "an unnamed constraint and a drop naming a constraint of this revision",
        'op.create_unique_constraint(None, "users", ["email"])\n'
        'op.create_check_constraint("ck_users_email", "users", "email <> \'\'")',
        'op.drop_constraint("ck_users_email", "users")',
        [(8, "create_constraint users(email)")],
    ),
    (
        "a check constraint and a dropped column of its table",
        'op.create_check_constraint("ck_users_age", "users", "age >= 0")',
        'op.drop_column("users", "age")',
        [],
    ),
    (
        "a primary key and an exclusion constraint",
        'op.create_primary_key("pk_t", "t", ["id"])\n'
        'op.create_exclude_constraint("ex_t_during", "t", ("during", "&&"))',
        'op.drop_constraint("pk_t", "t", type_="primary")',
        [(9, "create_constraint t.ex_t_during")],
    ),
    (
        "an upgrade drop that is not recreated",
        'op.drop_index("ix_old", table_name="t")\n'
        'op.drop_constraint("fk_t_u", "t", type_="foreignkey")\n'
        'op.drop_table("legacy")',
        'op.create_table("legacy", sa.Column("id", sa.Integer()))',
        [(8, "drop_index t.ix_old"), (9, "drop_constraint t.fk_t_u")],
    ),
    (
        "upgrade drops recreated",
        'op.drop_index("ix_old", table_name="t")\nop.drop_column("t", "c")',
        'op.add_column("t", sa.Column("c", sa.Text()))\nop.create_index("ix_old", "t", ["c"])',
        [],
    ),
    (
        "alter_column without a rename is not checked",
        'op.alter_column("t", "c", nullable=False)',
        'op.drop_index("ix_unrelated")',
        [],
    ),
    (
        "ops reached through a helper are reported where they are",
        "_add('t')",
        'op.drop_index("ix_unrelated")',
        [(16, "add_column t.c")],
    ),
]


@pytest.mark.parametrize(
    ("upgrade", "downgrade", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_matching_policy(
    tmp_path: Path, upgrade: str, downgrade: str, expected: list[tuple[int, str]]
) -> None:
    if upgrade.startswith("_add"):
        source = (
            revision_file("a1", upgrade=upgrade, downgrade=downgrade)
            + '\n\ndef _add(table):\n    op.add_column(table, sa.Column("c", sa.Text()))\n'
        )
        findings = analyze_files(tmp_path, {"a1.py": source}, IncompleteDowngrade)
        assert [(f.location.span.start_line, f.key) for f in findings] == expected
        return
    assert _incomplete(tmp_path, upgrade, downgrade) == expected


def test_mysql_keeps_a_multi_column_index_until_all_its_columns_are_dropped(
    tmp_path: Path,
) -> None:
    upgrade = 'op.create_index("ix_t_a_b", "t", ["a", "b"])'
    one = 'op.drop_column("t", "a")'
    both = 'op.drop_column("t", "a")\nop.drop_column("t", "b")'
    assert _incomplete(tmp_path / "pg", upgrade, one) == []
    assert _incomplete(tmp_path / "my1", upgrade, one, "mysql") == [(8, "create_index t.ix_t_a_b")]
    assert _incomplete(tmp_path / "my2", upgrade, both, "mysql") == []


def test_messages_name_the_op_to_add(tmp_path: Path) -> None:
    source = revision_file(
        "a1",
        upgrade=(
            'op.drop_table("legacy", schema="old")\n'
            'op.drop_index("ix_t_c")\n'
            'op.drop_constraint("uq_t_c", "t", type_="unique")\n'
            'op.drop_constraint("ck_t", "t")\n'
            'op.create_table("a")\n'
            'op.rename_table("a", "b")\n'
            'op.alter_column("t", "c", new_column_name="d", schema="s")'
        ),
        downgrade='op.drop_index("ix_unrelated")',
    )
    findings = analyze_files(tmp_path, {"a1.py": source}, IncompleteDowngrade)
    assert [f.message for f in findings] == [
        "upgrade drops table old.legacy but downgrade() does not recreate it; add"
        ' op.create_table("legacy", ...) to downgrade()',
        "upgrade drops index ix_t_c but downgrade() does not recreate it; add"
        ' op.create_index("ix_t_c", "<table>", [...]) to downgrade()',
        "upgrade drops unique constraint uq_t_c on t but downgrade() does not recreate it;"
        ' add op.create_unique_constraint("uq_t_c", "t", ...) to downgrade()',
        "upgrade drops constraint ck_t on t but downgrade() does not recreate it; add"
        ' op.create_...("ck_t", "t", ...) to downgrade()',
        "upgrade creates table a (renamed to b in upgrade()) but downgrade() does not drop"
        ' it; add op.drop_table("b") to downgrade()',
        "upgrade renames column s.t.c to d but downgrade() does not rename it back; add"
        ' op.alter_column("t", "d", new_column_name="c", schema="s") to downgrade()',
    ]
    assert {f.related[0].span.start_line for f in findings} == {17}  # def downgrade


def test_a_downgrade_without_ops_is_not_compared(tmp_path: Path) -> None:
    for downgrade in ('raise RuntimeError("irreversible")', "print('nothing to do')", "pass"):
        assert _incomplete(tmp_path / str(hash(downgrade)), TABLE, downgrade) == []


def test_missing_downgrade_ignores_files_that_are_not_revisions(tmp_path: Path) -> None:
    files = {"helpers.py": "def upgrade():\n    op.drop_table('x')\n"}
    assert analyze_files(tmp_path, files, MissingDowngrade) == []
