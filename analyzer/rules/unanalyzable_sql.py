from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzer.analysis import Analysis
from analyzer.findings import Finding, Level
from analyzer.rules.base import Example, Rule, revision_file

if TYPE_CHECKING:  # imported when the replay runs: a run answered from the cache skips it
    from analyzer.schema import SqlNote

MAX_TABLES = 5


def _skipped(note: SqlNote) -> str:
    if note.everything:
        return "schema rules skip every table that exists at this point"
    if note.tables:
        names = [str(table) for table in note.tables]
        listed = ", ".join(names[:MAX_TABLES])
        more = f" and {len(names) - MAX_TABLES} more" if len(names) > MAX_TABLES else ""
        return f"schema rules skip the tables it names: {listed}{more}"
    return "schema rules cannot see what it changes"


class UnanalyzableSql(Rule):
    """SQL in `op.execute` that the analyzer cannot see through.

    ## What it does
    Reports each `op.execute(...)` in an `upgrade()` whose SQL cannot be parsed (with
    sqlglot, in the project's dialect), is parsed but not understood (a `DO` block, a
    function that may change tables, an `ALTER TABLE` action the replay does not
    model), or is not a literal at all (an f-string, a variable, a string built at run
    time). SQL that is understood is replayed like the equivalent alembic op; SQL that
    changes no table (`UPDATE`, `INSERT`, `GRANT`, `CREATE EXTENSION`, ...) is not
    reported.

    ## Why is this bad?
    Schema rules such as `unindexed-foreign-key` need to know every index and key. The
    replay cannot tell what such SQL does, so it treats the tables the SQL names (for
    non-literal SQL, every table that exists at that point) as unknown and reports
    nothing on them. This note says where that happens, so nothing is skipped silently.

    ## Example
    ```python
    op.execute(f"CREATE INDEX ix_{table}_post_id ON {table} (post_id)")
    ```

    Use instead:
    ```python
    op.create_index(op.f("ix_comments_post_id"), "comments", ["post_id"])
    ```
    or literal SQL the analyzer can read. When the SQL changes no table, keep it and
    add `# alembic-analyzer: ignore[unanalyzable-sql]` on the line.
    """

    id = "unanalyzable-sql"
    default_level = Level.NOTE
    tags = ("schema",)

    VALID = (
        Example.single(
            revision_file(
                "a",
                upgrade=(
                    "op.execute(\"UPDATE posts SET status = 'draft' WHERE status IS NULL\")\n"
                    'op.execute(sa.text("GRANT SELECT ON posts TO reporting"))\n'
                    'op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")\n'
                    'op.execute("CREATE INDEX ix_posts_title ON posts (title); COMMIT")'
                ),
            ),
            title="SQL that is understood",
        ),
        Example.single(
            revision_file("a", upgrade='op.execute(posts.update().values(status="draft"))'),
            title="a SQLAlchemy Core UPDATE",
        ),
        Example.single(
            revision_file("a", downgrade='op.execute(f"DROP INDEX {name}")'),
            title="downgrade() is not replayed",
        ),
    )
    INVALID = (
        Example.single(
            revision_file(
                "a",
                upgrade=(
                    'op.create_table("posts", sa.Column("id", sa.Integer()))\n'
                    'op.execute("CREATE INDEX ix_posts_id ON posts (id")\n'
                    'op.execute(f"CREATE INDEX ON {table} (title)")\n'
                    'op.execute("DO $$ BEGIN PERFORM 1 FROM posts; END $$")\n'
                    'op.execute("ALTER TABLE posts ADD COLUM title text")'
                ),
            ),
            9,
            10,
            11,
            12,
            title="cannot be parsed, not a literal, not understood",
        ),
    )

    def check(self, analysis: Analysis) -> Iterator[Finding]:
        for note in analysis.schema.notes:
            message = (
                f"SQL in op.execute {note.reason}; {_skipped(note)}. Write it as alembic "
                f"ops or SQL the analyzer reads, or ignore this note if it changes no table"
            )
            yield self.finding(
                message,
                note.origin.path,
                note.origin.span,
                revision=note.origin.revision,
                key=note.reason,
            )
