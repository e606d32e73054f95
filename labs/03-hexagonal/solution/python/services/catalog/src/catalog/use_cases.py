"""The write use cases: each runs in one unit of work and records its outbox event there.

Lab 3 (step 3) is about this file. A product write and the event that announces it are
added in the SAME unit of work and committed by the one ``commit()``: either both exist
afterwards or neither does, so no event is ever lost or invented.
"""

from uuid import UUID

from catalog.domain.money import Money
from catalog.domain.product import Product
from catalog.outbox.events import product_created, product_deleted, product_updated
from catalog.ports import UnitOfWork


async def create_product(uow: UnitOfWork, *, sku: str, name: str, price: Money) -> Product:
    product = Product.new(sku=sku, name=name, price=price)
    async with uow:
        await uow.products.add(product)
        await uow.outbox.add(product_created(product))
        await uow.commit()
    return product


async def update_product(uow: UnitOfWork, product_id: UUID, *, name: str, price: Money) -> Product:
    async with uow:
        current = await uow.products.get(product_id)
        revised = current.revised(name=name, price=price)
        await uow.products.update(revised)
        await uow.outbox.add(product_updated(revised))
        await uow.commit()
    return revised


async def delete_product(uow: UnitOfWork, product_id: UUID) -> None:
    async with uow:
        await uow.products.remove(product_id)
        await uow.outbox.add(product_deleted(product_id))
        await uow.commit()
