"""The replayed schema against a real PostgreSQL (differential tests).

For every fixture project alembic can run: `alembic upgrade heads` into a fresh
database, read the unindexed foreign keys from the catalog, and require that
`unindexed-foreign-key` reports exactly those (table, columns). A key is covered in the
catalog when a valid, non-partial index (primary keys and unique constraints are
indexes) has the key's columns, in any order, as its first key columns.

Skips only when no PostgreSQL server can be started (`tests/postgres.py` says why).
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from analyzer.api import check
from tests.helpers import FIXTURES, REPO, default_config, run_cli
from tests.postgres import Database, Postgres

BROKEN = {
    "broken-graph": "a down_revision names a revision no file declares",
    "duplicate-revision": "alembic loads one of the two files at random",
    "revision-cycle": "alembic stops at the cycle",
    "duplicate-branch-label": "alembic refuses the second label",
    "invalid-files": "alembic cannot import Python 2 and broken files",
    "dynamic-revision": "it imports a module that is deliberately absent",
    "monorepo/services/users": "a down_revision names a revision no file declares",
}
"""Fixture projects alembic cannot upgrade, on purpose (see their READMEs)."""


def _is_project(config: Path) -> bool:
    if config.name == "alembic.ini":
        return True
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    return "alembic" in data.get("tool", {})


def _projects() -> list[Path]:
    configs = [*FIXTURES.rglob("alembic.ini"), *FIXTURES.rglob("pyproject.toml")]
    projects = {config.parent for config in configs if _is_project(config)}
    return sorted(
        project
        for project in projects
        if not any(
            project == FIXTURES / broken or FIXTURES / broken in project.parents
            for broken in BROKEN
        )
    )


PROJECTS = _projects()

UNINDEXED_FOREIGN_KEYS = """
SELECT n.nspname,
       c.relname,
       ARRAY(
           SELECT a.attname
           FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, position)
           JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
           ORDER BY k.position
       )
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE con.contype = 'f'
  AND NOT EXISTS (
      SELECT 1
      FROM pg_index i
      WHERE i.indrelid = con.conrelid
        AND i.indisvalid
        AND i.indpred IS NULL
        AND i.indnkeyatts >= cardinality(con.conkey)
        AND ARRAY(
                SELECT k FROM unnest((i.indkey::int2[])[0:cardinality(con.conkey) - 1]) AS k
                ORDER BY k
            ) = ARRAY(SELECT k FROM unnest(con.conkey) AS k ORDER BY k)
  )
"""

INDEXES = """
SELECT n.nspname,
       c.relname,
       ic.relname,
       i.indisunique,
       i.indpred IS NOT NULL,
       ARRAY(
           SELECT a.attname
           FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, position)
           LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
           WHERE k.position <= i.indnkeyatts
           ORDER BY k.position
       )
FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND c.relname <> 'alembic_version'
"""

COLUMNS = """
SELECT table_schema, table_name, column_name
FROM information_schema.columns
WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
  AND table_name <> 'alembic_version'
"""


def _table(schema: str, name: str) -> str:
    return name if schema == "public" else f"{schema}.{name}"


def _upgraded(postgres: Postgres, project: Path) -> Database:
    database = postgres.create_database(project.name)
    database.alembic(project, "upgrade", "heads")
    return database


def _catalog_unindexed(database: Database) -> set[tuple[str, tuple[str, ...]]]:
    return {
        (_table(schema, table), tuple(columns))
        for schema, table, columns in database.query(UNINDEXED_FOREIGN_KEYS)
    }


_KEY = re.compile(r"^(?P<table>[^(]+)\((?P<columns>[^)]*)\) -> ")


def _reported_unindexed(project: Path) -> set[tuple[str, tuple[str, ...]]]:
    config = default_config(select=("unindexed-foreign-key",), dialect="postgresql")
    report = check([str(project)], config, cwd=REPO)
    found = set()
    for finding in report.findings:
        match = _KEY.match(finding.key)
        assert match, finding.key
        found.add((match["table"], tuple(match["columns"].split(", "))))
    return found


def test_the_differential_test_sees_every_fk_fixture() -> None:
    names = {project.relative_to(FIXTURES).as_posix() for project in PROJECTS}
    fk_fixtures = {path.name for path in FIXTURES.glob("fk-*")}
    assert fk_fixtures and fk_fixtures <= names
    assert {"demo", "unindexed-fk", "flask-migrate"} <= names


@pytest.mark.parametrize(
    "project", PROJECTS, ids=[p.relative_to(FIXTURES).as_posix() for p in PROJECTS]
)
def test_unindexed_foreign_keys_match_the_catalog(postgres: Postgres, project: Path) -> None:
    database = _upgraded(postgres, project)
    assert _reported_unindexed(project) == _catalog_unindexed(database)


def test_debug_schema_of_the_demo_matches_the_catalog(postgres: Postgres) -> None:
    project = FIXTURES / "demo"
    database = _upgraded(postgres, project)
    result = run_cli(["debug", "schema", str(project), "--format", "json"])
    assert result.returncode == 0, result.stderr
    replayed = json.loads(result.stdout)

    tables = {_name(t): t for t in replayed["tables"]}
    catalog_columns: dict[str, set[str]] = {}
    for schema, table, column in database.query(COLUMNS):
        catalog_columns.setdefault(_table(schema, table), set()).add(column)
    assert {name: {c["name"] for c in t["columns"]} for name, t in tables.items()} == (
        catalog_columns
    )

    catalog_indexes = {
        (_table(schema, table), index, unique, partial, tuple(columns))
        for schema, table, index, unique, partial, columns in database.query(INDEXES)
    }
    replayed_indexes = {
        (name, i["name"], i["unique"], i["where"] is not None, tuple(i["columns"]))
        for name, t in tables.items()
        for i in t["indexes"]
    }
    assert replayed_indexes == catalog_indexes
    assert all(t["certain"] for t in tables.values())


def _name(table: dict[str, object]) -> str:
    schema, name = table["schema"], table["name"]
    return f"{schema}.{name}" if schema else str(name)
