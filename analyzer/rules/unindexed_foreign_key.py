from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzer.analysis import Analysis
from analyzer.findings import Finding, Level, Location
from analyzer.rules.base import Example, Rule, revision_file

if TYPE_CHECKING:  # imported when the rule runs: a run answered from the cache skips them
    from analyzer.schema import ForeignKey, Schema, Table

NOT_APPLICABLE = frozenset({"mysql"})
"""MySQL (InnoDB) creates an index for every foreign key itself."""


def unindexed_foreign_keys(schema: Schema) -> list[tuple[Table, ForeignKey]]:
    """Foreign keys at the heads that no index covers, on tables known exactly."""
    found = []
    for table in schema.sorted_tables():
        if not table.certain:
            continue
        for foreign_key in table.foreign_keys:
            if not any(index.covers(foreign_key.columns) for index in table.indexes):
                found.append((table, foreign_key))
    return found


def _sql_name(table: Table, foreign_key: ForeignKey) -> str:
    return f"{table.name}({', '.join(foreign_key.columns)})"


def _python(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _create_index(table: Table, foreign_key: ForeignKey, dialect: str) -> str:
    from analyzer.schema.naming import suggested_index_name

    name = suggested_index_name(table.name.schema, table.name.name, foreign_key.columns, dialect)
    columns = ", ".join(_python(column) for column in foreign_key.columns)
    schema = f", schema={_python(table.name.schema)}" if table.name.schema else ""
    return (
        f"op.create_index(op.f({_python(name)}), {_python(table.name.name)}, [{columns}]{schema})"
    )


class UnindexedForeignKey(Rule):
    """A foreign key in the final schema has no index that covers it.

    ## What it does
    Replays every revision's `upgrade()` in topological order along all branches (all
    heads applied) and reports each foreign key that exists at the heads and whose
    columns are not exactly the first key columns (in any order) of a valid,
    non-partial index, unique constraint or primary key on the referencing table.
    Partial indexes, `INCLUDE` columns and expressions do not cover a key. Renamed
    tables and columns are followed and the message uses their final names; keys whose
    table, column or referred table is dropped later are not reported. The finding is
    located where the key is declared (the surviving declaration when it was dropped
    and created again).

    Tables the analyzer cannot know exactly are skipped: SQL it cannot read
    (`unanalyzable-sql`), names that are not literals, constructs built by helper
    functions, files that cannot be parsed. Not applicable to MySQL, which indexes
    every foreign key itself.

    ## Why is this bad?
    PostgreSQL, SQLite, SQL Server and Oracle do not index the referencing side of a
    foreign key. Every delete of a parent row, and every update of its key, must find
    the child rows: without an index that is a sequential scan of the child table,
    under a lock, for each parent row. `ON DELETE CASCADE` makes it worse.

    ## Example
    ```python
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("post_id", sa.Integer(), sa.ForeignKey("posts.id"), nullable=False),
    )
    ```

    Use instead:
    ```python
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("post_id", sa.Integer(), sa.ForeignKey("posts.id"), nullable=False),
    )
    op.create_index(op.f("ix_comments_post_id"), "comments", ["post_id"])
    ```
    An index whose leading columns are the key's columns covers it too, as does a
    primary key or unique constraint starting with them (an association table's
    composite primary key covers its first column).
    """

    id = "unindexed-foreign-key"
    default_level = Level.WARNING
    tags = ("schema", "performance")

    VALID = (
        Example.single(
            revision_file(
                "a",
                upgrade=(
                    'op.create_table("posts", sa.Column("id", sa.Integer(), primary_key=True))\n'
                    'op.create_table("comments",\n'
                    '    sa.Column("id", sa.Integer(), primary_key=True),\n'
                    '    sa.Column("post_id", sa.ForeignKey("posts.id"), index=True),\n'
                    ")"
                ),
            ),
            title="Column(index=True)",
        ),
        Example(
            {
                "a.py": revision_file(
                    "a",
                    upgrade=(
                        'op.create_table("comments", sa.Column("id", sa.Integer()),\n'
                        '    sa.Column("post_id", sa.Integer()),\n'
                        '    sa.ForeignKeyConstraint(["post_id"], ["posts.id"]))'
                    ),
                ),
                "b.py": revision_file(
                    "b", "a", upgrade='op.create_index("ix_c", "comments", ["post_id", "id"])'
                ),
            },
            title="index added in a later revision, key first in a composite index",
        ),
        Example.single(
            revision_file(
                "a",
                upgrade=(
                    'op.create_table("post_tags",\n'
                    '    sa.Column("post_id", sa.ForeignKey("posts.id")),\n'
                    '    sa.Column("tag_id", sa.ForeignKey("tags.id")),\n'
                    '    sa.PrimaryKeyConstraint("post_id", "tag_id"),\n'
                    '    sa.UniqueConstraint("tag_id", "post_id"),\n'
                    ")"
                ),
            ),
            title="association table: the primary key and a unique constraint cover",
        ),
        Example.single(
            revision_file(
                "a",
                upgrade=(
                    'op.create_table("items", sa.Column("a", sa.Integer()),\n'
                    '    sa.Column("b", sa.Integer()),\n'
                    '    sa.ForeignKeyConstraint(["a", "b"], ["pairs.x", "pairs.y"]))\n'
                    'op.create_index("ix_items_b_a", "items", ["b", "a"])'
                ),
            ),
            title="composite key covered by an index in another column order",
        ),
        Example.single(
            revision_file(
                "a",
                upgrade=(
                    'op.create_table("comments", sa.Column("post_id", sa.Integer()),\n'
                    '    sa.ForeignKeyConstraint(["post_id"], ["posts.id"]))\n'
                    'op.drop_column("comments", "post_id")'
                ),
            ),
            title="the key's column is dropped later",
        ),
        Example(
            {
                "a.py": revision_file(
                    "a",
                    upgrade=(
                        'op.create_table("posts", sa.Column("id", sa.Integer()))\n'
                        'op.create_table("comments", sa.Column("post_id", sa.Integer()))\n'
                        'op.create_foreign_key("fk_c_p", "comments", "posts", ["post_id"], ["id"])'
                    ),
                ),
                "b.py": revision_file(
                    "b",
                    "a",
                    upgrade=(
                        'op.drop_constraint("fk_c_p", "comments", type_="foreignkey")\n'
                        'op.drop_table("posts")'
                    ),
                ),
            },
            title="the key and the referred table are dropped later",
        ),
        Example.single(
            revision_file(
                "a",
                upgrade=(
                    'op.execute("CREATE TABLE comments (id serial PRIMARY KEY, '
                    'post_id int REFERENCES posts (id))")\n'
                    'op.execute("CREATE INDEX CONCURRENTLY ix_c ON comments (post_id)")'
                ),
            ),
            title="raw SQL, read with sqlglot",
        ),
        Example.single(
            revision_file(
                "a",
                upgrade=(
                    'op.create_table("comments", sa.Column("post_id", sa.ForeignKey("posts.id")))\n'
                    "op.execute(\"DO $$ BEGIN EXECUTE 'CREATE INDEX ON comments (post_id)'; "
                    'END $$")'
                ),
            ),
            title="SQL the analyzer cannot read makes the table uncertain",
        ),
        Example(
            {
                "a.py": revision_file(
                    "a",
                    upgrade='op.create_table("c", sa.Column("post_id", sa.ForeignKey("posts.id")))',
                )
            },
            dialect="mysql",
            title="MySQL indexes foreign keys itself",
        ),
    )
    INVALID = (
        Example.single(
            revision_file(
                "a",
                upgrade=(
                    'op.create_table("comments",\n'
                    '    sa.Column("id", sa.Integer(), primary_key=True),\n'
                    '    sa.Column("post_id", sa.Integer(), sa.ForeignKey("posts.id")),\n'
                    ")"
                ),
            ),
            10,
            title="inline ForeignKey without an index",
        ),
        Example(
            {
                "a.py": revision_file(
                    "a",
                    upgrade=(
                        'op.create_table("comments", sa.Column("post_id", sa.Integer()),\n'
                        '    sa.ForeignKeyConstraint(["post_id"], ["posts.id"]),\n'
                        '    sa.Index("ix_live", "post_id", postgresql_where=sa.text("live")),\n'
                        '    sa.Index("ix_lower", sa.text("lower(post_id)")),\n'
                        ")\n"
                        'op.create_index("ix_c", "comments", ["post_id"])'
                    ),
                ),
                "b.py": revision_file("b", "a", upgrade='op.drop_index("ix_c", "comments")'),
            },
            expect=(("a.py", 9),),
            title="the index is dropped later; partial and expression indexes do not cover",
        ),
        Example.single(
            revision_file(
                "a",
                upgrade=(
                    'op.create_table("orders", sa.Column("id", sa.Integer()), schema="shop")\n'
                    'op.rename_table("orders", "purchases", schema="shop")\n'
                    'with op.batch_alter_table("purchases", schema="shop") as batch_op:\n'
                    '    batch_op.add_column(sa.Column("user_id", sa.Integer()))\n'
                    '    batch_op.create_foreign_key("fk_u", "users", ["user_id"], ["id"])\n'
                    '    batch_op.alter_column("user_id", new_column_name="buyer_id")'
                ),
            ),
            12,
            title="batch ops, renames and a schema: the message uses the final names",
        ),
        Example.single(
            revision_file(
                "a",
                upgrade=(
                    'op.create_table("comments", sa.Column("id"), sa.Column("post_id"))\n'
                    'op.execute("ALTER TABLE comments ADD CONSTRAINT fk FOREIGN KEY (post_id) '
                    'REFERENCES posts (id)")\n'
                    'op.execute("CREATE INDEX ix ON comments (id) INCLUDE (post_id)")'
                ),
            ),
            9,
            title="a key added by SQL; an INCLUDE column does not cover",
        ),
    )

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        if analysis.dialect in NOT_APPLICABLE:
            return
        from analyzer.schema.model import fold

        seen: dict[tuple[object, ...], int] = {}
        found: list[tuple[Table, ForeignKey, list[Location]]] = []
        for table, foreign_key in unindexed_foreign_keys(analysis.schema.schema):
            same = (
                table.name.key,
                tuple(fold(c) for c in foreign_key.columns),
                foreign_key.referred_table.key,
            )
            if same in seen:
                origin = foreign_key.origin
                found[seen[same]][2].append(Location(origin.path, origin.span, "the same key"))
                continue
            seen[same] = len(found)
            found.append((table, foreign_key, []))
        for table, foreign_key, related in found:
            yield self._report(table, foreign_key, related, analysis.dialect)

    def _report(
        self, table: Table, foreign_key: ForeignKey, related: list[Location], dialect: str
    ) -> Finding:
        referred = foreign_key.referred_table
        key = f"{_sql_name(table, foreign_key)} -> {referred}"
        message = (
            f"foreign key {key} has no index on its columns; deleting or updating a row "
            f"of {referred} scans {table.name}. Add: "
            f"{_create_index(table, foreign_key, dialect)}"
        )
        origin = foreign_key.origin
        return self.finding(
            message,
            origin.path,
            origin.span,
            related=related,
            revision=origin.revision,
            key=key,
        )
