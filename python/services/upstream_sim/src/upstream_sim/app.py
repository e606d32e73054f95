"""The simulator's HTTP app.

| request | answer |
|---|---|
| ``GET /pricing/{id}``, ``GET /inventory/{id}``, ``GET /reviews/{id}`` | 200 the payload after the configured delay, or 503 ``{"error": ...}`` |
| ``GET /_sim/config`` | 200 the current configuration |
| ``PUT /_sim/config`` | 200 the new configuration (omitted fields take defaults); resets the stats; 422 if invalid |
| ``GET /_sim/stats`` | 200 ``{"calls": {name: n}, "failures": {...}, "in_flight": {...}, "peak_in_flight": {...}, "in_flight_total": n, "peak_in_flight_total": n}`` |
| ``GET /_sim/idle?within_ms=N`` | 200 ``{"in_flight_total": 0}`` once no call is in flight, or 503 with the count after N ms |
| ``GET /healthz`` | 200 ``{"status": "ok"}`` |

A call is in flight from its arrival until its answer is sent or its client closes the
connection: like a well-behaved server (Go's ``Request.Context``), the simulator stops serving a
call nobody waits for. So "in flight" is what the upstream is still serving, which is what a
client's concurrency bound protects (DESIGN.md, 2026-12-07, "What the bulkhead bounds").
"""  # noqa: E501

import asyncio
import random
from dataclasses import dataclass, field

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from starlette.types import Receive

from upstream_sim.config import UPSTREAM_NAMES, SimConfig, UpstreamName
from upstream_sim.payloads import payload


def _counters() -> dict[UpstreamName, int]:
    return dict.fromkeys(UPSTREAM_NAMES, 0)


@dataclass(slots=True)
class InFlight:
    """Calls being served now. Not reset by ``PUT /_sim/config``: a call still running after
    a reconfiguration is still load on the upstream (a test waits for ``idle`` instead)."""

    by_name: dict[UpstreamName, int] = field(default_factory=_counters)
    total: int = 0
    idle: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.idle.set()

    def start(self, name: UpstreamName) -> None:
        self.by_name[name] += 1
        self.total += 1
        self.idle.clear()

    def end(self, name: UpstreamName) -> None:
        self.by_name[name] -= 1
        self.total -= 1
        if self.total == 0:
            self.idle.set()


@dataclass(slots=True)
class SimState:
    """The configuration in force, the random source and what was served since the last PUT."""

    config: SimConfig
    rng: random.Random
    calls: dict[UpstreamName, int] = field(default_factory=_counters)
    failures: dict[UpstreamName, int] = field(default_factory=_counters)
    peak_in_flight: dict[UpstreamName, int] = field(default_factory=_counters)
    peak_in_flight_total: int = 0

    @classmethod
    def of(cls, config: SimConfig, in_flight: InFlight) -> "SimState":
        state = cls(config=config, rng=random.Random(config.seed))  # nosec B311 # simulation
        # Peaks start from what is served now, so a call left running is never hidden.
        state.observe(in_flight)
        return state

    def observe(self, in_flight: InFlight) -> None:
        for name in UPSTREAM_NAMES:
            self.peak_in_flight[name] = max(self.peak_in_flight[name], in_flight.by_name[name])
        self.peak_in_flight_total = max(self.peak_in_flight_total, in_flight.total)

    def delay_seconds(self, name: UpstreamName) -> float:
        behaviour = self.config.behaviour(name)
        jitter = self.rng.uniform(-behaviour.jitter_ms, behaviour.jitter_ms)
        return max(0.0, behaviour.latency_ms + jitter) / 1000

    def fails(self, name: UpstreamName) -> bool:
        rate = self.config.behaviour(name).failure_rate
        return rate > 0 and self.rng.random() < rate

    def stats(self, in_flight: InFlight) -> dict[str, object]:
        return {
            "calls": self.calls,
            "failures": self.failures,
            "in_flight": dict(in_flight.by_name),
            "peak_in_flight": self.peak_in_flight,
            "in_flight_total": in_flight.total,
            "peak_in_flight_total": self.peak_in_flight_total,
        }


async def client_left_within(receive: Receive, seconds: float) -> bool:
    """Wait ``seconds``; True at once if the client closes the connection meanwhile.

    Awaited on the call's own task, so the server's notice of the close (uvicorn sets the
    event in ``connection_lost``, before its socket closes) ends the call in the next step of
    the loop, ahead of any request that arrives after the client saw the close.
    """
    if seconds <= 0:
        return False
    try:
        async with asyncio.timeout(seconds):
            # The first message is the (empty) request body; the next one is the disconnect.
            while (await receive())["type"] != "http.disconnect":
                pass
    except TimeoutError:
        return False
    return True


def create_app(config: SimConfig | None = None) -> FastAPI:
    app = FastAPI(title="upstream-sim", version="0.1.0", redirect_slashes=False)
    in_flight = InFlight()
    app.state.in_flight = in_flight
    app.state.sim = SimState.of(config if config is not None else SimConfig(), in_flight)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/_sim/config")
    async def get_config() -> SimConfig:
        current: SimState = app.state.sim
        return current.config

    @app.put("/_sim/config")
    async def put_config(new: SimConfig) -> SimConfig:
        app.state.sim = SimState.of(new, in_flight)
        return new

    @app.get("/_sim/stats")
    async def stats() -> dict[str, object]:
        current: SimState = app.state.sim
        return current.stats(in_flight)

    @app.get("/_sim/idle")
    async def idle(within_ms: float = 5000) -> JSONResponse:
        """Answer once nothing is in flight (tests isolate their cases with it)."""
        try:
            async with asyncio.timeout(within_ms / 1000):
                await in_flight.idle.wait()
        except TimeoutError:
            return JSONResponse({"in_flight_total": in_flight.total}, status_code=503)
        return JSONResponse({"in_flight_total": 0})

    async def serve(name: UpstreamName, product_id: str, request: Request) -> Response:
        sim: SimState = app.state.sim
        sim.calls[name] += 1
        in_flight.start(name)
        sim.observe(in_flight)
        try:
            if await client_left_within(request.receive, sim.delay_seconds(name)):
                # Nobody reads this answer: the call ended when its client let go.
                return Response(status_code=499)
        finally:
            in_flight.end(name)
        if sim.fails(name):
            sim.failures[name] += 1
            return JSONResponse({"error": f"simulated {name} failure"}, status_code=503)
        return JSONResponse(payload(name, product_id, sim.config.review_count))

    @app.get("/{upstream}/{product_id}")
    async def upstream(upstream: str, product_id: str, request: Request) -> Response:
        for name in UPSTREAM_NAMES:
            if name == upstream:
                return await serve(name, product_id, request)
        raise HTTPException(status_code=404, detail=f"no upstream named {upstream!r}")

    return app
