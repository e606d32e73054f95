"""SQLite adapters of the write-side ports (the catalog's embedded default database).

aiosqlite runs the standard ``sqlite3`` module on one thread per connection and awaits it
there, so a query never blocks the event loop. Each unit of work opens its own connection
(``adapters/sqlite_unit_of_work.py``); the repositories below only run SQL on the connection
they are given, inside the unit of work's transaction.

``SqliteReads`` is the exception, for the read routes only: one long-lived connection on one
thread of its own, each SELECT its own (autocommit) read transaction. A unit of work per read
opened a connection, hence started a thread, and made six round trips to it; that cost more
than the rest of ``GET /products/{id}`` (DESIGN.md, 2026-11-25, "Python catalog performance").
"""

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar
from uuid import UUID

import aiosqlite

from catalog.domain.errors import ProductNotFoundError, SkuAlreadyExistsError
from catalog.domain.money import Money
from catalog.domain.product import Product
from catalog.ports import OutboxMessage

SCHEMA = """
CREATE TABLE IF NOT EXISTS products (
    id TEXT PRIMARY KEY,
    sku TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    topic TEXT NOT NULL,
    payload TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (seq) WHERE sent_at IS NULL;
CREATE TABLE IF NOT EXISTS processed_messages (
    consumer TEXT NOT NULL,
    message_id TEXT NOT NULL,
    PRIMARY KEY (consumer, message_id)
);
CREATE TABLE IF NOT EXISTS product_feed (
    product_id TEXT PRIMARY KEY,
    applied INTEGER NOT NULL
);
"""

BUSY_TIMEOUT_MS = 5000

R = TypeVar("R")


def create_schema(path: Path) -> None:
    """Create the tables (if missing) and switch the file to WAL, once, at start-up.

    Synchronous on purpose: it runs in the composition root before the app serves anything.
    WAL lets readers go on while one writer commits.
    """
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.executescript(SCHEMA)
    connection.close()


def _product(row: sqlite3.Row | tuple[object, ...]) -> Product:
    product_id, sku, name, amount_minor, currency = row
    return Product(
        id=UUID(str(product_id)),
        sku=str(sku),
        name=str(name),
        price=Money(amount_minor=int(str(amount_minor)), currency=str(currency)),
    )


class SqliteProductRepository:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection

    async def add(self, product: Product) -> None:
        cursor = await self._connection.execute(
            "INSERT INTO products (id, sku, name, amount_minor, currency)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (sku) DO NOTHING",
            (
                str(product.id),
                product.sku,
                product.name,
                product.price.amount_minor,
                product.price.currency,
            ),
        )
        if cursor.rowcount == 0:
            raise SkuAlreadyExistsError(product.sku)

    async def get(self, product_id: UUID) -> Product:
        cursor = await self._connection.execute(
            "SELECT id, sku, name, amount_minor, currency FROM products WHERE id = ?",
            (str(product_id),),
        )
        row = await cursor.fetchone()
        if row is None:
            raise ProductNotFoundError(str(product_id))
        return _product(row)

    async def list_all(self) -> list[Product]:
        cursor = await self._connection.execute(
            "SELECT id, sku, name, amount_minor, currency FROM products ORDER BY sku"
        )
        return [_product(row) for row in await cursor.fetchall()]

    async def update(self, product: Product) -> None:
        cursor = await self._connection.execute(
            "UPDATE products SET name = ?, amount_minor = ?, currency = ? WHERE id = ?",
            (product.name, product.price.amount_minor, product.price.currency, str(product.id)),
        )
        if cursor.rowcount == 0:
            raise ProductNotFoundError(str(product.id))

    async def remove(self, product_id: UUID) -> None:
        cursor = await self._connection.execute(
            "DELETE FROM products WHERE id = ?", (str(product_id),)
        )
        if cursor.rowcount == 0:
            raise ProductNotFoundError(str(product_id))


class SqliteOutbox:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection

    async def add(self, message: OutboxMessage) -> None:
        await self._connection.execute(
            "INSERT INTO outbox (id, topic, payload) VALUES (?, ?, ?)",
            (str(message.id), message.topic, message.payload),
        )

    async def pending(self, limit: int) -> list[OutboxMessage]:
        cursor = await self._connection.execute(
            "SELECT id, topic, payload FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT ?",
            (limit,),
        )
        return [
            OutboxMessage(id=UUID(str(row[0])), topic=str(row[1]), payload=str(row[2]))
            for row in await cursor.fetchall()
        ]

    async def mark_sent(self, message_id: UUID) -> None:
        await self._connection.execute(
            "UPDATE outbox SET sent_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
            (str(message_id),),
        )


class SqliteProcessedMessages:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection

    async def add(self, consumer: str, message_id: UUID) -> bool:
        cursor = await self._connection.execute(
            "INSERT INTO processed_messages (consumer, message_id) VALUES (?, ?)"
            " ON CONFLICT DO NOTHING",
            (consumer, str(message_id)),
        )
        return cursor.rowcount == 1


class SqliteProductFeed:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection

    async def apply(self, product_id: UUID) -> None:
        await self._connection.execute(
            "INSERT INTO product_feed (product_id, applied) VALUES (?, 1)"
            " ON CONFLICT (product_id) DO UPDATE SET applied = applied + 1",
            (str(product_id),),
        )

    async def counts(self) -> dict[UUID, int]:
        cursor = await self._connection.execute("SELECT product_id, applied FROM product_feed")
        return {UUID(str(row[0])): int(row[1]) for row in await cursor.fetchall()}


_SELECT_PRODUCT = "SELECT id, sku, name, amount_minor, currency FROM products"


class SqliteReads:
    """``ProductReader`` on one read connection, owned by one worker thread.

    Reads never wait for a writer (WAL) and see every committed write (no transaction stays
    open between two reads). Queries from many requests queue on the one thread, which
    batches them cheaply. The connection opens at the first read and closes with ``close``.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="catalog-reads")
        self._connection: sqlite3.Connection | None = None  # used on that thread only

    async def get(self, product_id: UUID) -> Product:
        row = await self._run(self._fetch_one, str(product_id))
        if row is None:
            raise ProductNotFoundError(str(product_id))
        return _product(row)

    async def list_all(self) -> list[Product]:
        rows = await self._run(self._fetch_all)
        return [_product(row) for row in rows]

    def close(self) -> None:
        """Let the queued reads finish, end the thread, close the connection (idempotent)."""
        self._thread.shutdown(wait=True)
        # The thread is gone: closing from here is safe (hence check_same_thread=False).
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def _run(self, work: Callable[..., R], *args: object) -> R:
        return await asyncio.get_running_loop().run_in_executor(self._thread, work, *args)

    def _reader(self) -> sqlite3.Connection:
        if self._connection is None:
            # isolation_level=None: no implicit BEGIN, so no snapshot outlives a SELECT.
            connection = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._connection = connection
        return self._connection

    def _fetch_one(self, product_id: str) -> tuple[object, ...] | None:
        row: tuple[object, ...] | None = (
            self._reader().execute(f"{_SELECT_PRODUCT} WHERE id = ?", (product_id,)).fetchone()
        )
        return row

    def _fetch_all(self) -> list[tuple[object, ...]]:
        rows: list[tuple[object, ...]] = (
            self._reader().execute(f"{_SELECT_PRODUCT} ORDER BY sku").fetchall()
        )
        return rows
