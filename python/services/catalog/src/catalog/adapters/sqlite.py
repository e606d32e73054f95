"""SQLite adapters of the write-side ports (the catalog's embedded default database).

aiosqlite runs the standard ``sqlite3`` module on one thread per connection and awaits it
there, so a query never blocks the event loop. Each unit of work opens its own connection
(``adapters/sqlite_unit_of_work.py``); the classes below only run SQL on the connection they
are given, inside the unit of work's transaction.
"""

import sqlite3
from pathlib import Path
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
"""

BUSY_TIMEOUT_MS = 5000


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
