"""The ProductRepository port: the same behaviour from every adapter."""

from uuid import uuid4

import pytest

from catalog.domain.errors import ProductNotFoundError, SkuAlreadyExistsError
from catalog.domain.money import Money
from catalog.domain.product import Product
from catalog.ports import UnitOfWorkFactory


def _product(sku: str = "MUG-001", amount: int = 1250) -> Product:
    return Product.new(sku=sku, name="Mug", price=Money(amount_minor=amount, currency="EUR"))


async def test_an_added_product_reads_back_equal(new_unit_of_work: UnitOfWorkFactory) -> None:
    product = _product(amount=2**63 - 1)
    async with new_unit_of_work() as uow:
        await uow.products.add(product)
        await uow.commit()
    async with new_unit_of_work() as uow:
        assert await uow.products.get(product.id) == product


async def test_a_taken_sku_is_a_conflict(new_unit_of_work: UnitOfWorkFactory) -> None:
    async with new_unit_of_work() as uow:
        await uow.products.add(_product())
        with pytest.raises(SkuAlreadyExistsError):
            await uow.products.add(_product())


async def test_unknown_ids_are_not_found(new_unit_of_work: UnitOfWorkFactory) -> None:
    async with new_unit_of_work() as uow:
        with pytest.raises(ProductNotFoundError):
            await uow.products.get(uuid4())
        with pytest.raises(ProductNotFoundError):
            await uow.products.update(_product())
        with pytest.raises(ProductNotFoundError):
            await uow.products.remove(uuid4())


async def test_listing_is_sorted_by_sku(new_unit_of_work: UnitOfWorkFactory) -> None:
    async with new_unit_of_work() as uow:
        for sku in ["ZED-1", "ABC-2", "MUG-3", "ABC-10"]:
            await uow.products.add(_product(sku))
        await uow.commit()
    async with new_unit_of_work() as uow:
        assert [p.sku for p in await uow.products.list_all()] == sorted(
            ["ZED-1", "ABC-2", "MUG-3", "ABC-10"]
        )


async def test_update_and_remove(new_unit_of_work: UnitOfWorkFactory) -> None:
    product = _product()
    revised = product.revised(name="Big mug", price=Money(amount_minor=99, currency="USD"))
    async with new_unit_of_work() as uow:
        await uow.products.add(product)
        await uow.products.update(revised)
        await uow.commit()
    async with new_unit_of_work() as uow:
        assert await uow.products.get(product.id) == revised
        await uow.products.remove(product.id)
        await uow.commit()
    async with new_unit_of_work() as uow:
        assert await uow.products.list_all() == []
