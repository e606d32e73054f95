"""The in-memory repository: storage rules that the HTTP layer relies on."""

from uuid import uuid4

import pytest

from catalog.adapters.in_memory_repository import InMemoryProductRepository
from catalog.domain.errors import ProductNotFoundError, SkuAlreadyExistsError
from catalog.domain.money import Money
from catalog.domain.product import Product

PRICE = Money(amount_minor=100, currency="EUR")


def _product(sku: str) -> Product:
    return Product.new(sku=sku, name=f"Product {sku}", price=PRICE)


async def test_add_then_get() -> None:
    repository = InMemoryProductRepository()
    product = _product("MUG-001")
    await repository.add(product)
    assert await repository.get(product.id) == product


async def test_skus_are_unique() -> None:
    repository = InMemoryProductRepository()
    await repository.add(_product("MUG-001"))
    with pytest.raises(SkuAlreadyExistsError) as caught:
        await repository.add(_product("MUG-001"))
    assert caught.value.sku == "MUG-001"


async def test_list_is_sorted_by_sku() -> None:
    repository = InMemoryProductRepository()
    for sku in ["TEA-002", "BOWL-1", "MUG-001"]:
        await repository.add(_product(sku))
    assert [p.sku for p in await repository.list_all()] == ["BOWL-1", "MUG-001", "TEA-002"]


async def test_update_replaces_and_remove_deletes() -> None:
    repository = InMemoryProductRepository()
    product = _product("MUG-001")
    await repository.add(product)
    revised = product.revised(name="Big mug", price=PRICE)
    await repository.update(revised)
    assert await repository.get(product.id) == revised
    await repository.remove(product.id)
    assert await repository.list_all() == []


async def test_unknown_ids_raise_not_found() -> None:
    repository = InMemoryProductRepository()
    missing = uuid4()
    with pytest.raises(ProductNotFoundError):
        await repository.get(missing)
    with pytest.raises(ProductNotFoundError):
        await repository.update(_product("MUG-001"))
    with pytest.raises(ProductNotFoundError) as caught:
        await repository.remove(missing)
    assert caught.value.product_id == str(missing)
