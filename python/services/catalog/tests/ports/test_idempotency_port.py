"""``catalog.idempotency.create_product_once`` over every adapter (fake, SQLite, PostgreSQL):
key, product and outbox event commit together; a retry replays; a concurrent duplicate waits
and replays; a failed create stores no key."""

import asyncio
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from catalog.adapters import postgres, postgres_idempotency, sqlite, sqlite_idempotency
from catalog.adapters.in_memory_idempotency import InMemoryIdempotentDatabase
from catalog.adapters.postgres_idempotency import PostgresIdempotentUnitOfWork
from catalog.adapters.sqlite_idempotency import SqliteIdempotentUnitOfWork
from catalog.domain.errors import IdempotencyKeyReusedError, SkuAlreadyExistsError
from catalog.domain.money import Money
from catalog.domain.product import Product
from catalog.idempotency import StoredAnswer, create_product_once
from catalog.ports import UnitOfWork

Units = Callable[[], UnitOfWork]


@pytest.fixture(params=["fake", "sqlite", "postgres"])
def units(request: pytest.FixtureRequest, tmp_path: Path) -> Units:
    if request.param == "fake":
        return InMemoryIdempotentDatabase().unit_of_work
    if request.param == "sqlite":
        path = tmp_path / "catalog.sqlite3"
        sqlite.create_schema(path)
        sqlite_idempotency.create_schema(path)
        return lambda: SqliteIdempotentUnitOfWork(path)
    dsn: str = request.getfixturevalue("postgres_dsn")
    postgres.create_schema(dsn)
    postgres_idempotency.create_schema(dsn)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("TRUNCATE products, outbox, processed_messages, idempotency_keys")
    return lambda: PostgresIdempotentUnitOfWork(dsn)


def render(product: Product) -> StoredAnswer:
    return StoredAnswer(
        status=201, location=f"/products/{product.id}", body=str(product.id).encode()
    )


async def create(units: Units, key: str, sku: str, fingerprint: str) -> StoredAnswer:
    return await create_product_once(
        units(),
        key=key,
        fingerprint=fingerprint,
        sku=sku,
        name="Mug",
        price=Money(amount_minor=1250, currency="EUR"),
        render=render,
    )


async def counts(units: Units) -> tuple[int, int]:
    async with units() as uow:
        return len(await uow.products.list_all()), len(await uow.outbox.pending(100))


async def test_a_retry_replays_the_first_answer(units: Units) -> None:
    first = await create(units, "retry-key-01", "MUG-1", "fp-1")
    again = await create(units, "retry-key-01", "MUG-1", "fp-1")
    assert again == first
    assert await counts(units) == (1, 1)


async def test_the_key_with_another_request_is_a_conflict(units: Units) -> None:
    await create(units, "retry-key-02", "MUG-1", "fp-1")
    with pytest.raises(IdempotencyKeyReusedError):
        await create(units, "retry-key-02", "MUG-2", "fp-2")
    assert await counts(units) == (1, 1)


async def test_a_failed_create_stores_no_key(units: Units) -> None:
    await create(units, "retry-key-03", "MUG-1", "fp-1")
    with pytest.raises(SkuAlreadyExistsError):
        await create(units, "retry-key-04", "MUG-1", "fp-2")
    # The claim rolled back with the product: the corrected retry creates its product.
    answer = await create(units, "retry-key-04", "MUG-2", "fp-3")
    assert answer.status == 201
    assert await counts(units) == (2, 2)


async def test_concurrent_duplicates_make_one_product(units: Units) -> None:
    answers = await asyncio.gather(
        *(create(units, "retry-key-05", "MUG-1", "fp-1") for _ in range(8))
    )
    assert len(set(answers)) == 1, answers
    assert await counts(units) == (1, 1)
