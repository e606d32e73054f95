"""Lab 3, steps 1-3: the SQLite unit of work rolls back by default; a product write and its
outbox event commit together (behaviour against a real SQLite file)."""

import json
from pathlib import Path
from types import TracebackType
from typing import Self

import httpx
import pytest

from catalog import use_cases
from catalog.adapters.sqlite import create_schema
from catalog.adapters.sqlite_unit_of_work import SqliteUnitOfWork
from catalog.domain.money import Money
from catalog.domain.product import Product
from catalog.entrypoints.http.app import create_app
from catalog.outbox.events import product_created
from catalog.ports import OutboxMessage, UnitOfWork, UnitOfWorkFactory

UOW_TODO = "adapters/sqlite_unit_of_work.py, TODO(lab 3) steps 1-2"
WRITE_TODO = "use_cases.py, TODO(lab 3) step 3"
PRICE = Money(amount_minor=1250, currency="EUR")


@pytest.fixture
def units(tmp_path: Path) -> UnitOfWorkFactory:
    path = tmp_path / "catalog.sqlite3"
    create_schema(path)
    return lambda: SqliteUnitOfWork(path)


async def _stored(units: UnitOfWorkFactory) -> tuple[list[Product], list[OutboxMessage]]:
    async with units() as uow:
        return await uow.products.list_all(), await uow.outbox.pending(100)


async def test_a_committed_write_is_kept(units: UnitOfWorkFactory) -> None:
    product = Product.new(sku="MUG-001", name="Mug", price=PRICE)
    async with units() as uow:
        await uow.products.add(product)
        await uow.commit()
    products, _ = await _stored(units)
    assert products == [product], f"commit() must make the write durable ({UOW_TODO})"


async def test_forgetting_commit_keeps_nothing(units: UnitOfWorkFactory) -> None:
    async with units() as uow:
        await uow.products.add(Product.new(sku="MUG-001", name="Mug", price=PRICE))
    products, _ = await _stored(units)
    assert products == [], (
        f"leaving `async with uow:` without commit() must roll back (rollback by default), "
        f"but the product was kept ({UOW_TODO})"
    )


async def test_an_exception_before_commit_leaves_neither_product_nor_event(
    units: UnitOfWorkFactory,
) -> None:
    product = Product.new(sku="MUG-001", name="Mug", price=PRICE)

    async def write_then_crash() -> None:
        async with units() as uow:
            await uow.products.add(product)
            await uow.outbox.add(product_created(product))
            raise RuntimeError("crash after the write, before commit")

    with pytest.raises(RuntimeError, match="crash after the write"):
        await write_then_crash()
    products, events = await _stored(units)
    assert (products, events) == ([], []), (
        f"an exception inside the unit of work must roll back everything; left "
        f"{len(products)} product(s) and {len(events)} event(s) ({UOW_TODO})"
    )


async def test_each_write_records_its_event(units: UnitOfWorkFactory) -> None:
    created = await use_cases.create_product(units(), sku="MUG-001", name="Mug", price=PRICE)
    revised = await use_cases.update_product(
        units(), created.id, name="Big mug", price=Money(amount_minor=1500, currency="EUR")
    )
    await use_cases.delete_product(units(), created.id)
    _, events = await _stored(units)
    topics = [event.topic for event in events]
    assert topics == ["product.created", "product.updated", "product.deleted"], (
        f"every product write must add its event to uow.outbox before commit(); "
        f"the outbox holds {topics} ({WRITE_TODO})"
    )
    assert json.loads(events[1].payload)["product"]["name"] == revised.name
    assert len({event.id for event in events}) == 3, "each event needs its own message id"


class _OutboxDown:
    async def add(self, message: OutboxMessage) -> None:
        raise ConnectionError("outbox insert failed")

    async def pending(self, limit: int) -> list[OutboxMessage]:
        return []

    async def mark_sent(self, message_id: object) -> None:
        return None


class _FailingOutboxUnitOfWork(SqliteUnitOfWork):
    """The real SQLite unit of work, but writing the event fails."""

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.outbox = _OutboxDown()  # type: ignore[assignment]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await super().__aexit__(exc_type, exc, traceback)


async def test_a_failed_event_write_keeps_no_product(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    create_schema(path)
    failing: UnitOfWork = _FailingOutboxUnitOfWork(path)
    with pytest.raises(ConnectionError):
        await use_cases.create_product(failing, sku="MUG-001", name="Mug", price=PRICE)
    products, _ = await _stored(lambda: SqliteUnitOfWork(path))
    assert products == [], (
        f"the product and its event must commit in ONE transaction: the event failed, yet the "
        f"product was committed (a commit before the event? {WRITE_TODO}; or no rollback: "
        f"{UOW_TODO})"
    )


async def test_the_http_api_writes_through_the_outbox(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    app = create_app(env={"CATALOG_DATABASE_URL": url})
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://catalog.test") as client:
        body = {"sku": "MUG-001", "name": "Mug", "price": PRICE.model_dump()}
        response = await client.post("/products", json=body)
        assert response.status_code == 201, response.text
    path = tmp_path / "catalog.sqlite3"
    products, events = await _stored(lambda: SqliteUnitOfWork(path))
    assert [p.sku for p in products] == ["MUG-001"]
    assert [e.topic for e in events] == ["product.created"], (
        f"POST /products must leave a product.created event in the outbox ({WRITE_TODO})"
    )
