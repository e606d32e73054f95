"""The upstream simulator: payloads, latency, failures, run-time configuration, start-up."""

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from starlette.types import Message

from upstream_sim.app import create_app
from upstream_sim.cli import build_parser, main, start_config
from upstream_sim.config import SimConfig, UpstreamBehaviour


@pytest.fixture
def app() -> FastAPI:
    return create_app(SimConfig(seed=3))


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim.test") as client:
        yield client


async def test_healthz(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}


@pytest.mark.parametrize("name", ["pricing", "inventory", "reviews"])
async def test_payloads_are_deterministic(client: httpx.AsyncClient, name: str) -> None:
    first = await client.get(f"/{name}/p-1")
    assert first.status_code == 200
    assert (await client.get(f"/{name}/p-1")).json() == first.json()


async def test_an_unknown_upstream_is_404(client: httpx.AsyncClient) -> None:
    assert (await client.get("/shipping/p-1")).status_code == 404


async def test_put_replaces_the_config_and_resets_stats(client: httpx.AsyncClient) -> None:
    await client.get("/pricing/p-1")
    response = await client.put(
        "/_sim/config", json={"inventory": {"latency_ms": 5}, "review_count": 2}
    )
    assert response.status_code == 200
    config = (await client.get("/_sim/config")).json()
    assert config["inventory"]["latency_ms"] == 5
    assert config["pricing"] == {"latency_ms": 0.0, "jitter_ms": 0.0, "failure_rate": 0.0}
    stats = (await client.get("/_sim/stats")).json()
    assert stats["calls"] == {"pricing": 0, "inventory": 0, "reviews": 0}
    assert len((await client.get("/reviews/p-1")).json()["reviews"]) == 2


@pytest.mark.parametrize(
    "body",
    [{"pricing": {"failure_rate": 2}}, {"pricing": {"latency_ms": -1}}, {"colour": 1}],
)
async def test_an_invalid_config_is_422(client: httpx.AsyncClient, body: object) -> None:
    assert (await client.put("/_sim/config", json=body)).status_code == 422


async def test_latency_is_honoured_and_counted(client: httpx.AsyncClient) -> None:
    await client.put("/_sim/config", json={"pricing": {"latency_ms": 60}})
    started = time.perf_counter()
    assert (await client.get("/pricing/p-1")).status_code == 200
    assert time.perf_counter() - started >= 0.06
    stats = (await client.get("/_sim/stats")).json()
    assert stats["calls"]["pricing"] == 1
    assert stats["peak_in_flight_total"] == 1


async def test_failure_rate_one_always_fails(client: httpx.AsyncClient) -> None:
    await client.put("/_sim/config", json={"reviews": {"failure_rate": 1}})
    response = await client.get("/reviews/p-1")
    assert response.status_code == 503
    assert (await client.get("/_sim/stats")).json()["failures"]["reviews"] == 1


class LeavingClient:
    """A raw ASGI client: sends a GET, says when the app waits on the connection (the call is
    in flight), and closes the connection when ``leave`` is set."""

    def __init__(self) -> None:
        self.in_flight = asyncio.Event()
        self.leave = asyncio.Event()
        self.sent: list[Message] = []
        self._body_sent = False

    async def receive(self) -> Message:
        if not self._body_sent:
            self._body_sent = True
            self.in_flight.set()
            return {"type": "http.request", "body": b"", "more_body": False}
        await self.leave.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        self.sent.append(message)

    async def get(self, app: FastAPI, path: str) -> None:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [],
            "client": ("127.0.0.1", 50000),
            "server": ("sim.test", 80),
        }
        await app(scope, self.receive, self.send)


async def test_a_call_ends_when_its_client_leaves(app: FastAPI, client: httpx.AsyncClient) -> None:
    await client.put("/_sim/config", json={"pricing": {"latency_ms": 60_000}})
    leaving = LeavingClient()
    call = asyncio.create_task(leaving.get(app, "/pricing/p-1"))
    await leaving.in_flight.wait()
    stats = (await client.get("/_sim/stats")).json()
    assert (stats["in_flight_total"], stats["peak_in_flight_total"]) == (1, 1)
    busy = await client.get("/_sim/idle", params={"within_ms": 0})
    assert (busy.status_code, busy.json()) == (503, {"in_flight_total": 1})
    leaving.leave.set()
    await call
    assert (await client.get("/_sim/idle")).status_code == 200
    assert (await client.get("/_sim/stats")).json()["in_flight_total"] == 0


async def test_a_reset_keeps_counting_the_calls_still_in_flight(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await client.put("/_sim/config", json={"inventory": {"latency_ms": 60_000}})
    leaving = LeavingClient()
    call = asyncio.create_task(leaving.get(app, "/inventory/p-1"))
    await leaving.in_flight.wait()
    await client.put("/_sim/config", json={})
    stats = (await client.get("/_sim/stats")).json()
    assert stats["calls"]["inventory"] == 0  # counters restart ...
    assert (stats["in_flight_total"], stats["peak_in_flight_total"]) == (1, 1)  # ... load stays
    leaving.leave.set()
    await call


def test_jitter_stays_within_bounds() -> None:
    app = create_app(SimConfig(seed=1, pricing=UpstreamBehaviour(latency_ms=10, jitter_ms=20)))
    delays = [app.state.sim.delay_seconds("pricing") for _ in range(200)]
    assert all(0 <= d <= 0.03 for d in delays)
    assert min(delays) == 0


def test_start_config_merges_flags_env_and_json() -> None:
    args = build_parser().parse_args(
        ["--latency-ms", "10", "--config", '{"inventory": {"failure_rate": 0.5}}']
    )
    config = start_config(args, {"UPSTREAM_SIM_CONFIG": '{"inventory": {"latency_ms": 99}}'})
    assert config.pricing.latency_ms == 10
    assert config.inventory == UpstreamBehaviour(latency_ms=99, failure_rate=0.5)


@pytest.mark.parametrize(
    ("argv", "env", "says"),
    [
        (["--config", "{"], {}, "invalid JSON"),
        (["--config", "[]"], {}, "JSON object"),
        ([], {"UPSTREAM_SIM_CONFIG": '{"pricing": {"failure_rate": 3}}'}, "pricing.failure_rate"),
    ],
)
def test_a_bad_start_config_is_one_line_and_exit_2(
    argv: list[str], env: dict[str, str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv, env) == 2
    err = capsys.readouterr().err
    assert says in err
    assert err.count("\n") == 1
