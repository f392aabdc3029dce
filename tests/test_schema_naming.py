"""Names given to what a migration left unnamed, checked against SQLAlchemy's compiler
and against names PostgreSQL 16 chose (recorded from pgserver)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex

from analyzer.schema.naming import (
    make_object_name,
    postgres_name,
    sqlalchemy_index_name,
    suggested_index_name,
    truncate_identifier,
)

LONG_TABLE = "longname_" + "x" * 50
LONG_COLUMN = "some_quite_long_column_name_for_test"


def _sqlalchemy_name(schema: str | None, table: str, column: str) -> str:
    metadata = sa.MetaData()
    t = sa.Table(table, metadata, sa.Column(column, sa.Integer, index=True), schema=schema)
    (index,) = t.indexes
    sql = str(CreateIndex(index).compile(dialect=postgresql.dialect()))
    return sql.split()[2].strip('"')


@pytest.mark.parametrize(
    ("schema", "table", "column"),
    [(None, "posts", "author_id"), ("blog", "items", "user_id"), (None, LONG_TABLE, LONG_COLUMN)],
)
def test_index_names_match_sqlalchemy(schema: str | None, table: str, column: str) -> None:
    assert sqlalchemy_index_name(schema, table, column, "postgresql") == _sqlalchemy_name(
        schema, table, column
    )


def test_postgres_constraint_names() -> None:
    assert postgres_name("posts", ["author_id"], "foreignkey") == "posts_author_id_fkey"
    assert postgres_name("posts", ["author_id", "editor_id"], "unique") == (
        "posts_author_id_editor_id_key"
    )
    assert postgres_name("posts", [], "primary") == "posts_pkey"
    assert postgres_name("a", ["x"], "index", {"a_x_idx"}) == "a_x_idx1"
    # names PostgreSQL 16 gave these constraints
    assert postgres_name(LONG_TABLE, [LONG_COLUMN], "foreignkey") == (
        "longname_xxxxxxxxxxxxxxxxxxxx_some_quite_long_column_name__fkey"
    )
    assert postgres_name(LONG_TABLE, [], "primary") == (
        "longname_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx_pkey"
    )


def test_make_object_name_clips_whole_characters() -> None:
    name = make_object_name("é" * 40, "ü" * 40, "fkey")
    assert len(name.encode()) <= 63 and name.endswith("_fkey")
    assert truncate_identifier("ß" * 40, "postgresql") == "ß" * 31
    assert truncate_identifier("ß" * 40, "sqlite") == "ß" * 40


def test_suggested_index_names() -> None:
    assert suggested_index_name(None, "comments", ["post_id"], "postgresql") == (
        "ix_comments_post_id"
    )
    assert suggested_index_name("blog", "t", ["a", "b"], "postgresql") == "ix_blog_t_a_b"
    assert len(suggested_index_name(None, LONG_TABLE, [LONG_COLUMN], "postgresql")) == 60
