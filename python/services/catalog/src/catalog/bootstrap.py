"""The composition root: the one place that chooses adapters, from settings.

``CATALOG_DATABASE_URL``:
- unset or empty: SQLite in a fresh temporary folder (removed when the app is collected or
  stopped) — the catalog starts alone, with no configuration;
- ``sqlite:///relative/path`` or ``sqlite:////absolute/path``: that SQLite file;
- ``postgresql://…`` (or ``postgres://…``): PostgreSQL through psycopg;
- ``memory:``: the in-memory fakes (tests, demos; nothing survives the process).
Anything else is a ``SettingsError`` (one line at start-up, exit 2).

``CATALOG_BROKER_URL`` (``nats://HOST:PORT``): where the outbox is published (NATS JetStream);
unset, ``python -m catalog.relay`` uses its in-process fake and the HTTP catalog runs no relay.
"""

import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import psycopg

from catalog.adapters import postgres, postgres_idempotency, sqlite, sqlite_idempotency
from catalog.adapters.in_memory_idempotency import InMemoryIdempotentDatabase
from catalog.adapters.jetstream import JetStreamSettings, check_broker_url
from catalog.adapters.postgres_idempotency import PostgresIdempotentUnitOfWork
from catalog.adapters.sqlite_idempotency import SqliteIdempotentUnitOfWork
from catalog.fanout.settings import SettingsError
from catalog.ports import UnitOfWork, UnitOfWorkFactory

DATABASE_URL = "CATALOG_DATABASE_URL"
BROKER_URL = "CATALOG_BROKER_URL"
BROKER_ACK_WAIT_MS = "CATALOG_BROKER_ACK_WAIT_MS"


@dataclass(frozen=True, slots=True)
class Storage:
    """Where writes go: a unit-of-work factory, plus a folder to remove at the end (or None)."""

    uow_factory: UnitOfWorkFactory
    kind: str
    temporary_dir: Path | None = None
    # The read routes' own reader, when the database has a cheaper one than a unit of work.
    reads: sqlite.SqliteReads | None = None

    def close(self) -> None:
        if self.reads is not None:
            self.reads.close()
        if self.temporary_dir is not None:
            shutil.rmtree(self.temporary_dir, ignore_errors=True)


def sqlite_storage(path: Path) -> Storage:
    sqlite.create_schema(path)
    sqlite_idempotency.create_schema(path)

    def factory() -> UnitOfWork:
        # Lab 3's unit of work plus the Idempotency-Key table (catalog.idempotency).
        return SqliteIdempotentUnitOfWork(path)

    return Storage(factory, "sqlite", reads=sqlite.SqliteReads(path))


def postgres_storage(dsn: str) -> Storage:
    try:
        postgres.create_schema(dsn)
        postgres_idempotency.create_schema(dsn)
    except psycopg.Error as error:
        raise SettingsError(
            f"{DATABASE_URL}: cannot prepare the PostgreSQL database "
            f"({type(error).__name__}); is the server up and the URL right?"
        ) from None

    def factory() -> UnitOfWork:
        return PostgresIdempotentUnitOfWork(dsn)

    return Storage(factory, "postgresql")


def memory_storage() -> Storage:
    database = InMemoryIdempotentDatabase()
    return Storage(database.unit_of_work, "memory")


def storage_from_env(env: Mapping[str, str]) -> Storage:
    url = env.get(DATABASE_URL, "").strip()
    if not url:
        folder = Path(tempfile.mkdtemp(prefix="catalog-"))
        storage = sqlite_storage(folder / "catalog.sqlite3")
        return replace(storage, temporary_dir=folder)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.parent.is_dir():
            raise SettingsError(f"{DATABASE_URL}: folder {str(path.parent)!r} does not exist")
        return sqlite_storage(path)
    if url.startswith(("postgresql://", "postgres://")):
        return postgres_storage(url)
    if url == "memory:":
        return memory_storage()
    raise SettingsError(
        f"{DATABASE_URL}: expected sqlite:///PATH, postgresql://… or memory:, got {url[:20]!r}…"
    )


def broker_url_from_env(env: Mapping[str, str]) -> str | None:
    """``CATALOG_BROKER_URL`` (``nats://HOST:PORT``: NATS JetStream), or None when unset
    (the relay's in-process fake broker). Malformed: a ``SettingsError``."""
    url = env.get(BROKER_URL, "").strip()
    if not url:
        return None
    try:
        return check_broker_url(url)
    except ValueError as error:
        raise SettingsError(f"{BROKER_URL}: {error}") from None


def broker_settings_from_env(env: Mapping[str, str]) -> JetStreamSettings:
    """``CATALOG_BROKER_ACK_WAIT_MS`` (default 30000, as in the Go twin): how long the broker waits
    for a consumer's ack before it delivers the message again — what a consumer killed
    mid-message costs. Not a whole number of at least 100 ms: a ``SettingsError``."""
    text = env.get(BROKER_ACK_WAIT_MS, "").strip()
    if not text:
        return JetStreamSettings()
    if not text.isdigit() or int(text) < 100:
        raise SettingsError(
            f"{BROKER_ACK_WAIT_MS}: expected whole milliseconds >= 100, got {text[:20]!r}"
        )
    return replace(JetStreamSettings(), ack_wait=int(text) / 1000)
