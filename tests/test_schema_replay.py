"""The schema replay, op by op: what each alembic op handler does to the schema."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from analyzer.analysis import Analysis
from analyzer.imports import resolve_imports
from analyzer.parsing import parse_file
from analyzer.positions import FILE_START
from analyzer.rules.base import revision_file
from analyzer.schema import Replay, Schema, Table, TableName, Uncertainty
from analyzer.schema.changes import CreateTable, apply
from analyzer.schema.constructs import TableSpec
from analyzer.schema.model import Origin
from tests.helpers import write_files


def replay(tmp_path: Path, *upgrades: str, dialect: str = "postgresql") -> Replay:
    """A linear project whose revisions have these `upgrade()` bodies."""
    files = {}
    for number, body in enumerate(upgrades):
        down = f"r{number - 1}" if number else None
        files[f"r{number}.py"] = "import sqlalchemy as sa\n" + revision_file(
            f"r{number}", down, upgrade=textwrap.dedent(body).strip()
        )
    write_files(tmp_path, files)
    facts = resolve_imports([parse_file(str(tmp_path / name)) for name in sorted(files)])
    return Analysis(facts, dialect=dialect).schema


def table(result: Replay, name: str, schema: str | None = None) -> Table:
    found = result.schema.get(TableName(schema, name))
    assert found is not None, [str(t.name) for t in result.schema]
    return found


def indexes(t: Table) -> list[tuple[str | None, str, tuple[str | None, ...]]]:
    return [(i.name, i.kind, i.columns) for i in t.indexes]


def foreign_keys(t: Table) -> list[tuple[str | None, tuple[str, ...], str]]:
    return [(fk.name, fk.columns, str(fk.referred_table)) for fk in t.foreign_keys]


def test_create_table_reads_every_construct(tmp_path: Path) -> None:
    result = replay(
        tmp_path,
        """
        op.create_table(
            "items",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("shop_id", sa.Integer(), sa.ForeignKey("shops.id"), index=True),
            sa.Column("code", sa.String(20), unique=True, nullable=False),
            sa.Column("owner_id", sa.Integer(), sa.ForeignKey("auth.users.id", name="fk_owner")),
            sa.Column("a", sa.Integer()),
            sa.Column("b", sa.Integer()),
            sa.ForeignKeyConstraint(["a", "b"], ["pairs.x", "pairs.y"]),
            sa.UniqueConstraint("a", "b", name="uq_items_a_b"),
            sa.CheckConstraint("a > 0", name="ck_a"),
            sa.Index("ix_live", "a", postgresql_where=sa.text("b IS NULL")),
            sa.Index("ix_inc", "b", postgresql_include=["a"]),
            sa.Index("ix_expr", sa.text("lower(code)"), sa.func.abs(sa.column("a"))),
            sa.Index("ix_sqlite_only", "owner_id", sqlite_where=sa.text("b IS NULL")),
        )
        """,
    )
    items = table(result, "items")
    assert [(c.name, c.type, c.nullable) for c in items.columns] == [
        ("id", "Integer()", None),
        ("shop_id", "Integer()", None),
        ("code", "String(20)", False),
        ("owner_id", "Integer()", None),
        ("a", "Integer()", None),
        ("b", "Integer()", None),
    ]
    assert indexes(items) == [
        ("items_pkey", "primary", ("id",)),
        ("ix_items_shop_id", "index", ("shop_id",)),
        ("items_code_key", "unique", ("code",)),
        ("uq_items_a_b", "unique", ("a", "b")),
        ("ix_live", "index", ("a",)),
        ("ix_inc", "index", ("b",)),
        ("ix_expr", "index", (None, None)),
        ("ix_sqlite_only", "index", ("owner_id",)),
    ]
    live, inc, sqlite_only = items.indexes[4], items.indexes[5], items.indexes[7]
    assert (live.where, inc.include, sqlite_only.where) == ("b IS NULL", ("a",), None)
    assert foreign_keys(items) == [
        ("items_shop_id_fkey", ("shop_id",), "shops"),
        ("fk_owner", ("owner_id",), "auth.users"),
        ("items_a_b_fkey", ("a", "b"), "pairs"),
    ]
    assert [c.name for c in items.checks] == ["ck_a"]
    assert items.certain


def test_composite_primary_key_from_columns_and_schema_default(tmp_path: Path) -> None:
    result = replay(
        tmp_path,
        """
        op.create_table("links", sa.Column("a", sa.Integer(), primary_key=True),
            sa.Column("b", sa.Integer(), primary_key=True), schema="public")
        op.create_table("links", sa.Column("id", sa.Integer(), index=True), schema="blog")
        """,
    )
    assert indexes(table(result, "links")) == [("links_pkey", "primary", ("a", "b"))]
    assert indexes(table(result, "links", "blog")) == [("ix_blog_links_id", "index", ("id",))]


def test_add_column_adds_keys_and_indexes_but_not_a_primary_key(tmp_path: Path) -> None:
    result = replay(
        tmp_path,
        """
        op.create_table("t", sa.Column("id", sa.Integer(), primary_key=True))
        op.add_column("t", sa.Column("u_id", sa.Integer(), sa.ForeignKey("u.id"), index=True))
        op.add_column("t", sa.Column("v", sa.Integer(), unique=True))
        op.add_column("t", sa.Column("w", sa.Integer(), primary_key=True))
        """,
    )
    t = table(result, "t")
    assert indexes(t) == [
        ("t_pkey", "primary", ("id",)),
        ("ix_t_u_id", "index", ("u_id",)),
        ("t_v_key", "unique", ("v",)),
    ]
    assert foreign_keys(t) == [("t_u_id_fkey", ("u_id",), "u")]


def test_drop_column_takes_its_indexes_and_keys_and_the_keys_that_refer_to_it(
    tmp_path: Path,
) -> None:
    result = replay(
        tmp_path,
        """
        op.create_table("p", sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("code", sa.String(5), unique=True))
        op.create_table("c", sa.Column("id", sa.Integer()), sa.Column("p_code", sa.String(5)),
            sa.Column("p_id", sa.Integer()),
            sa.ForeignKeyConstraint(["p_code"], ["p.code"]),
            sa.ForeignKeyConstraint(["p_id"], ["p.id"]),
            sa.Index("ix_c", "id", "p_id"))
        op.drop_column("p", "code")
        op.drop_column("c", "p_id")
        """,
    )
    assert indexes(table(result, "p")) == [("p_pkey", "primary", ("id",))]
    c = table(result, "c")
    assert (indexes(c), foreign_keys(c)) == ([], [])


def test_drop_column_takes_the_indexes_whose_expressions_or_predicate_use_it(
    tmp_path: Path,
) -> None:
    """PostgreSQL drops an index with any column it uses, not only its key columns."""
    result = replay(
        tmp_path,
        """
        op.create_table("c", sa.Column("p_id", sa.Integer()), sa.Column("title", sa.Text()),
            sa.Column("body", sa.Text()), sa.Column("kind", sa.Text()),
            sa.Index("ix_text", "p_id", sa.text("lower(title)")),
            sa.Index("ix_func", "p_id", sa.func.upper(sa.column("body"))),
            sa.Index("ix_where", "p_id", postgresql_where=sa.text("kind = 'a'")),
            sa.Index("ix_kept", "p_id", sa.func.coalesce(sa.column("p_id"), 0)))
        op.create_index("ix_op", "c", ["p_id", sa.text("md5(body)")])
        op.alter_column("c", "title", new_column_name="heading")
        op.drop_column("c", "heading")
        op.drop_column("c", "body")
        op.drop_column("c", "kind")
        """,
    )
    assert indexes(table(result, "c")) == [("ix_kept", "index", ("p_id", None))]


def test_database_chosen_names_are_unique_in_the_schema(tmp_path: Path) -> None:
    """A renamed table keeps its names, so PostgreSQL numbers the new table's ones."""
    result = replay(
        tmp_path,
        """
        op.create_table("u", sa.Column("id", sa.Integer(), primary_key=True))
        op.create_table("p", sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("u_id", sa.Integer(), sa.ForeignKey("u.id")))
        op.execute("CREATE INDEX ON p (u_id)")
        op.rename_table("p", "p_old")
        op.create_table("p", sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("u_id", sa.Integer(), sa.ForeignKey("u.id")))
        op.execute("CREATE INDEX ON p (u_id)")
        op.drop_constraint("p_u_id_fkey1", "p", type_="foreignkey")
        op.drop_table("p_old")
        op.create_foreign_key(None, "p", "u", ["u_id"], ["id"])
        """,
    )
    p = table(result, "p")
    assert indexes(p) == [("p_pkey1", "primary", ("id",)), ("p_u_id_idx1", "index", ("u_id",))]
    assert p.certain and foreign_keys(p) == [("p_u_id_fkey", ("u_id",), "u")]


def test_renames_follow_into_indexes_and_referring_keys(tmp_path: Path) -> None:
    result = replay(
        tmp_path,
        """
        op.create_table("p", sa.Column("id", sa.Integer(), primary_key=True))
        op.create_table("c", sa.Column("p_id", sa.Integer(), sa.ForeignKey("p.id")),
            sa.Index("ix_c_p_id", "p_id"))
        op.rename_table("p", "parents")
        op.alter_column("parents", "id", new_column_name="parent_id")
        op.alter_column("c", "p_id", new_column_name="parent_id", existing_type=sa.Integer())
        op.alter_column("c", "parent_id", nullable=False)
        """,
    )
    assert result.schema.get(TableName(None, "p")) is None
    assert indexes(table(result, "parents")) == [("p_pkey", "primary", ("parent_id",))]
    c = table(result, "c")
    assert indexes(c) == [("ix_c_p_id", "index", ("parent_id",))]
    assert [(fk.columns, str(fk.referred_table), fk.referred_columns) for fk in c.foreign_keys] == [
        (("parent_id",), "parents", ("parent_id",))
    ]


def test_drop_table_drops_the_keys_that_refer_to_it(tmp_path: Path) -> None:
    result = replay(
        tmp_path,
        """
        op.create_table("p", sa.Column("id", sa.Integer(), primary_key=True))
        op.create_table("c", sa.Column("p_id", sa.Integer(), sa.ForeignKey("p.id")))
        op.drop_table("p")
        """,
    )
    assert foreign_keys(table(result, "c")) == []


def test_drop_index_by_table_or_by_name_alone(tmp_path: Path) -> None:
    result = replay(
        tmp_path,
        """
        op.create_table("t", sa.Column("a", sa.Integer(), index=True), sa.Column("b", sa.Integer()))
        op.create_index("ix_b", "t", ["b"])
        op.create_index("ix_b", "t", ["b"], if_not_exists=True)
        op.drop_index("ix_t_a", table_name="t")
        op.drop_index("ix_b")
        op.drop_index("ix_nowhere", table_name="t")
        """,
    )
    t = table(result, "t")
    assert (indexes(t), t.certain) == ([], True)


def test_drop_constraint_by_name_database_name_or_convention(tmp_path: Path) -> None:
    result = replay(
        tmp_path,
        """
        op.create_table("t", sa.Column("id", sa.Integer()), sa.Column("a", sa.Integer()),
            sa.Column("b", sa.Integer()), sa.Column("c", sa.Integer()),
            sa.ForeignKeyConstraint(["a"], ["x.id"]),
            sa.ForeignKeyConstraint(["b"], ["y.id"]),
            sa.ForeignKeyConstraint(["c"], ["z.id"], name="fk_named"),
            sa.PrimaryKeyConstraint("id"), sa.UniqueConstraint("a"))
        op.drop_constraint("t_a_fkey", "t", type_="foreignkey")
        op.drop_constraint("fk_t_b_y", "t", type_="foreignkey")
        op.drop_constraint("FK_NAMED", "t")
        op.drop_constraint("pk_t", "t", type_="primary")
        op.drop_constraint("no_such_unique", "t", type_="unique")
        """,
    )
    t = table(result, "t")
    assert (foreign_keys(t), indexes(t), t.certain) == ([], [("t_a_key", "unique", ("a",))], True)


def test_a_drop_that_matches_no_known_constraint_makes_the_table_uncertain(
    tmp_path: Path,
) -> None:
    result = replay(
        tmp_path,
        """
        op.create_table("t", sa.Column("a", sa.Integer(), sa.ForeignKey("x.id")))
        op.drop_constraint("fk_from_a_naming_convention", "t", type_="foreignkey")
        """,
    )
    t = table(result, "t")
    assert len(t.foreign_keys) == 1
    assert [u.reason for u in t.uncertain] == [
        "drops constraint 'fk_from_a_naming_convention', which matches no constraint the "
        "analyzer knows on t (it may be a foreign key)"
    ]


def test_batch_ops_act_on_the_batch_table(tmp_path: Path) -> None:
    result = replay(
        tmp_path,
        """
        op.create_table("t", sa.Column("id", sa.Integer()), schema="s")
        with op.batch_alter_table("t", schema="s") as batch_op:
            batch_op.add_column(sa.Column("u_id", sa.Integer()))
            batch_op.create_foreign_key("fk_u", "users", ["u_id"], ["id"], referent_schema="auth")
            batch_op.create_index(batch_op.f("ix_s_t_u_id"), ["u_id"], unique=False)
            batch_op.create_unique_constraint("uq_id", ["id"])
            batch_op.create_primary_key("pk_t", ["id"])
            batch_op.alter_column("u_id", new_column_name="user_id")
        """,
    )
    t = table(result, "t", "s")
    assert indexes(t) == [
        ("ix_s_t_u_id", "index", ("user_id",)),
        ("uq_id", "unique", ("id",)),
        ("pk_t", "primary", ("id",)),
    ]
    assert foreign_keys(t) == [("fk_u", ("user_id",), "auth.users")]


def test_a_table_name_that_is_not_a_literal_makes_every_table_uncertain(
    tmp_path: Path,
) -> None:
    result = replay(
        tmp_path,
        """
        op.create_table("a", sa.Column("x_id", sa.ForeignKey("x.id")))
        for name in get_tables():
            op.create_index("ix", name, ["x_id"])
        op.create_table("b", sa.Column("x_id", sa.ForeignKey("x.id")))
        """,
    )
    assert [u.reason for u in table(result, "a").uncertain] == [
        "op.create_index may change any table: its table (`name`) is not a literal"
    ]
    assert table(result, "b").certain


def test_ops_that_can_only_hide_findings_leave_tables_certain(tmp_path: Path) -> None:
    result = replay(
        tmp_path,
        """
        op.create_table("a", sa.Column("x_id", sa.ForeignKey("x.id")))
        op.create_foreign_key(None, TABLE, "x", ["y"], ["id"])
        op.create_check_constraint("ck", TABLE, "y > 0")
        op.create_table(TABLE, sa.Column("id", sa.Integer()))
        op.drop_index(INDEX, table_name="a")
        op.drop_constraint("uq", TABLE, type_="unique")
        op.alter_column(TABLE, "y", nullable=True)
        op.bulk_insert(some_table, [{"id": 1}])
        """,
    )
    assert table(result, "a").certain


def test_columns_that_are_not_literals_make_only_that_table_uncertain(tmp_path: Path) -> None:
    result = replay(
        tmp_path,
        """
        op.create_table("a", sa.Column("x_id", sa.ForeignKey("x.id")))
        op.create_table("b", sa.Column("x_id", sa.ForeignKey("x.id")), *audit_columns())
        op.create_index("ix", "a", COLUMNS)
        op.create_table("c", sa.Column("x_id", sa.ForeignKey(users.c.id)))
        op.create_table("d", sa.Column("x_id", sa.Integer(), **options))
        """,
    )
    reasons = {
        name: [u.reason for u in table(result, name).uncertain] for name in ("a", "b", "c", "d")
    }
    assert reasons == {
        "a": ["op.create_index: cannot read the index columns (`COLUMNS` is not a literal)"],
        "b": [
            "op.create_table: cannot read a create_table element "
            "(`*audit_columns()` is not a literal)"
        ],
        "c": [
            "op.create_table: cannot read the target of a foreign key "
            "(`users.c.id` is not a literal)"
        ],
        "d": ["op.create_table: cannot read `**` arguments of Column (`options` is not a literal)"],
    }


def test_ops_on_a_table_never_created_make_it_uncertain(tmp_path: Path) -> None:
    result = replay(tmp_path, 'op.add_column("legacy", sa.Column("x_id", sa.ForeignKey("x.id")))')
    legacy = table(result, "legacy")
    assert [u.reason for u in legacy.uncertain] == [
        "legacy is changed but never created by a migration"
    ]
    assert legacy.origin is None and len(legacy.foreign_keys) == 1


def test_custom_ops_make_the_tables_they_name_uncertain_without_a_note(tmp_path: Path) -> None:
    result = replay(
        tmp_path,
        """
        op.create_table("a", sa.Column("x_id", sa.ForeignKey("x.id")))
        op.create_table("b", sa.Column("x_id", sa.ForeignKey("x.id")))
        op.create_partition_index("a", ["x_id"])
        """,
    )
    assert not table(result, "a").certain and table(result, "b").certain
    assert result.notes == ()


def test_execute_that_is_not_a_literal_makes_every_table_uncertain(tmp_path: Path) -> None:
    result = replay(
        tmp_path,
        """
        op.create_table("a", sa.Column("x_id", sa.ForeignKey("x.id")))
        op.execute(posts.update().where(posts.c.id == 1).values(title="x"))
        op.execute(sa.delete(posts))
        op.get_bind().execute(sa.text("UPDATE a SET x_id = NULL"))
        op.execute(sa.text("UPDATE a SET x_id = :x").bindparams(x=None))
        op.execute(f"DELETE FROM {table} WHERE x_id IS NULL")
        op.execute(sql)
        """,
    )
    assert [u.reason for u in table(result, "a").uncertain] == [
        "SQL in op.execute is not a literal (`sql`)"
    ]
    assert [(n.reason, n.everything, n.origin.span.start_line) for n in result.notes] == [
        ("is not a literal (`sql`)", True, 15)
    ]


def test_both_branches_are_applied(tmp_path: Path) -> None:
    files = {
        "a.py": revision_file("a", upgrade='op.create_table("t", sa.Column("u_id", sa.Integer()))'),
        "b.py": revision_file(
            "b", "a", upgrade='op.create_foreign_key("fk", "t", "u", ["u_id"], ["id"])'
        ),
        "c.py": revision_file("c", "a", upgrade='op.create_index("ix", "t", ["u_id"])'),
    }
    write_files(tmp_path, files)
    facts = [parse_file(str(tmp_path / name)) for name in sorted(files)]
    t = table(Analysis(facts).schema, "t")
    assert (foreign_keys(t), indexes(t)) == ([("fk", ("u_id",), "u")], [("ix", "index", ("u_id",))])


def test_a_file_that_cannot_be_parsed_makes_every_table_uncertain(tmp_path: Path) -> None:
    files = {
        "a.py": revision_file("a", upgrade='op.create_table("t", sa.Column("u_id", sa.Integer()))'),
        "b.py": "revision = 'b'\ndown_revision = 'a'\nprint 'python 2'\n",
    }
    write_files(tmp_path, files)
    facts = [parse_file(str(tmp_path / name)) for name in sorted(files)]
    t = table(Analysis(facts).schema, "t")
    assert [(u.reason, u.origin and u.origin.path) for u in t.uncertain] == [
        ("b.py cannot be analyzed; its migrations may change any table", str(tmp_path / "b.py"))
    ]


def test_apply_never_changes_the_schema_it_is_given() -> None:
    empty = Schema.empty()
    origin = Origin("r.py", FILE_START, "r")
    created = apply(empty, CreateTable(TableName(None, "t"), TableSpec(), origin))
    assert (len(empty), len(created)) == (0, 1)
    uncertain = created.mark_all_uncertain(Uncertainty("why"))
    assert created.get(TableName(None, "t")).certain  # type: ignore[union-attr]
    assert not uncertain.get(TableName(None, "t")).certain  # type: ignore[union-attr]


def test_sqlglot_is_imported_only_when_there_is_sql_to_read() -> None:
    code = (
        "import sys\n"
        "from analyzer.commands import cli\n"
        "from analyzer.rules import all_rules\n"
        "all_rules()\n"
        "assert 'sqlglot' not in sys.modules, 'sqlglot imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_a_table_past_the_size_limit_is_no_longer_followed(tmp_path: Path) -> None:
    """Every change copies its table: past MAX_TABLE_PARTS the replay stops growing it
    (a hostile file would otherwise cost time quadratic in its length)."""
    from analyzer.schema.changes import MAX_TABLE_PARTS

    adds = "\n".join(
        f'op.add_column("wide", sa.Column("c{n}", sa.Integer()))' for n in range(MAX_TABLE_PARTS)
    )
    result = replay(
        tmp_path,
        'op.create_table("wide", sa.Column("id", sa.Integer(), primary_key=True))\n' + adds,
        'op.add_column("wide", sa.Column("later", sa.Integer(), sa.ForeignKey("wide.id")))',
    )
    wide = table(result, "wide")
    assert len(wide.columns) + len(wide.indexes) == MAX_TABLE_PARTS  # id, its key, c0...
    assert wide.column("later") is None
    (uncertainty,) = wide.uncertain
    assert uncertainty.reason == (
        "wide has 1600 or more columns, indexes and constraints; later changes to it are not "
        "followed"
    )
    assert uncertainty.origin is not None and uncertainty.origin.revision == "r0"
