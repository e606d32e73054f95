"""``SqliteReads``: the read routes' long-lived connection sees every committed write."""

from pathlib import Path
from uuid import uuid4

import pytest

from catalog.adapters import sqlite
from catalog.adapters.sqlite_unit_of_work import SqliteUnitOfWork
from catalog.domain.errors import ProductNotFoundError
from catalog.domain.money import Money
from catalog.domain.product import Product


def _product(sku: str, amount: int = 1250) -> Product:
    return Product.new(sku=sku, name="Mug", price=Money(amount_minor=amount, currency="EUR"))


async def test_reads_follow_commits_and_ignore_what_is_not_committed(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    sqlite.create_schema(path)
    reads = sqlite.SqliteReads(path)
    try:
        first, second = _product("MUG-B"), _product("MUG-A")
        with pytest.raises(ProductNotFoundError):
            await reads.get(first.id)  # opens the connection before any write
        async with SqliteUnitOfWork(path) as uow:
            await uow.products.add(first)
            await uow.commit()
            await uow.products.add(second)
            # Not committed yet: the reader must not see it.
            assert await reads.list_all() == [first]
        assert await reads.get(first.id) == first
        with pytest.raises(ProductNotFoundError):
            await reads.get(second.id)
        async with SqliteUnitOfWork(path) as uow:
            await uow.products.update(first.revised(name="Big mug", price=first.price))
            await uow.commit()
        assert (await reads.get(first.id)).name == "Big mug"
        with pytest.raises(ProductNotFoundError):
            await reads.get(uuid4())
    finally:
        reads.close()
        reads.close()  # idempotent: the app's lifespan and its finaliser both close
