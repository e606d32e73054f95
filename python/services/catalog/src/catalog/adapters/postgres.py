"""PostgreSQL adapters of the write-side ports, with psycopg 3 (async).

Same contract as the SQLite adapters (the shared port suite runs on both). A unit of work
holds one connection; psycopg opens a transaction at the first statement (autocommit off),
``commit()`` commits it, and leaving the block rolls back whatever was not committed.
A connection per unit of work keeps the adapter small; a pool (psycopg_pool) is the
production step (lab 4 measures it).
"""

from types import TracebackType
from typing import Self
from uuid import UUID

import psycopg

from catalog.domain.errors import ProductNotFoundError, SkuAlreadyExistsError
from catalog.domain.money import Money
from catalog.domain.product import Product
from catalog.ports import OutboxMessage

SCHEMA = """
CREATE TABLE IF NOT EXISTS products (
    id uuid PRIMARY KEY,
    sku text NOT NULL UNIQUE,
    name text NOT NULL,
    amount_minor bigint NOT NULL,
    currency text NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id uuid NOT NULL UNIQUE,
    topic text NOT NULL,
    payload text NOT NULL,
    sent_at timestamptz
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (seq) WHERE sent_at IS NULL;
CREATE TABLE IF NOT EXISTS processed_messages (
    consumer text NOT NULL,
    message_id uuid NOT NULL,
    PRIMARY KEY (consumer, message_id)
);
CREATE TABLE IF NOT EXISTS product_feed (
    product_id text PRIMARY KEY,
    applied integer NOT NULL
);
"""

Connection = psycopg.AsyncConnection[tuple[object, ...]]


def create_schema(dsn: str) -> None:
    """Create the tables if missing (synchronous: the composition root runs it at start-up)."""
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(SCHEMA)


def _product(row: tuple[object, ...]) -> Product:
    product_id, sku, name, amount_minor, currency = row
    return Product(
        id=UUID(str(product_id)),
        sku=str(sku),
        name=str(name),
        price=Money(amount_minor=int(str(amount_minor)), currency=str(currency)),
    )


class PostgresProductRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    async def add(self, product: Product) -> None:
        cursor = await self._connection.execute(
            "INSERT INTO products (id, sku, name, amount_minor, currency)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (sku) DO NOTHING",
            (
                product.id,
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
            "SELECT id, sku, name, amount_minor, currency FROM products WHERE id = %s",
            (product_id,),
        )
        row = await cursor.fetchone()
        if row is None:
            raise ProductNotFoundError(str(product_id))
        return _product(row)

    async def list_all(self) -> list[Product]:
        cursor = await self._connection.execute(
            'SELECT id, sku, name, amount_minor, currency FROM products ORDER BY sku COLLATE "C"'
        )
        return [_product(row) for row in await cursor.fetchall()]

    async def update(self, product: Product) -> None:
        cursor = await self._connection.execute(
            "UPDATE products SET name = %s, amount_minor = %s, currency = %s WHERE id = %s",
            (product.name, product.price.amount_minor, product.price.currency, product.id),
        )
        if cursor.rowcount == 0:
            raise ProductNotFoundError(str(product.id))

    async def remove(self, product_id: UUID) -> None:
        cursor = await self._connection.execute("DELETE FROM products WHERE id = %s", (product_id,))
        if cursor.rowcount == 0:
            raise ProductNotFoundError(str(product_id))


class PostgresOutbox:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    async def add(self, message: OutboxMessage) -> None:
        await self._connection.execute(
            "INSERT INTO outbox (id, topic, payload) VALUES (%s, %s, %s)",
            (message.id, message.topic, message.payload),
        )

    async def pending(self, limit: int) -> list[OutboxMessage]:
        cursor = await self._connection.execute(
            "SELECT id, topic, payload FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT %s",
            (limit,),
        )
        return [
            OutboxMessage(id=UUID(str(row[0])), topic=str(row[1]), payload=str(row[2]))
            for row in await cursor.fetchall()
        ]

    async def mark_sent(self, message_id: UUID) -> None:
        await self._connection.execute(
            "UPDATE outbox SET sent_at = now() WHERE id = %s", (message_id,)
        )


class PostgresProcessedMessages:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    async def add(self, consumer: str, message_id: UUID) -> bool:
        cursor = await self._connection.execute(
            "INSERT INTO processed_messages (consumer, message_id) VALUES (%s, %s)"
            " ON CONFLICT DO NOTHING",
            (consumer, message_id),
        )
        return cursor.rowcount == 1


class PostgresProductFeed:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    async def apply(self, product_id: UUID) -> None:
        await self._connection.execute(
            "INSERT INTO product_feed (product_id, applied) VALUES (%s, 1)"
            " ON CONFLICT (product_id) DO UPDATE SET applied = product_feed.applied + 1",
            (str(product_id),),
        )

    async def counts(self) -> dict[UUID, int]:
        cursor = await self._connection.execute("SELECT product_id, applied FROM product_feed")
        return {UUID(str(row[0])): int(str(row[1])) for row in await cursor.fetchall()}


class PostgresUnitOfWork:
    def __init__(self, dsn: str) -> None:
        self._dsn = dsn

    async def __aenter__(self) -> Self:
        self._connection: Connection = await psycopg.AsyncConnection.connect(self._dsn)
        self.products = PostgresProductRepository(self._connection)
        self.outbox = PostgresOutbox(self._connection)
        self.processed = PostgresProcessedMessages(self._connection)
        self.feed = PostgresProductFeed(self._connection)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            await self.rollback()
        finally:
            await self._connection.close()

    async def commit(self) -> None:
        await self._connection.commit()

    async def rollback(self) -> None:
        await self._connection.rollback()
