"""Raw SQL through sqlglot: each statement form and what it does to the schema."""

from __future__ import annotations

import pytest

from analyzer.positions import Span
from analyzer.schema import Schema, Table, TableName
from analyzer.schema.changes import Unanalyzable, apply
from analyzer.schema.model import Origin
from analyzer.schema.sql import changes_from_sql, index_element_column

ORIGIN = Origin("r.py", Span(3, 5, 3, 30), "r")


def run(*statements: str, dialect: str = "postgresql") -> Schema:
    schema = Schema.empty(dialect)
    for sql in statements:
        for change in changes_from_sql(sql, ORIGIN, dialect):
            schema = apply(schema, change)
    return schema


def table(schema: Schema, name: str, in_schema: str | None = None) -> Table:
    found = schema.get(TableName(in_schema, name))
    assert found is not None, [str(t.name) for t in schema]
    return found


def indexes(t: Table) -> list[tuple[str | None, str, tuple[str | None, ...], str | None]]:
    return [(i.name, i.kind, i.columns, i.where) for i in t.indexes]


def foreign_keys(t: Table) -> list[tuple[str | None, tuple[str, ...], str, tuple[str, ...]]]:
    return [
        (fk.name, fk.columns, str(fk.referred_table), fk.referred_columns) for fk in t.foreign_keys
    ]


def test_create_table_with_inline_and_table_level_keys() -> None:
    schema = run(
        """
        CREATE TABLE IF NOT EXISTS blog.Comments (
            id bigserial PRIMARY KEY,
            post_id int NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
            author_id int CONSTRAINT fk_author REFERENCES public.users,
            slug text UNIQUE,
            a int, b int,
            CONSTRAINT fk_pair FOREIGN KEY (a, b) REFERENCES pairs (x, y),
            UNIQUE (a, b) INCLUDE (slug),
            CHECK (a > 0)
        )
        """
    )
    comments = table(schema, "comments", "blog")
    assert [(c.name, c.type, c.nullable) for c in comments.columns][:2] == [
        ("id", "BIGSERIAL", None),
        ("post_id", "INT", False),
    ]
    assert indexes(comments) == [
        ("comments_pkey", "primary", ("id",), None),
        ("comments_slug_key", "unique", ("slug",), None),
        ("comments_a_b_key", "unique", ("a", "b"), None),
    ]
    assert comments.indexes[2].include == ("slug",)
    assert foreign_keys(comments) == [
        ("comments_post_id_fkey", ("post_id",), "posts", ("id",)),
        ("fk_author", ("author_id",), "users", ()),
        ("fk_pair", ("a", "b"), "pairs", ("x", "y")),
    ]
    assert len(comments.checks) == 1 and comments.certain


def test_quoted_identifiers_keep_their_case() -> None:
    schema = run('CREATE TABLE "Users" ("Id" int PRIMARY KEY)')
    users = table(schema, "Users")
    assert (users.name.name, users.columns[0].name) == ("Users", "Id")


def test_create_table_as_like_or_partition_is_uncertain_and_temp_tables_ignored() -> None:
    schema = run(
        "CREATE TABLE t AS SELECT * FROM src",
        "CREATE TABLE u (LIKE src INCLUDING ALL)",
        "CREATE TEMP TABLE scratch (a int)",
    )
    assert [str(t.name) for t in schema] == ["t", "u"]
    assert not any(t.certain for t in schema)


def test_alter_table_add_constraint_column_and_keys() -> None:
    schema = run(
        "CREATE TABLE c (id int)",
        "ALTER TABLE ONLY c ADD CONSTRAINT fk_p FOREIGN KEY (p_id) REFERENCES p (id) NOT VALID",
        "ALTER TABLE c ADD FOREIGN KEY (q_id) REFERENCES q",
        "ALTER TABLE c ADD COLUMN IF NOT EXISTS r_id int REFERENCES r (id) UNIQUE",
        "ALTER TABLE c ADD PRIMARY KEY (id), ADD CONSTRAINT uq UNIQUE (p_id, q_id)",
    )
    c = table(schema, "c")
    assert [col.name for col in c.columns] == ["id", "r_id"]
    assert foreign_keys(c) == [
        ("fk_p", ("p_id",), "p", ("id",)),
        ("c_q_id_fkey", ("q_id",), "q", ()),
        ("c_r_id_fkey", ("r_id",), "r", ("id",)),
    ]
    assert indexes(c) == [
        ("c_r_id_key", "unique", ("r_id",), None),
        ("c_pkey", "primary", ("id",), None),
        ("uq", "unique", ("p_id", "q_id"), None),
    ]


def test_create_index_forms() -> None:
    schema = run(
        "CREATE TABLE c (a int, b int, body text)",
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix_a ON c USING btree "
        "(a DESC NULLS LAST, b) INCLUDE (body) WHERE b IS NOT NULL",
        'CREATE INDEX ix_ops ON c (a int4_ops, b COLLATE "C", ((a)))',
        "CREATE INDEX ix_expr ON c (lower(body), a)",
        "CREATE INDEX ON c (b)",
        "CREATE INDEX ON c (b)",
        "create index ix_a on c (a)",
    )
    c = table(schema, "c")
    assert indexes(c) == [
        ("ix_a", "index", ("a", "b"), "b IS NOT NULL"),
        ("ix_ops", "index", ("a", "b", "a"), None),
        ("ix_expr", "index", (None, "a"), None),
        ("c_b_idx", "index", ("b",), None),
        ("c_b_idx1", "index", ("b",), None),
        ("ix_a", "index", ("a",), None),
    ]
    assert c.indexes[0].unique and c.indexes[0].include == ("body",)


def test_drops_and_renames() -> None:
    schema = run(
        "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE gone (id int PRIMARY KEY)",
        "CREATE TABLE c (id int, p_id int REFERENCES p, g_id int REFERENCES gone, x int)",
        "CREATE INDEX ix_c_x ON c (x); CREATE INDEX ix_c_p ON c (p_id)",
        "DROP INDEX IF EXISTS ix_c_x",
        "DROP TABLE gone CASCADE",
        "ALTER TABLE p RENAME TO parents",
        "ALTER TABLE c RENAME COLUMN p_id TO parent_id",
        "ALTER INDEX ix_c_p RENAME TO ix_c_parent",
        "ALTER TABLE c RENAME CONSTRAINT c_p_id_fkey TO fk_c_parent",
        "ALTER TABLE c DROP COLUMN x, ALTER COLUMN id SET NOT NULL",
    )
    assert [str(t.name) for t in schema] == ["c", "parents"]
    c = table(schema, "c")
    assert indexes(c) == [("ix_c_parent", "index", ("parent_id",), None)]
    assert foreign_keys(c) == [("fk_c_parent", ("parent_id",), "parents", ())]
    schema = run(
        "CREATE TABLE c (id int, p_id int CONSTRAINT fk REFERENCES p)",
        "ALTER TABLE c DROP CONSTRAINT IF EXISTS fk CASCADE",
    )
    assert foreign_keys(table(schema, "c")) == []


def test_pg_dump_spellings() -> None:
    """`CREATE INDEX ... ON ONLY` and `NULLS NOT DISTINCT` (which sqlglot cannot parse)
    make the same index; `RENAME x TO y` renames a column, not the table."""
    schema = run(
        "CREATE TABLE public.c (id integer NOT NULL, p_id integer, q_id integer)",
        "ALTER TABLE ONLY public.c ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY "
        "(SEQUENCE NAME public.c_id_seq START WITH 1 INCREMENT BY 1 NO MINVALUE CACHE 1)",
        "CREATE INDEX ix_c_p_id ON ONLY public.c USING btree (p_id)",
        "CREATE UNIQUE INDEX ON ONLY c (q_id) NULLS NOT DISTINCT",
        "ALTER TABLE c RENAME p_id TO parent_id",
        'ALTER TABLE IF EXISTS ONLY c RENAME "q_id" TO other_id',
    )
    c = table(schema, "c")
    assert c.certain
    assert [col.name for col in c.columns] == ["id", "parent_id", "other_id"]
    assert indexes(c) == [
        ("ix_c_p_id", "index", ("parent_id",), None),
        ("c_q_id_idx", "index", ("other_id",), None),
    ]


def test_dropping_a_column_an_expression_or_predicate_uses_drops_the_index() -> None:
    schema = run(
        "CREATE TABLE c (id int, p_id int, title text, body text, gone bool)",
        "CREATE INDEX ix_p_title ON c (p_id, lower(title))",
        "CREATE INDEX ix_p_body ON c (p_id) WHERE body IS NOT NULL",
        "CREATE INDEX ix_p ON c (p_id, (id + 1))",
        "ALTER TABLE c RENAME title TO heading",
        "ALTER TABLE c DROP COLUMN heading, DROP COLUMN body",
    )
    assert indexes(table(schema, "c")) == [("ix_p", "index", ("p_id", None), None)]


def test_add_constraint_using_index_keeps_the_index_under_the_new_name() -> None:
    schema = run(
        "CREATE TABLE c (a int)",
        "CREATE UNIQUE INDEX CONCURRENTLY ix_c_a ON c (a)",
        "ALTER TABLE c ADD CONSTRAINT uq_c_a UNIQUE USING INDEX ix_c_a",
    )
    assert indexes(table(schema, "c")) == [("uq_c_a", "index", ("a",), None)]


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE posts SET status = 'draft' WHERE status IS NULL",
        "INSERT INTO posts (id) VALUES (1)",
        "DELETE FROM posts WHERE id = :id",
        "GRANT SELECT ON posts TO reporting",
        "COMMENT ON TABLE posts IS 'posts'",
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "CREATE OR REPLACE FUNCTION f() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ "
        "LANGUAGE plpgsql",
        "CREATE TRIGGER trg BEFORE UPDATE ON posts FOR EACH ROW EXECUTE FUNCTION f()",
        "CREATE TYPE mood AS ENUM ('a', 'b'); ALTER TYPE mood ADD VALUE 'c'",
        "CREATE SCHEMA IF NOT EXISTS blog",
        "CREATE VIEW v AS SELECT * FROM posts",
        "ALTER TABLE posts VALIDATE CONSTRAINT fk_posts_author",
        "ALTER TABLE posts OWNER TO app",
        "SET lock_timeout = '5s'",
        "SELECT setval('posts_id_seq', (SELECT max(id) FROM posts))",
        "ANALYZE posts",
        "ALTER TABLE posts ALTER COLUMN title TYPE text",
        "DROP VIEW IF EXISTS v; DROP FUNCTION f()",
    ],
)
def test_statements_that_change_no_table(sql: str) -> None:
    assert changes_from_sql(sql, ORIGIN, "postgresql") == []


@pytest.mark.parametrize(
    ("sql", "reason", "everything"),
    [
        (
            "CREATE INDEX ix ON posts USING btree id",
            "is not understood (CREATE INDEX ix ...)",
            False,
        ),
        ("DO $$ BEGIN PERFORM 1 FROM posts; END $$", "runs procedural code", False),
        (
            "DO $$ BEGIN EXECUTE format('CREATE INDEX ON %I (x)', 'posts'); END $$",
            "runs dynamic SQL",
            True,
        ),
        (
            "SELECT create_hypertable('posts', 'created_at')",
            "calls create_hypertable(), which may change tables",
            False,
        ),
        (
            "ALTER TABLE posts SET SCHEMA archive",
            "is not understood (ALTER TABLE posts ...)",
            False,
        ),
        ("DROP TYPE mood CASCADE", "drops a type with CASCADE", True),
    ],
)
def test_statements_that_are_not_understood(sql: str, reason: str, everything: bool) -> None:
    (change,) = changes_from_sql(sql, ORIGIN, "postgresql")
    assert isinstance(change, Unanalyzable)
    assert (change.reason, change.everything) == (reason, everything)
    schema = run("CREATE TABLE posts (id int PRIMARY KEY); CREATE TABLE other (id int)")
    schema = apply(schema, change)
    assert [str(t.name) for t in schema if not t.certain] == (
        ["other", "posts"] if everything else ["posts"]
    )


def test_one_unreadable_statement_does_not_hide_the_others() -> None:
    changes = changes_from_sql(
        "CREATE TABLE a (id int); CREATE INDEX ix ON (id); CREATE INDEX ix_b ON a (id)",
        ORIGIN,
        "postgresql",
    )
    assert [type(c).__name__ for c in changes] == ["CreateTable", "Unanalyzable", "AddIndex"]


def test_other_dialects() -> None:
    schema = run(
        "CREATE TABLE [dbo].[orders] (id int PRIMARY KEY, cust int REFERENCES customers (id))",
        dialect="mssql",
    )
    assert foreign_keys(table(schema, "orders")) == [(None, ("cust",), "customers", ("id",))]
    schema = run("CREATE TABLE `orders` (cust int, INDEX ix_cust (cust))", dialect="mysql")
    assert indexes(table(schema, "orders")) == [("ix_cust", "index", ("cust",), None)]


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("email", "email"),
        ("email DESC NULLS LAST", "email"),
        ('"Email"', "Email"),
        ("email varchar_pattern_ops", "email"),
        ("lower(email)", None),
        ("(a + b)", None),
        ("a, b", False),
        ("lower(", False),
    ],
)
def test_index_elements_written_as_text(text: str, column: str | None | bool) -> None:
    assert index_element_column(text, "postgresql") == column
