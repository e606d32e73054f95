"""The FastAPI application factory.

A factory rather than a module-level ``app``: every test gets a fresh app with its own
storage, and lab 3 passes a different unit of work without touching this module's callers.
"""

import os
import weakref
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from fastapi import FastAPI

from catalog.bootstrap import (
    Storage,
    broker_settings_from_env,
    broker_url_from_env,
    storage_from_env,
)
from catalog.entrypoints.http import health, openapi, products
from catalog.entrypoints.http.limits import BodyLimit
from catalog.entrypoints.http.percent import PercentEscapes
from catalog.entrypoints.http.problem_details import problem_exception_handlers
from catalog.entrypoints.outbox_runner import InProcessRelay
from catalog.fanout.settings import FanOut, fan_out_from_env
from catalog.observability import Telemetry, configure_logging, install
from catalog.ports import UnitOfWorkFactory


def create_app(
    *,
    uow_factory: UnitOfWorkFactory | None = None,
    fan_out: FanOut | None = None,
    env: Mapping[str, str] | None = None,
    telemetry: Telemetry | None = None,
) -> FastAPI:
    """A fresh app; storage (``CATALOG_DATABASE_URL``, see ``catalog.bootstrap``) and the
    fan-out are built from ``env`` (default: ``os.environ``) unless given. ``telemetry``
    (lab 4: traces, metrics; default: a fresh one) is what the requests record into."""
    environment = os.environ if env is None else env
    configure_logging()
    observed = telemetry if telemetry is not None else Telemetry()
    resources = fan_out if fan_out is not None else fan_out_from_env(environment, observed)
    storage = (
        Storage(uow_factory, "given") if uow_factory is not None else storage_from_env(environment)
    )
    broker_url = broker_url_from_env(environment)
    broker_settings = broker_settings_from_env(environment)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # With a broker, the outbox relay and the product-feed consumer run in this process
        # (as in the Go catalog); they stop after the HTTP drain, before storage closes.
        relay = (
            InProcessRelay(broker_url, storage.uow_factory, settings=broker_settings)
            if broker_url
            else None
        )
        if relay is not None:
            relay.start()
        yield
        if relay is not None:
            await relay.stop()
        # Runs when the server stops (after in-flight requests finished): close the HTTP
        # client's connections and stop the process pool.
        await resources.aclose()
        storage.close()

    app = FastAPI(
        title="Catalog",
        version="0.1.0",
        lifespan=lifespan,
        # The contract has no trailing-slash paths; a redirect would differ from the Go twin.
        redirect_slashes=False,
        exception_handlers=problem_exception_handlers(),
        # The contract's document is committed and served as is (openapi.py); FastAPI's own
        # schema and its /docs pages are off, as in the Go twin.
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    # What app.openapi() answers (the 405's Allow reads its paths): the committed document.
    app.openapi = openapi.document  # type: ignore[method-assign]
    # Stored on the app (not in a lifespan hook) so that in-process test clients, which do
    # not run the lifespan, see it too.
    app.state.uow_factory = storage.uow_factory
    app.state.product_reads = storage.reads
    # In-process test clients never stop the app: its temporary database folder (if any)
    # goes when the app is garbage-collected.
    weakref.finalize(app, storage.close)
    app.state.fan_out = resources
    app.state.telemetry = observed
    # Inside the telemetry middleware (added after it, so nearer the app): a 413 or 408 is
    # logged and counted like any answer.
    app.add_middleware(BodyLimit, router=app.router)
    app.add_middleware(PercentEscapes)
    install(app, observed, storage.uow_factory)
    app.include_router(health.router)
    app.include_router(products.router)
    app.include_router(openapi.router)
    return app
