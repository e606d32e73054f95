"""Readiness and graceful shutdown (lab 5).

The drain sequence on SIGTERM (what an orchestrator sends before it kills a container):

1. readiness turns false at once: ``/readyz`` answers 503 ``{"status": "not_ready",
   "reason": "draining"}``, so load balancers stop sending new requests;
2. for ``CATALOG_DRAIN_DELAY_MS`` (default 200) the server still accepts and answers, so the
   balancer has time to see the 503 (a pre-stop delay);
3. then the listener closes and requests already in flight get up to
   ``CATALOG_GRACE_PERIOD_MS`` (default 10000, rounded up to whole seconds) to finish
   (uvicorn's ``timeout_graceful_shutdown``), then they are cancelled; the app's shutdown
   hook releases its resources;
4. the process exits 0: a planned stop, not a crash.

``/readyz`` is also 503 while the database cannot answer a trivial query, with the reason.
``/healthz`` (liveness) stays 200 throughout: the process is alive, it must not be restarted.
"""

import asyncio
import math
import signal
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import FrameType
from uuid import UUID

import uvicorn
from fastapi import FastAPI

from catalog.domain.errors import ProductNotFoundError
from catalog.fanout.settings import SettingsError
from catalog.ports import UnitOfWorkFactory

DRAIN_DELAY = "CATALOG_DRAIN_DELAY_MS"
GRACE_PERIOD = "CATALOG_GRACE_PERIOD_MS"
READINESS_TIMEOUT = 1.0
"""Seconds the readiness query may take before the database counts as not ready."""


@dataclass(frozen=True, slots=True)
class DrainSettings:
    delay: float
    """Seconds between SIGTERM and closing the listener, readiness already false."""
    grace: float
    """Seconds in-flight requests get to finish once the listener is closed."""


def _milliseconds(env: Mapping[str, str], name: str, default: int) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default / 1000
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r}: not an integer") from None
    if value < 0:
        raise SettingsError(f"{name}={raw!r}: must be at least 0")
    return value / 1000


def drain_settings_from_env(env: Mapping[str, str]) -> DrainSettings:
    return DrainSettings(
        delay=_milliseconds(env, DRAIN_DELAY, 200),
        grace=_milliseconds(env, GRACE_PERIOD, 10_000),
    )


class DrainState:
    """Whether the service is draining; shared by the server (which starts it) and /readyz."""

    def __init__(self) -> None:
        self.started_at: float | None = None

    @property
    def draining(self) -> bool:
        return self.started_at is not None

    def begin(self, now: float) -> None:
        if self.started_at is None:
            self.started_at = now


def drain_state(app: FastAPI) -> DrainState:
    """The app's drain state, created on first use (in-process test apps never drain)."""
    state = getattr(app.state, "drain", None)
    if not isinstance(state, DrainState):
        state = DrainState()
        app.state.drain = state
    return state


async def readiness(state: DrainState, uow_factory: UnitOfWorkFactory) -> str | None:
    """None when the service may take traffic, else the reason it may not."""
    if state.draining:
        return "draining"
    try:
        async with asyncio.timeout(READINESS_TIMEOUT), uow_factory() as uow:
            # A primary-key lookup of an id no product has: the cheapest real query.
            await uow.products.get(UUID(int=0))
    except ProductNotFoundError:
        return None
    except TimeoutError:
        return "database: no answer within 1 s"
    except Exception as error:
        return f"database: {type(error).__name__}"
    return None


class DrainingServer(uvicorn.Server):
    """A uvicorn server that drains on SIGTERM (see the module docstring) and exits 0.

    Signal handlers only set fields; the server's tick (every 0.1 s, on the event loop) acts.
    SIGINT (Ctrl-C) keeps uvicorn's behaviour.
    """

    def __init__(
        self,
        config: uvicorn.Config,
        state: DrainState,
        settings: DrainSettings,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(config)
        self.drain = state
        self.drain_settings = settings
        self._clock = clock
        # uvicorn takes whole seconds: round up, a grace period is never cut short.
        config.timeout_graceful_shutdown = math.ceil(settings.grace)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if sig != signal.SIGTERM:
            super().handle_exit(sig, frame)
        elif self.drain.draining:
            # A second SIGTERM: skip the rest of the delay (in-flight requests still finish).
            self.should_exit = True
        else:
            # Not uvicorn's handler: it would re-raise SIGTERM after shutdown (exit -15).
            self.drain.begin(self._clock())

    async def on_tick(self, counter: int) -> bool:
        started = self.drain.started_at
        if started is not None and self._clock() - started >= self.drain_settings.delay:
            self.should_exit = True
        return await super().on_tick(counter)
