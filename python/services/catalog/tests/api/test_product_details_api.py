"""GET /products/{id} with its upstream parts, against the real simulator app over httpx.

The catalog's HTTP adapter talks to ``upstream_sim``'s ASGI app in process (no sockets), so
these tests cover the whole path: route, aggregator, HTTP upstream, payload validation.
"""

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from catalog.entrypoints.http.app import create_app
from catalog.fanout.aggregator import ProductDetailsAggregator
from catalog.fanout.model import FanOutPolicy
from catalog.fanout.settings import FanOut
from catalog.fanout.upstreams import UPSTREAM_NAMES, HttpUpstream, Upstream, UpstreamName
from upstream_sim.app import create_app as create_sim
from upstream_sim.config import SimConfig, UpstreamBehaviour

MUG: dict[str, Any] = {
    "sku": "MUG-001",
    "name": "Mug",
    "price": {"amount_minor": 1250, "currency": "EUR"},
}


@pytest.fixture
def sim() -> FastAPI:
    return create_sim(SimConfig(seed=1))


@pytest.fixture
async def catalog(sim: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    upstream_client = httpx.AsyncClient(transport=httpx.ASGITransport(app=sim))
    upstreams: dict[UpstreamName, Upstream] = {
        name: HttpUpstream(name, "http://sim.test", upstream_client) for name in UPSTREAM_NAMES
    }
    pool = ThreadPoolExecutor(max_workers=1)
    policy = FanOutPolicy(call_timeout=0.1, deadline=0.5)
    fan_out = FanOut(ProductDetailsAggregator(upstreams, policy, pool), upstream_client, pool)
    app = create_app(fan_out=fan_out)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://catalog.test") as client:
        yield client
    await upstream_client.aclose()
    pool.shutdown()


async def _create(client: httpx.AsyncClient) -> str:
    response = await client.post("/products", json=MUG)
    assert response.status_code == 201
    product_id: str = response.json()["id"]
    return product_id


async def test_a_complete_answer_has_every_part(catalog: httpx.AsyncClient) -> None:
    product_id = await _create(catalog)
    body = (await catalog.get(f"/products/{product_id}")).json()
    assert body["degraded"] == []
    assert body["pricing"]["currency"] == "EUR"
    assert body["inventory"]["warehouse"] in {"AMS-1", "FRA-2"}
    assert body["reviews"]["count"] + body["reviews"]["duplicates"] == 20
    assert len(body["reviews"]["top"]) == 3
    assert set(body) == {
        "id",
        "sku",
        "name",
        "price",
        "pricing",
        "inventory",
        "reviews",
        "degraded",
    }


async def test_a_failing_upstream_is_null_and_listed(
    sim: FastAPI, catalog: httpx.AsyncClient
) -> None:
    sim.state.sim.config = SimConfig(inventory=UpstreamBehaviour(failure_rate=1))
    product_id = await _create(catalog)
    body = (await catalog.get(f"/products/{product_id}")).json()
    assert body["inventory"] is None
    assert body["degraded"] == [{"upstream": "inventory", "reason": "error"}]


async def test_a_slow_upstream_times_out(sim: FastAPI, catalog: httpx.AsyncClient) -> None:
    sim.state.sim.config = SimConfig(reviews=UpstreamBehaviour(latency_ms=400))
    product_id = await _create(catalog)
    body = (await catalog.get(f"/products/{product_id}")).json()
    assert body["reviews"] is None
    assert body["degraded"] == [{"upstream": "reviews", "reason": "timeout"}]
    assert body["pricing"] is not None


async def test_an_unknown_product_asks_no_upstream(
    sim: FastAPI, catalog: httpx.AsyncClient
) -> None:
    response = await catalog.get("/products/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert sum(sim.state.sim.calls.values()) == 0


async def test_a_payload_of_the_wrong_shape_is_an_error() -> None:
    class Weird:
        async def fetch(self, product_id: str) -> object:
            return {"discount_percent": "lots"}

    upstreams: dict[UpstreamName, Upstream] = {name: Weird() for name in UPSTREAM_NAMES}
    aggregator = ProductDetailsAggregator(upstreams, FanOutPolicy(), ThreadPoolExecutor(1))
    details = await aggregator.fetch("p-1")
    assert [d.reason for d in details.degraded] == ["error", "error", "error"]
