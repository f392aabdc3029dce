"""A real PostgreSQL for differential tests (the `pgserver` package; no root needed).

`alembic upgrade` / `downgrade` run in a subprocess against a fresh database per
project; the catalog is then read back with psycopg."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass
class Database:
    name: str
    socket_dir: str

    @property
    def url(self) -> str:
        """SQLAlchemy URL (psycopg 3 driver) for alembic's env.py (`DATABASE_URL`)."""
        return f"postgresql+psycopg://postgres:@/{self.name}?host={self.socket_dir}"

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(dbname=self.name, user="postgres", host=self.socket_dir) as conn:
            return list(conn.execute(sql, params).fetchall())  # type: ignore[call-overload]

    def alembic(self, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
        """Run `alembic <args>` in the project directory against this database."""
        result = subprocess.run(
            [sys.executable, "-m", "alembic", *args],
            cwd=project,
            env={**os.environ, "DATABASE_URL": self.url},
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        if result.returncode != 0:
            raise AssertionError(
                f"alembic {' '.join(args)} failed in {project}:\n{result.stdout}{result.stderr}"
            )
        return result


class Postgres:
    def __init__(self, server: Any) -> None:
        self._server = server
        uri = server.get_uri()
        match = re.search(r"host=([^&]+)", uri)
        assert match, uri
        self.socket_dir = match.group(1)
        self._count = 0

    def create_database(self, label: str) -> Database:
        self._count += 1
        name = re.sub(r"[^a-z0-9_]", "_", f"t{self._count}_{label.lower()}")[:60]
        self._server.psql(f'DROP DATABASE IF EXISTS "{name}";')
        self._server.psql(f'CREATE DATABASE "{name}";')
        return Database(name, self.socket_dir)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A PostgreSQL server for the session; skips (saying why) only if none can start."""
    try:
        import pgserver
    except ImportError as error:  # pragma: no cover - pgserver is a test dependency
        pytest.skip(f"no PostgreSQL: the pgserver package is not installed ({error})")
    directory = tempfile.mkdtemp(prefix="alembic-analyzer-pg-")
    try:
        server = pgserver.get_server(directory, cleanup_mode="stop")
    except Exception as error:  # noqa: BLE001 - any failure to start means: skip, and say so
        shutil.rmtree(directory, ignore_errors=True)
        pytest.skip(f"no PostgreSQL could be started with pgserver: {error}")
    try:
        yield Postgres(server)
    finally:
        server.cleanup()
        shutil.rmtree(directory, ignore_errors=True)
