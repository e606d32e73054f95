"""The UnitOfWork port: commit makes writes durable; anything else rolls back."""

import pytest

from catalog.domain.money import Money
from catalog.domain.product import Product
from catalog.outbox.events import product_created
from catalog.ports import UnitOfWorkFactory


def _product(sku: str = "MUG-001") -> Product:
    return Product.new(sku=sku, name="Mug", price=Money(amount_minor=1, currency="EUR"))


async def _state(new_unit_of_work: UnitOfWorkFactory) -> tuple[list[str], int]:
    async with new_unit_of_work() as uow:
        skus = [p.sku for p in await uow.products.list_all()]
        return skus, len(await uow.outbox.pending(100))


async def test_commit_keeps_product_and_event(new_unit_of_work: UnitOfWorkFactory) -> None:
    product = _product()
    async with new_unit_of_work() as uow:
        await uow.products.add(product)
        await uow.outbox.add(product_created(product))
        await uow.commit()
    assert await _state(new_unit_of_work) == (["MUG-001"], 1)


async def test_forgetting_commit_rolls_back(new_unit_of_work: UnitOfWorkFactory) -> None:
    product = _product()
    async with new_unit_of_work() as uow:
        await uow.products.add(product)
        await uow.outbox.add(product_created(product))
    assert await _state(new_unit_of_work) == ([], 0)


async def test_an_exception_rolls_back_and_propagates(new_unit_of_work: UnitOfWorkFactory) -> None:
    product = _product()

    async def write_then_fail() -> None:
        async with new_unit_of_work() as uow:
            await uow.products.add(product)
            await uow.outbox.add(product_created(product))
            raise LookupError("after the write, before commit")

    with pytest.raises(LookupError):
        await write_then_fail()
    assert await _state(new_unit_of_work) == ([], 0)


async def test_writes_after_a_commit_need_their_own_commit(
    new_unit_of_work: UnitOfWorkFactory,
) -> None:
    async with new_unit_of_work() as uow:
        await uow.products.add(_product("ONE-1"))
        await uow.commit()
        await uow.products.add(_product("TWO-2"))
    assert await _state(new_unit_of_work) == (["ONE-1"], 0)


async def test_explicit_rollback_discards(new_unit_of_work: UnitOfWorkFactory) -> None:
    async with new_unit_of_work() as uow:
        await uow.products.add(_product())
        await uow.rollback()
        await uow.commit()
    assert await _state(new_unit_of_work) == ([], 0)
