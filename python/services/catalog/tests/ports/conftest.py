"""Fixtures of the shared port suite: every test here runs once per adapter."""

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from catalog.adapters import postgres, sqlite
from catalog.adapters.in_memory import InMemoryDatabase
from catalog.adapters.postgres import PostgresUnitOfWork
from catalog.adapters.sqlite_unit_of_work import SqliteUnitOfWork
from catalog.ports import UnitOfWork, UnitOfWorkFactory


def _sqlite(path: Path) -> UnitOfWorkFactory:
    sqlite.create_schema(path)
    return lambda: SqliteUnitOfWork(path)


def _postgres(dsn: str) -> UnitOfWorkFactory:
    postgres.create_schema(dsn)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("TRUNCATE products, outbox, processed_messages")
    return lambda: PostgresUnitOfWork(dsn)


@pytest.fixture(params=["fake", "sqlite", "postgres"])
def new_unit_of_work(request: pytest.FixtureRequest, tmp_path: Path) -> UnitOfWorkFactory:
    """A factory of units of work over an EMPTY database, one per adapter: the in-memory
    fake, SQLite (a file in tmp_path) and PostgreSQL (the session's server, truncated)."""
    adapter: str = request.param
    if adapter == "fake":
        factory: Callable[[], UnitOfWork] = InMemoryDatabase().unit_of_work
        return factory
    if adapter == "sqlite":
        return _sqlite(tmp_path / "catalog.sqlite3")
    return _postgres(request.getfixturevalue("postgres_dsn"))
