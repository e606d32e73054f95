"""The SQLite unit of work: one connection, one transaction, rolled back unless committed.

Lab 3 (steps 1-2) is about this file. The contract (``catalog.ports.UnitOfWork``):
``async with uow:`` opens a transaction; ``commit()`` makes everything since durable at once;
leaving the block without committing, or because of an exception, rolls back. So a write
whose outbox event failed, or a handler that forgot ``commit()``, leaves no trace.
"""

from pathlib import Path
from types import TracebackType
from typing import Self

import aiosqlite

from catalog.adapters.sqlite import (
    BUSY_TIMEOUT_MS,
    SqliteOutbox,
    SqliteProcessedMessages,
    SqliteProductFeed,
    SqliteProductRepository,
)


class SqliteUnitOfWork:
    def __init__(self, path: Path) -> None:
        self._path = path

    async def __aenter__(self) -> Self:
        # isolation_level=None: sqlite3 starts no transaction behind our back; we say BEGIN.
        self._connection = await aiosqlite.connect(self._path, isolation_level=None)
        await self._connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self.products = SqliteProductRepository(self._connection)
        self.outbox = SqliteOutbox(self._connection)
        self.processed = SqliteProcessedMessages(self._connection)
        self.feed = SqliteProductFeed(self._connection)
        # A deferred BEGIN: in WAL mode readers never wait; a writer takes the write lock at
        # its first write, waiting up to the busy timeout for another writer to finish.
        await self._begin()
        return self

    async def _begin(self) -> None:
        await self._connection.execute("BEGIN")

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            # Rollback by default: whatever was not committed is discarded, on an exception
            # and on a forgotten commit() alike.
            if self._connection.in_transaction:
                await self._connection.execute("ROLLBACK")
        finally:
            await self._connection.close()

    async def commit(self) -> None:
        await self._end("COMMIT")

    async def rollback(self) -> None:
        await self._end("ROLLBACK")

    async def _end(self, statement: str) -> None:
        if self._connection.in_transaction:
            await self._connection.execute(statement)
        # The unit of work stays usable: later writes belong to a new transaction.
        await self._begin()
