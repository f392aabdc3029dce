"""`alembic-analyzer debug schema`: the replayed schema at the heads, as text or JSON.

Tables are sorted by schema and name; each shows its columns, indexes (primary keys,
unique and exclusion constraints included, as the database has them), foreign keys
with where they were declared, and why it is uncertain when it is.
"""

from __future__ import annotations

import json
from pathlib import Path

from analyzer.report import relative_path
from analyzer.schema.model import ForeignKey, Index, Origin, Table, TableName
from analyzer.schema.replay import Replay
from analyzer.values import JSONValue

SCHEMA_FORMATS = ("text", "json")
FORMAT_VERSION = 1


def render(replay: Replay, fmt: str, cwd: Path) -> str:
    if fmt == "json":
        return json.dumps(_document(replay, cwd), indent=2, ensure_ascii=False) + "\n"
    return _text(replay, cwd)


def _where(origin: Origin | None, cwd: Path) -> str:
    if origin is None:
        return ""
    return f"{relative_path(origin.path, cwd)}:{origin.span.start_line}"


def _index_text(index: Index) -> str:
    kind = {
        "primary": "primary key",
        "unique": "unique constraint",
        "exclude": "exclusion constraint",
        "index": "unique index" if index.unique else "index",
    }[index.kind]
    columns = ", ".join(
        column if column is not None else "<expression>" for column in index.columns
    )
    text = f"{kind} {index.name or '(unnamed)'} ({columns})"
    if index.include:
        text += f" INCLUDE ({', '.join(index.include)})"
    if index.where is not None:
        text += f" WHERE {index.where}"
    return text


def _foreign_key_text(foreign_key: ForeignKey) -> str:
    referred = ", ".join(foreign_key.referred_columns)
    return (
        f"foreign key {foreign_key.name or '(unnamed)'} ({', '.join(foreign_key.columns)}) "
        f"-> {foreign_key.referred_table}" + (f" ({referred})" if referred else "")
    )


def _text(replay: Replay, cwd: Path) -> str:
    schema = replay.schema
    lines = [f"Schema at the heads ({schema.dialect}): {len(schema)} tables"]
    for table in schema:
        state = "" if table.certain else "  [uncertain]"
        lines.append("")
        lines.append(f"table {table.name}{state}  {_where(table.origin, cwd)}".rstrip())
        for column in table.columns:
            nullable = {True: " NULL", False: " NOT NULL", None: ""}[column.nullable]
            lines.append(f"  column {column.name} {column.type}{nullable}".rstrip())
        for index in table.indexes:
            lines.append(f"  {_index_text(index)}  {_where(index.origin, cwd)}")
        for foreign_key in table.foreign_keys:
            lines.append(f"  {_foreign_key_text(foreign_key)}  {_where(foreign_key.origin, cwd)}")
        for check in table.checks:
            lines.append(f"  check {check.name or '(unnamed)'}  {_where(check.origin, cwd)}")
        for uncertainty in table.uncertain:
            where = _where(uncertainty.origin, cwd)
            lines.append(f"  uncertain: {uncertainty.reason}" + (f"  {where}" if where else ""))
    if replay.notes:
        lines.append("")
        lines.append("SQL the replay could not read:")
        for note in replay.notes:
            lines.append(f"  {_where(note.origin, cwd)}: {note.reason}")
    return "\n".join(lines) + "\n"


def _location(origin: Origin | None, cwd: Path) -> JSONValue:
    if origin is None:
        return None
    return {
        "path": relative_path(origin.path, cwd),
        "line": origin.span.start_line,
        "column": origin.span.start_col,
        "revision": origin.revision,
    }


def _name(name: TableName) -> dict[str, JSONValue]:
    return {"schema": name.schema, "name": name.name}


def _table(table: Table, cwd: Path) -> dict[str, JSONValue]:
    return {
        **_name(table.name),
        "certain": table.certain,
        "declared": _location(table.origin, cwd),
        "columns": [
            {"name": c.name, "type": c.type, "nullable": c.nullable} for c in table.columns
        ],
        "indexes": [
            {
                "name": i.name,
                "kind": i.kind,
                "columns": list(i.columns),
                "unique": i.unique,
                "where": i.where,
                "include": list(i.include),
                "declared": _location(i.origin, cwd),
            }
            for i in table.indexes
        ],
        "foreign_keys": [
            {
                "name": fk.name,
                "columns": list(fk.columns),
                "referred_table": _name(fk.referred_table),
                "referred_columns": list(fk.referred_columns),
                "declared": _location(fk.origin, cwd),
            }
            for fk in table.foreign_keys
        ],
        "checks": [{"name": c.name, "declared": _location(c.origin, cwd)} for c in table.checks],
        "uncertain": [
            {"reason": u.reason, "declared": _location(u.origin, cwd)} for u in table.uncertain
        ],
    }


def _document(replay: Replay, cwd: Path) -> dict[str, JSONValue]:
    return {
        "version": FORMAT_VERSION,
        "dialect": replay.schema.dialect,
        "tables": [_table(table, cwd) for table in replay.schema],
        "unanalyzable_sql": [
            {
                "reason": note.reason,
                "tables": [_name(t) for t in note.tables],
                "every_table": note.everything,
                "declared": _location(note.origin, cwd),
            }
            for note in replay.notes
        ],
    }
