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
        # TODO(lab 3) step 1: open ONE transaction here (SQL "BEGIN"). Until then every
        # statement commits on its own (autocommit): nothing can be rolled back.
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # TODO(lab 3) step 2: roll back by default: whatever was not committed (a forgotten
        # commit(), an exception) is discarded — then close the connection.
        await self._connection.close()

    async def commit(self) -> None:
        # TODO(lab 3) step 2: COMMIT the transaction, then begin the next one so later
        # writes in this unit of work need their own commit().
        pass

    async def rollback(self) -> None:
        # TODO(lab 3) step 2: ROLLBACK the transaction, then begin the next one.
        pass
