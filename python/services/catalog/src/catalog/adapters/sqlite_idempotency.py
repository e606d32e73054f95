"""SQLite storage of idempotency keys (``catalog.idempotency``), kept apart from
``sqlite.py`` so the keys' table and queries stay in one file.

``SqliteIdempotentUnitOfWork`` is lab 3's ``SqliteUnitOfWork`` plus ``idempotency_keys`` on
the same connection, hence in the same transaction as the product and its outbox row.
"""

import sqlite3
from pathlib import Path
from typing import Self

import aiosqlite

from catalog.adapters.sqlite_unit_of_work import SqliteUnitOfWork
from catalog.idempotency import StoredAnswer

SCHEMA = """
CREATE TABLE IF NOT EXISTS idempotency_keys (
    key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    location TEXT NOT NULL,
    body BLOB NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
"""


def create_schema(path: Path) -> None:
    """Create the table if missing (at start-up, after ``sqlite.create_schema``)."""
    with sqlite3.connect(path) as connection:
        connection.executescript(SCHEMA)
    connection.close()


class SqliteIdempotencyKeys:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection

    async def claim(self, key: str, fingerprint: str, answer: StoredAnswer) -> bool:
        # The unit of work's BEGIN is deferred, and this is its first statement: it takes the
        # write lock (waiting up to the busy timeout behind a concurrent claim) before reading
        # anything, so it never works on a snapshot older than that claim's commit.
        cursor = await self._connection.execute(
            "INSERT INTO idempotency_keys (key, fingerprint, status, location, body)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
            (key, fingerprint, answer.status, answer.location, answer.body),
        )
        return cursor.rowcount == 1

    async def get(self, key: str) -> tuple[str, StoredAnswer]:
        cursor = await self._connection.execute(
            "SELECT fingerprint, status, location, body FROM idempotency_keys WHERE key = ?",
            (key,),
        )
        row = await cursor.fetchone()
        if row is None:
            raise LookupError(f"idempotency key {key!r} vanished after a failed claim")
        fingerprint, status, location, body = row
        return str(fingerprint), StoredAnswer(
            status=int(status), location=str(location), body=bytes(body)
        )


class SqliteIdempotentUnitOfWork(SqliteUnitOfWork):
    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.idempotency_keys = SqliteIdempotencyKeys(self._connection)
        return self
