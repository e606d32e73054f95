"""FastAPI dependencies: how a route gets its collaborators.

Routes ask for the repository through ``get_product_repository`` instead of importing one, so
tests (and lab 3's wiring) can swap it with ``app.dependency_overrides``.

Every dependency is an ``async def`` although none awaits: FastAPI runs a plain ``def``
dependency in a worker thread, and a thread hop costs more than this work (DESIGN.md,
2026-11-25, "Python catalog performance").
"""

from typing import cast
from uuid import UUID

from fastapi import Request

from catalog.domain.product import Product
from catalog.fanout.aggregator import ProductDetailsAggregator
from catalog.ports import ProductReader, UnitOfWorkFactory


async def get_unit_of_work_factory(request: Request) -> UnitOfWorkFactory:
    """The unit-of-work factory that ``create_app`` wired from settings (write routes)."""
    return _unit_of_work_factory(request)


def _unit_of_work_factory(request: Request) -> UnitOfWorkFactory:
    factory = getattr(request.app.state, "uow_factory", None)
    if not callable(factory):
        raise TypeError("app.state.uow_factory is not set; build the app with create_app")
    return cast(UnitOfWorkFactory, factory)


class _ShortReads:
    """Each read in its own short unit of work (never committed: rolled back at once).

    Not one unit of work per request: ``GET /products/{id}`` then waits up to the fan-out
    deadline, and an open SQLite transaction would hold the database that long.
    """

    def __init__(self, units: UnitOfWorkFactory) -> None:
        self._units = units

    async def get(self, product_id: UUID) -> Product:
        async with self._units() as uow:
            return await uow.products.get(product_id)

    async def list_all(self) -> list[Product]:
        async with self._units() as uow:
            return await uow.products.list_all()


async def get_product_repository(request: Request) -> ProductReader:
    """What the read routes read products from (tests may override it): the storage's own
    reader when it has one (SQLite: one long-lived read connection), else short units of work.
    """
    reads = getattr(request.app.state, "product_reads", None)
    if reads is not None:
        return cast(ProductReader, reads)
    return _ShortReads(_unit_of_work_factory(request))


async def get_product_details(request: Request) -> ProductDetailsAggregator:
    """The fan-out that ``create_app`` stored on the application (one per app: its semaphore
    bounds the upstream calls of every request together)."""
    aggregator = request.app.state.fan_out.aggregator
    if not isinstance(aggregator, ProductDetailsAggregator):
        raise TypeError("app.state.fan_out is not set; build the app with create_app")
    return aggregator
