"""The FastAPI application factory.

A factory rather than a module-level ``app``: every test gets a fresh app with its own
storage, and lab 3 passes a different repository without touching this module's callers.
"""

import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from fastapi import FastAPI

from catalog.adapters.in_memory_repository import InMemoryProductRepository
from catalog.entrypoints.http import health, products
from catalog.entrypoints.http.problem_details import problem_exception_handlers
from catalog.fanout.settings import FanOut, fan_out_from_env


def create_app(
    *,
    repository: InMemoryProductRepository | None = None,
    fan_out: FanOut | None = None,
    env: Mapping[str, str] | None = None,
) -> FastAPI:
    """A fresh app; the fan-out is built from ``env`` (default: ``os.environ``) unless given."""
    resources = (
        fan_out if fan_out is not None else fan_out_from_env(os.environ if env is None else env)
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        # Runs when the server stops (after in-flight requests finished): close the HTTP
        # client's connections and stop the process pool.
        await resources.aclose()

    app = FastAPI(
        title="Catalog",
        version="0.1.0",
        lifespan=lifespan,
        # The contract has no trailing-slash paths; a redirect would differ from the Go twin.
        redirect_slashes=False,
        exception_handlers=problem_exception_handlers(),
    )
    # Stored on the app (not in a lifespan hook) so that in-process test clients, which do
    # not run the lifespan, see it too.
    app.state.product_repository = (
        repository if repository is not None else InMemoryProductRepository()
    )
    app.state.fan_out = resources
    app.include_router(health.router)
    app.include_router(products.router)
    return app
