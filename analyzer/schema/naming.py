"""The names a database or SQLAlchemy gives what a migration left unnamed.

`op.drop_constraint("comments_post_id_fkey", ...)` must find the foreign key that
`sa.ForeignKeyConstraint(["post_id"], ["posts.id"])` created without a name, so each
unnamed index and constraint gets the name it really has (checked against PostgreSQL
in the tests):

- SQLAlchemy names an index from `Column(index=True)` or `Index(None, ...)` with its
  default naming convention `ix_%(column_0_label)s` (`ix_<schema>_<table>_<column>`),
  shortened with an md5 suffix past the dialect's identifier length;
- PostgreSQL names constraints `<table>_<columns>_fkey` / `_key` / `_pkey` / `_excl`
  and indexes made by SQL `<table>_<columns>_idx` (`makeObjectName`: 63 bytes, the
  longer part shortened first).

A project whose `target_metadata` has its own naming convention gets other names;
`conventional_names` lists the common conventions' spellings so a drop can still be
matched, and anything else is not guessed (the replay marks the table uncertain).
"""

from __future__ import annotations

import hashlib
from collections.abc import Container, Sequence

NAMEDATALEN = 64
"""PostgreSQL's identifier buffer: names are at most 63 bytes."""

_MAX_INDEX_NAME = {"postgresql": 63, "mysql": 64, "mssql": 128, "oracle": 128}

POSTGRES_LABELS = {
    "foreignkey": "fkey",
    "unique": "key",
    "primary": "pkey",
    "exclude": "excl",
    "index": "idx",
}


def _clip(data: bytes, length: int) -> str:
    """The first `length` bytes, shortened to whole UTF-8 characters (`pg_mbcliplen`)."""
    return data[:length].decode("utf-8", errors="ignore")


def truncate_identifier(name: str, dialect: str) -> str:
    """PostgreSQL silently cuts identifiers to 63 bytes; other dialects keep them."""
    if dialect != "postgresql" or len(name.encode()) < NAMEDATALEN:
        return name
    return _clip(name.encode(), NAMEDATALEN - 1)


def make_object_name(name1: str, name2: str | None, label: str | None) -> str:
    """PostgreSQL's `makeObjectName`: `name1[_name2][_label]` in at most 63 bytes."""
    first = name1.encode()
    second = name2.encode() if name2 is not None else b""
    overhead = (1 if name2 is not None else 0) + (len(label) + 1 if label else 0)
    available = NAMEDATALEN - 1 - overhead
    first_length, second_length = len(first), len(second)
    while first_length + second_length > available:
        if first_length > second_length:
            first_length -= 1
        else:
            second_length -= 1
    name = _clip(first, first_length)
    if name2 is not None:
        name += "_" + _clip(second, second_length)
    if label:
        name += "_" + label
    return name


def postgres_name(
    table: str, columns: Sequence[str], kind: str, taken: Container[str] | None = None
) -> str:
    """The name PostgreSQL gives an unnamed constraint or index of `kind` (a key of
    `POSTGRES_LABELS`); `taken` holds the folded names already used, which make
    PostgreSQL append 1, 2, ... to the label."""
    label = POSTGRES_LABELS[kind]
    columns_part = None if kind == "primary" else "_".join(columns)
    name = make_object_name(table, columns_part, label)
    attempt = 0
    while taken is not None and name.casefold() in taken:
        attempt += 1
        name = make_object_name(table, columns_part, f"{label}{attempt}")
    return name


def sqlalchemy_index_name(schema: str | None, table: str, first_column: str, dialect: str) -> str:
    """`ix_%(column_0_label)s`, as SQLAlchemy renders it for `dialect`."""
    label = f"{schema}_{table}_{first_column}" if schema else f"{table}_{first_column}"
    name = f"ix_{label}"
    limit = _MAX_INDEX_NAME.get(dialect)
    if limit is not None and len(name) > limit:
        digest = hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()
        name = name[: limit - 8] + "_" + digest[-4:]
    return name


def conventional_names(
    kind: str, table: str, columns: Sequence[str], referred_table: str | None = None
) -> set[str]:
    """Folded names that widely used naming conventions give a constraint: the
    SQLAlchemy documentation's and Flask-SQLAlchemy's (`fk_<table>_<column_0>_<referred
    table>`, `uq_<table>_<column_0>`, `pk_<table>`) and PostgreSQL's own."""
    first = columns[0] if columns else ""
    names = {postgres_name(table, columns, kind)}
    if kind == "foreignkey" and referred_table is not None:
        names.add(f"fk_{table}_{first}_{referred_table}")
    elif kind == "unique":
        names.add(f"uq_{table}_{first}")
    elif kind == "primary":
        names.add(f"pk_{table}")
    return {name.casefold() for name in names}


def suggested_index_name(
    schema: str | None, table: str, columns: Sequence[str], dialect: str
) -> str:
    """A name for the index a finding asks for: `ix_<schema>_<table>_<columns>`, the
    spelling autogenerate uses for one column, shortened like SQLAlchemy's names."""
    return sqlalchemy_index_name(schema, table, "_".join(columns), dialect)
