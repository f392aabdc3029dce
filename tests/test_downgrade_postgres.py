"""Differential tests of the downgrade rules against a real PostgreSQL (pgserver).

The example projects are migrated with alembic itself, and the catalog (tables,
columns, indexes, constraints; `alembic_version` excluded) is compared with what the
rules say:

- `incomplete-downgrade`: after `alembic upgrade heads` + `alembic downgrade base`, the
  catalog holds exactly the objects the rule reports as left behind (an object left by
  its revision is gone when an older revision drops its table); and for every revision
  on its own (upgrade its parent, snapshot, upgrade it, downgrade it), the objects
  left behind and the objects not brought back are exactly the reported ones.
- `missing-downgrade`: what its message says `alembic downgrade` does (nothing, or
  stop with an error) is what alembic does.

alembic runs in one subprocess per project (this module is its driver: `python -m
tests.test_downgrade_postgres PLAN RESULT`), with one database per scenario.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from analyzer.api import check
from analyzer.config import Config
from analyzer.findings import Finding
from tests.helpers import FIXTURES, REPO
from tests.postgres import Postgres

# --- the catalog ------------------------------------------------------------------------

_FILTER = (
    "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'"
    " AND t.relname <> 'alembic_version'"
)
_CATALOG_QUERIES = {
    "table": f"""
        SELECT n.nspname, t.relname, '', NULL, NULL FROM pg_class t
        JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE t.relkind IN ('r', 'p') AND {_FILTER}""",
    "column": f"""
        SELECT n.nspname, t.relname, a.attname, NULL, NULL FROM pg_attribute a
        JOIN pg_class t ON t.oid = a.attrelid JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE t.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND {_FILTER}""",
    "index": f"""
        SELECT n.nspname, t.relname, i.relname, NULL,
            ARRAY(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)
                  LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
                  ORDER BY k.ord)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE {_FILTER} AND NOT EXISTS (
            SELECT 1 FROM pg_constraint c
            WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid
              AND c.contype IN ('p', 'u', 'x'))""",
    "constraint": f"""
        SELECT n.nspname, t.relname, c.conname, c.contype::text,
            ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
                  JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
                  ORDER BY k.ord)
        FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE c.contype IN ('p', 'u', 'f', 'c', 'x') AND {_FILTER}""",
}


def _snapshot(url: str) -> list[list[Any]]:
    """[kind, table, name, constraint type, columns] of every object, as JSON data."""
    import sqlalchemy as sa

    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    rows: list[list[Any]] = []
    with engine.connect() as connection:
        for kind, sql in _CATALOG_QUERIES.items():
            for schema, table, name, type_, columns in connection.execute(sa.text(sql)):
                qualified = table if schema == "public" else f"{schema}.{table}"
                rows.append([kind, qualified, name, type_, columns])
    engine.dispose()
    return rows


def _versions(url: str) -> list[str]:
    import sqlalchemy as sa

    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        exists = connection.execute(sa.text("SELECT to_regclass('alembic_version')")).scalar()
        found = (
            [
                row[0]
                for row in connection.execute(sa.text("SELECT version_num FROM alembic_version"))
            ]
            if exists
            else []
        )
    engine.dispose()
    return sorted(found)


def _drive(plan: dict[str, Any]) -> list[list[Any]]:
    """Run each database's steps with alembic's command API; errors become results."""
    from alembic import command
    from alembic.config import Config as AlembicConfig

    results: list[list[Any]] = []
    for database in plan["databases"]:
        url = database["url"]
        os.environ["DATABASE_URL"] = url
        config = AlembicConfig(str(Path(plan["project"]) / "alembic.ini"))
        outcome: list[Any] = []
        for action, *arguments in database["steps"]:
            if action == "snapshot":
                outcome.append(_snapshot(url))
            elif action == "versions":
                outcome.append(_versions(url))
            else:
                try:
                    getattr(command, action)(config, *arguments)
                    outcome.append("ok")
                except Exception as error:  # noqa: BLE001 - the error is the result
                    outcome.append(f"{type(error).__name__}: {error}")
        results.append(outcome)
    return results


def run_plan(project: Path, databases: list[dict[str, Any]], tmp_path: Path) -> list[list[Any]]:
    plan_file, result_file = tmp_path / "plan.json", tmp_path / "result.json"
    plan_file.write_text(json.dumps({"project": str(project), "databases": databases}))
    completed = subprocess.run(
        [sys.executable, "-m", "tests.test_downgrade_postgres", str(plan_file), str(result_file)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    results: list[list[Any]] = json.loads(result_file.read_text())
    return results


# --- objects and what the findings say about them ----------------------------------------


@dataclass(frozen=True)
class DbObject:
    """A table, column, index or constraint, identified by kind, table and name (an
    index on a renamed column is the same index)."""

    kind: str
    table: str
    name: str
    type_: str | None = field(default=None, compare=False)
    columns: tuple[str | None, ...] = field(default=(), compare=False)

    def __str__(self) -> str:
        return f"{self.kind} {self.table}{'.' + self.name if self.name else ''}"


Catalog = frozenset[DbObject]


def catalog(rows: Iterable[list[Any]]) -> Catalog:
    return frozenset(
        DbObject(kind, table, name, type_, tuple(columns or ()))
        for kind, table, name, type_, columns in rows
    )


def _split(qualified: str) -> tuple[str, str]:
    """`table.name` -> (table, name), where table may be `schema.table`."""
    table, _, name = qualified.rpartition(".")
    return table, name


def table_of(key: str, renamed: dict[str, str]) -> str:
    """The table a finding is about (under its name after `renamed`)."""
    kind, identity = key.split(" ", 1)
    if kind in ("create_table", "drop_table"):
        table = identity
    elif kind == "rename_table":
        table = identity.split(">")[1]
    elif "(" in identity:
        table = identity.partition("(")[0]
    else:
        table = _split(identity.split(">")[0])[0]
    return renamed.get(table, table)


def _index_or_constraint(key: str, objects: Catalog, renamed: dict[str, str]) -> set[DbObject]:
    """`create_index t.ix` / `create_constraint t(cols)` (unnamed) / ... in `objects`."""
    kind, identity = key.split(" ", 1)
    wanted = kind.split("_")[1]
    table = table_of(key, renamed)
    if identity.endswith(")"):
        columns = tuple(identity[:-1].partition("(")[2].split(","))
        return {o for o in objects if (o.kind, o.table, o.columns) == (wanted, table, columns)}
    name = _split(identity)[1]
    return {o for o in objects if o.kind == wanted and o.name == name and table in (o.table, "?")}


def _on_table(table: str, objects: Catalog, whole: bool) -> set[DbObject]:
    """Everything on a table; or (`whole` False) the table, its columns and primary key,
    which come and go with the table itself."""
    return {
        o
        for o in objects
        if o.table == table and (whole or o.kind in ("table", "column") or o.type_ == "p")
    }


def left_behind(
    key: str, objects: Catalog, *, whole: bool = True, renamed: dict[str, str] | None = None
) -> set[DbObject]:
    """The objects that the finding with `key` says the downgrade leaves behind."""
    renamed = renamed or {}
    kind, identity = key.split(" ", 1)
    table = table_of(key, renamed)
    if kind in ("create_table", "rename_table"):
        return _on_table(table, objects, whole)
    if kind in ("add_column", "rename_column"):
        column = identity.split(">")[-1] if kind == "rename_column" else _split(identity)[1]
        return {o for o in objects if o == DbObject("column", table, column)}
    if kind in ("create_index", "create_constraint"):
        return _index_or_constraint(key, objects, renamed)
    return set()


def not_brought_back(key: str, objects: Catalog) -> set[DbObject]:
    """The objects (of the schema before the upgrade) that the finding with `key` says
    the downgrade does not bring back."""
    kind, identity = key.split(" ", 1)
    before = identity.split(">")[0]
    if kind in ("drop_table", "rename_table"):
        return _on_table(before, objects, whole=True)
    if kind in ("drop_column", "rename_column"):
        table, column = _split(before)
        return {o for o in objects if o == DbObject("column", table, column)}
    if kind in ("drop_index", "drop_constraint"):
        return _index_or_constraint(key, objects, {})
    return set()


def findings_of(project: Path, rule: str) -> list[Finding]:
    return list(check([str(project)], Config(select=(rule,)), cwd=project).findings)


def keys_by_revision(project: Path, rule: str) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    for finding in findings_of(project, rule):
        assert finding.revision is not None
        keys.setdefault(finding.revision, []).append(finding.key)
    return keys


@dataclass(frozen=True)
class Revision:
    revision: str
    parent: str
    """The one `down_revision`, or `base`."""


def single_parent_revisions(project: Path) -> list[Revision]:
    """Every revision that is not a merge (alembic can downgrade it to its parent)."""
    from analyzer.api import load_facts
    from analyzer.discovery import select

    (target,) = select([str(project)], project, [])
    revisions = []
    for facts in load_facts(target.project.revision_files()):
        parent = facts.down_revision.value if facts.down_revision else None
        revision = facts.revision_id()
        assert revision is not None
        if parent is None or isinstance(parent, str):
            revisions.append(Revision(revision, parent or "base"))
    return revisions


def revision_plan(postgres: Postgres, project: Path, revision: Revision) -> dict[str, Any]:
    """A database of its own: upgrade to the parent, snapshot, upgrade the revision,
    snapshot, downgrade to the parent, snapshot (the last three with alembic_version)."""
    database = postgres.create_database(f"{project.name}_{revision.revision}")
    steps: list[list[str]] = [] if revision.parent == "base" else [["upgrade", revision.parent]]
    steps += [
        ["snapshot"],
        ["upgrade", revision.revision],
        ["snapshot"],
        ["downgrade", revision.parent],
        ["snapshot"],
        ["versions"],
    ]
    return {"url": database.url, "steps": steps}


# --- incomplete-downgrade ----------------------------------------------------------------

DOWNGRADABLE = [
    "demo",
    "merged-heads",
    "two-heads",
    "unindexed-fk",
    "flask-migrate",
    "downgrade-complete",
    "downgrade-forgotten-index",
    "downgrade-leftovers",
]
"""Projects alembic can take to `heads` and back to `base` (the others have broken
graphs, invalid files or downgrades that raise)."""


@pytest.mark.parametrize("fixture", DOWNGRADABLE)
def test_downgrade_base_leaves_exactly_what_is_reported(
    fixture: str, postgres: Postgres, tmp_path: Path
) -> None:
    project = FIXTURES / fixture
    database = postgres.create_database(fixture)
    steps = [["upgrade", "heads"], ["downgrade", "base"], ["snapshot"], ["versions"]]
    ((upgraded, downgraded, rows, versions),) = run_plan(
        project, [{"url": database.url, "steps": steps}], tmp_path
    )
    assert (upgraded, downgraded, versions) == ("ok", "ok", [])
    objects = catalog(rows)
    keys = [finding.key for finding in findings_of(project, "incomplete-downgrade")]
    renamed = dict(key.split(" ", 1)[1].split(">") for key in keys if key.startswith("rename_t"))
    tables = {o.table for o in objects if o.kind == "table"}
    expected: set[DbObject] = set()
    for key in keys:
        left = left_behind(key, objects, whole=False, renamed=renamed)
        if not key.startswith("drop_") and table_of(key, renamed) in tables:
            assert left, f"{key} is reported but not left behind"
        expected |= left
    assert sorted(map(str, objects)) == sorted(map(str, expected))


PER_REVISION = ["demo", "downgrade-complete", "downgrade-forgotten-index", "downgrade-leftovers"]


@pytest.mark.parametrize("fixture", PER_REVISION)
def test_each_downgrade_leaves_and_loses_exactly_what_is_reported(
    fixture: str, postgres: Postgres, tmp_path: Path
) -> None:
    project = FIXTURES / fixture
    revisions = single_parent_revisions(project)
    plans = [revision_plan(postgres, project, revision) for revision in revisions]
    results = run_plan(project, plans, tmp_path)
    reported = keys_by_revision(project, "incomplete-downgrade")
    for revision, outcome in zip(revisions, results, strict=True):
        *_, before_rows, upgraded, _, downgraded, after_rows, versions = outcome
        assert (upgraded, downgraded) == ("ok", "ok"), revision
        assert versions == ([] if revision.parent == "base" else [revision.parent])
        before, after = catalog(before_rows), catalog(after_rows)
        keys = reported.get(revision.revision, [])
        left, lost = set(), set()
        for key in keys:
            left_by_key = left_behind(key, after)
            lost_by_key = not_brought_back(key, before)
            assert left_by_key or lost_by_key, f"{revision}: {key} changes nothing"
            left |= left_by_key
            lost |= lost_by_key
        assert sorted(map(str, after - before)) == sorted(map(str, left)), revision
        assert sorted(map(str, before - after)) == sorted(map(str, lost)), revision


def test_the_differential_fixtures_do_report_leftovers() -> None:
    """The per-revision test above compares something: these keys are what it checks."""
    assert keys_by_revision(FIXTURES / "downgrade-leftovers", "incomplete-downgrade") == {
        "1f3b5d7a9c0e": ["create_table customers"],
        "2a4c6e8f0b1d": ["add_column customers.loyalty_tier"],
        "3b5d7f9a1c2e": ["create_constraint customers.uq_customers_email"],
        "4c6e8a0b2d3f": ["create_index customers.ix_customers_created_at"],
        "5d7f9b1c3e4a": ["rename_column customers.phone>phone_number"],
        "6e8a0c2d4f5b": ["drop_column customers.fax"],
        "7f9b1d3e5a6c": ["create_constraint customers(external_ref)"],
        "8a0c2e4f6b7d": [
            "add_column customers.referred_by_id",
            "create_constraint customers.fk_customers_referred_by_id_customers",
        ],
        "9b1d3f5a7c8e": ["create_table segments"],
        "a0c2e4f6b8d9": ["rename_table segments>customer_segments"],
    }
    assert keys_by_revision(FIXTURES / "downgrade-forgotten-index", "incomplete-downgrade") == {
        "b6d0f4a8c2e5": ["create_index users.ix_users_email"]
    }
    for fixture in ("demo", "downgrade-complete"):
        assert findings_of(FIXTURES / fixture, "incomplete-downgrade") == []


# --- missing-downgrade --------------------------------------------------------------------


def test_missing_downgrade_messages_say_what_alembic_does(
    postgres: Postgres, tmp_path: Path
) -> None:
    project = FIXTURES / "downgrade-noop"
    revisions = single_parent_revisions(project)
    plans = [revision_plan(postgres, project, revision) for revision in revisions]
    results = run_plan(project, plans, tmp_path)
    reported = keys_by_revision(project, "missing-downgrade")
    outcomes: dict[str, str] = {}
    for revision, outcome in zip(revisions, results, strict=True):
        *_, before_rows, upgraded, upgraded_rows, downgraded, after_rows, versions = outcome
        assert upgraded == "ok", revision
        before, upgraded_to, after = map(catalog, (before_rows, upgraded_rows, after_rows))
        (shape,) = reported.get(revision.revision, ["real"])
        if shape == "empty":  # "does nothing": succeeds, and every change stays
            assert downgraded == "ok", revision
            assert versions == [revision.parent]
            assert after == upgraded_to != before, revision
        elif shape in ("absent", "not-implemented"):  # "stops with an error"
            assert versions == [revision.revision]
            assert after == upgraded_to
        else:
            assert shape == "real"
        outcomes[revision.revision] = downgraded.split(":")[0]
    assert outcomes == {
        "5b0e2c7a9d14": "ok",
        "8f3a1d6c2e70": "ok",
        "1c9d4e7b3a25": "ok",
        "a6e2f08b5c31": "ok",
        "3d7b9c1e5f48": "ok",
        "e0f4a2b8c6d9": "ok",
        "7a5c3e9f1b02": "ok",
        "b4d8f6a0e2c7": "NotImplementedError",
        "2e6a0c4f8b13": "NotImplementedError",
        "c8f2b6d0a4e9": "AttributeError",
        "9f1d5b3a7c60": "RuntimeError",
        "4b8e2d6f0a17": "ok",
        "d5a9c3e7f1b4": "ok",
        "6c0e4a8d2f95": "ok",
        "f3b7d1a5c9e8": "ok",
    }


if __name__ == "__main__":
    PLAN, RESULT = sys.argv[1:3]
    Path(RESULT).write_text(json.dumps(_drive(json.loads(Path(PLAN).read_text()))))
