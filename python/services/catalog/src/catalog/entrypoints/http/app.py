"""The FastAPI application factory.

A factory rather than a module-level ``app``: every test gets a fresh app with its own
storage, and lab 3 passes a different repository without touching this module's callers.
"""

from fastapi import FastAPI

from catalog.adapters.in_memory_repository import InMemoryProductRepository
from catalog.entrypoints.http import health, products
from catalog.entrypoints.http.problem_details import problem_exception_handlers


def create_app(*, repository: InMemoryProductRepository | None = None) -> FastAPI:
    app = FastAPI(
        title="Catalog",
        version="0.1.0",
        # The contract has no trailing-slash paths; a redirect would differ from the Go twin.
        redirect_slashes=False,
        exception_handlers=problem_exception_handlers(),
    )
    # Stored on the app (not in a lifespan hook) so that in-process test clients, which do
    # not run the lifespan, see it too.
    app.state.product_repository = (
        repository if repository is not None else InMemoryProductRepository()
    )
    app.include_router(health.router)
    app.include_router(products.router)
    return app
