"""Fixtures of the shared port suite: every test here runs once per adapter."""

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import psycopg
import pytest

from catalog.adapters import postgres, sqlite
from catalog.adapters.in_memory import InMemoryDatabase
from catalog.adapters.in_memory_stream import InMemoryStream
from catalog.adapters.jetstream import JetStreamBroker, JetStreamSettings
from catalog.adapters.postgres import PostgresUnitOfWork
from catalog.adapters.sqlite_unit_of_work import SqliteUnitOfWork
from catalog.ports import Broker, UnitOfWork, UnitOfWorkFactory


def _sqlite(path: Path) -> UnitOfWorkFactory:
    sqlite.create_schema(path)
    return lambda: SqliteUnitOfWork(path)


def _postgres(dsn: str) -> UnitOfWorkFactory:
    postgres.create_schema(dsn)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("TRUNCATE products, outbox, processed_messages, product_feed")
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


# Short timings so redelivery tests take a second, not the production ack_wait.
FAST_JETSTREAM = JetStreamSettings(publish_timeout=2.0, ack_wait=1.0, nak_delay=0.1, fetch_wait=0.2)


@pytest.fixture(params=["fake", "jetstream"])
async def broker(request: pytest.FixtureRequest) -> AsyncIterator[Broker]:
    """The Broker port, once per adapter: the in-memory stream, and a real JetStream server."""
    if request.param == "fake":
        yield InMemoryStream(redeliver_after=0.1)
        return
    url: str = request.getfixturevalue("nats_server").url
    real = await JetStreamBroker.connect(url, FAST_JETSTREAM)
    try:
        yield real
    finally:
        await real.close()
