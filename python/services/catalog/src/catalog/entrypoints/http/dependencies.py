"""FastAPI dependencies: how a route gets its collaborators.

Routes ask for the repository through ``get_product_repository`` instead of importing one, so
tests (and lab 3's wiring) can swap it with ``app.dependency_overrides``.
"""

from fastapi import Request

from catalog.adapters.in_memory_repository import InMemoryProductRepository
from catalog.fanout.aggregator import ProductDetailsAggregator


def get_product_repository(request: Request) -> InMemoryProductRepository:
    """The repository that ``create_app`` stored on the application."""
    repository = request.app.state.product_repository
    if not isinstance(repository, InMemoryProductRepository):
        raise TypeError("app.state.product_repository is not set; build the app with create_app")
    return repository


def get_product_details(request: Request) -> ProductDetailsAggregator:
    """The fan-out that ``create_app`` stored on the application (one per app: its semaphore
    bounds the upstream calls of every request together)."""
    aggregator = request.app.state.fan_out.aggregator
    if not isinstance(aggregator, ProductDetailsAggregator):
        raise TypeError("app.state.fan_out is not set; build the app with create_app")
    return aggregator
