"""The simulator's HTTP app.

| request | answer |
|---|---|
| ``GET /pricing/{id}``, ``GET /inventory/{id}``, ``GET /reviews/{id}`` | 200 the payload after the configured delay, or 503 ``{"error": ...}`` |
| ``GET /_sim/config`` | 200 the current configuration |
| ``PUT /_sim/config`` | 200 the new configuration (omitted fields take defaults); resets the stats; 422 if invalid |
| ``GET /_sim/stats`` | 200 ``{"calls": {name: n}, "failures": {...}, "in_flight": {...}, "peak_in_flight": {...}, "peak_in_flight_total": n}`` |
| ``GET /healthz`` | 200 ``{"status": "ok"}`` |
"""  # noqa: E501

import asyncio
import random
from dataclasses import dataclass, field

from fastapi import FastAPI, HTTPException
from fastapi.responses import JSONResponse

from upstream_sim.config import UPSTREAM_NAMES, SimConfig, UpstreamName
from upstream_sim.payloads import payload


def _counters() -> dict[UpstreamName, int]:
    return dict.fromkeys(UPSTREAM_NAMES, 0)


@dataclass(slots=True)
class SimState:
    """The configuration in force, the random source and what was served since the last PUT."""

    config: SimConfig
    rng: random.Random
    calls: dict[UpstreamName, int] = field(default_factory=_counters)
    failures: dict[UpstreamName, int] = field(default_factory=_counters)
    in_flight: dict[UpstreamName, int] = field(default_factory=_counters)
    peak_in_flight: dict[UpstreamName, int] = field(default_factory=_counters)
    in_flight_total: int = 0
    peak_in_flight_total: int = 0

    @classmethod
    def of(cls, config: SimConfig) -> "SimState":
        return cls(config=config, rng=random.Random(config.seed))  # nosec B311 # simulation

    def delay_seconds(self, name: UpstreamName) -> float:
        behaviour = self.config.behaviour(name)
        jitter = self.rng.uniform(-behaviour.jitter_ms, behaviour.jitter_ms)
        return max(0.0, behaviour.latency_ms + jitter) / 1000

    def fails(self, name: UpstreamName) -> bool:
        rate = self.config.behaviour(name).failure_rate
        return rate > 0 and self.rng.random() < rate

    def stats(self) -> dict[str, object]:
        return {
            "calls": self.calls,
            "failures": self.failures,
            "in_flight": self.in_flight,
            "peak_in_flight": self.peak_in_flight,
            "peak_in_flight_total": self.peak_in_flight_total,
        }


def create_app(config: SimConfig | None = None) -> FastAPI:
    app = FastAPI(title="upstream-sim", version="0.1.0", redirect_slashes=False)
    state = SimState.of(config if config is not None else SimConfig())
    app.state.sim = state

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/_sim/config")
    async def get_config() -> SimConfig:
        current: SimState = app.state.sim
        return current.config

    @app.put("/_sim/config")
    async def put_config(new: SimConfig) -> SimConfig:
        app.state.sim = SimState.of(new)
        return new

    @app.get("/_sim/stats")
    async def stats() -> dict[str, object]:
        current: SimState = app.state.sim
        return current.stats()

    async def serve(name: UpstreamName, product_id: str) -> JSONResponse:
        sim: SimState = app.state.sim
        sim.calls[name] += 1
        sim.in_flight[name] += 1
        sim.peak_in_flight[name] = max(sim.peak_in_flight[name], sim.in_flight[name])
        sim.in_flight_total += 1
        sim.peak_in_flight_total = max(sim.peak_in_flight_total, sim.in_flight_total)
        try:
            await asyncio.sleep(sim.delay_seconds(name))
        finally:
            sim.in_flight[name] -= 1
            sim.in_flight_total -= 1
        if sim.fails(name):
            sim.failures[name] += 1
            return JSONResponse({"error": f"simulated {name} failure"}, status_code=503)
        return JSONResponse(payload(name, product_id, sim.config.review_count))

    @app.get("/{upstream}/{product_id}")
    async def upstream(upstream: str, product_id: str) -> JSONResponse:
        for name in UPSTREAM_NAMES:
            if name == upstream:
                return await serve(name, product_id)
        raise HTTPException(status_code=404, detail=f"no upstream named {upstream!r}")

    return app
