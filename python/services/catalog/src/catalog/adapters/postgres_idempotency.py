"""PostgreSQL storage of idempotency keys (``catalog.idempotency``), kept apart from
``postgres.py`` so the keys' table and queries stay in one file.

``PostgresIdempotentUnitOfWork`` is ``PostgresUnitOfWork`` plus ``idempotency_keys`` on the
same connection, hence in the same transaction as the product and its outbox row.
"""

from typing import Self

import psycopg

from catalog.adapters.postgres import Connection, PostgresUnitOfWork
from catalog.idempotency import StoredAnswer

SCHEMA = """
CREATE TABLE IF NOT EXISTS idempotency_keys (
    key text PRIMARY KEY,
    fingerprint text NOT NULL,
    status integer NOT NULL,
    location text NOT NULL,
    body bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
"""


def create_schema(dsn: str) -> None:
    """Create the table if missing (at start-up, after ``postgres.create_schema``)."""
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(SCHEMA)


class PostgresIdempotencyKeys:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    async def claim(self, key: str, fingerprint: str, answer: StoredAnswer) -> bool:
        # ON CONFLICT DO NOTHING: a concurrent insert of the same key makes this one wait
        # for its transaction, then do nothing (it committed) or insert (it rolled back);
        # a duplicate never raises, which would abort this transaction.
        cursor = await self._connection.execute(
            "INSERT INTO idempotency_keys (key, fingerprint, status, location, body)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (key) DO NOTHING",
            (key, fingerprint, answer.status, answer.location, answer.body),
        )
        return cursor.rowcount == 1

    async def get(self, key: str) -> tuple[str, StoredAnswer]:
        # READ COMMITTED: this statement sees the row the claim waited for.
        cursor = await self._connection.execute(
            "SELECT fingerprint, status, location, body FROM idempotency_keys WHERE key = %s",
            (key,),
        )
        row = await cursor.fetchone()
        if row is None:
            raise LookupError(f"idempotency key {key!r} vanished after a failed claim")
        fingerprint, status, location, body = row
        if not isinstance(body, bytes | bytearray | memoryview):
            raise TypeError(f"idempotency_keys.body is {type(body).__name__}, not bytea")
        return str(fingerprint), StoredAnswer(
            status=int(str(status)), location=str(location), body=bytes(body)
        )


class PostgresIdempotentUnitOfWork(PostgresUnitOfWork):
    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.idempotency_keys = PostgresIdempotencyKeys(self._connection)
        return self
