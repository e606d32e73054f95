"""The upstreams a product view is assembled from, behind one small port.

An upstream answers ``fetch(product_id)`` with its JSON payload (already parsed) or raises.
Two adapters:

- ``SimulatedUpstream``: in process, deterministic payloads after an optional delay. With no
  upstream configured the catalog uses three of these with zero latency, so it runs alone.
- ``Http11Upstream``: ``GET {base_url}/{name}/{product_id}`` with the shared keep-alive
  ``Http11Client`` (``fanout/http11.py``; e.g. against ``python -m upstream_sim``). What the
  running service uses.
- ``HttpUpstream``: the same with an ``httpx.AsyncClient``; tests use it with httpx's ASGI
  transport to call the simulator in process.

The payload models below are the typed view of what each upstream sends; a payload that does
not fit is an upstream error, reported as degraded like any other failure.
"""

import asyncio
import json
import random
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, Protocol

import httpx
from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt

from catalog.fanout.http11 import Http11Client

UpstreamName = Literal["pricing", "inventory", "reviews"]
UPSTREAM_NAMES: tuple[UpstreamName, ...] = ("pricing", "inventory", "reviews")


class Upstream(Protocol):
    """The port: one call, one parsed JSON payload, or an exception."""

    async def fetch(self, product_id: str) -> object: ...


class Payload(BaseModel):
    # Upstreams may add fields; the catalog reads the ones it knows.
    model_config = ConfigDict(extra="ignore", frozen=True)


class PricingInfo(Payload):
    """The current offer: a discount on the product's list price."""

    discount_percent: int = Field(ge=0, le=100)
    currency: str = Field(pattern=r"^[A-Z]{3}$")


class InventoryInfo(Payload):
    """Stock on hand."""

    available: NonNegativeInt
    warehouse: str


class RawReview(Payload):
    rating: int = Field(ge=1, le=5)
    text: str
    helpful: NonNegativeInt
    unhelpful: NonNegativeInt


class ReviewsPayload(Payload):
    reviews: list[RawReview]


@lru_cache(maxsize=4096)
def simulated_payload(name: UpstreamName, product_id: str, review_count: int = 20) -> object:
    """The deterministic payload of upstream ``name`` for a product (same id, same answer).

    Shared with ``upstream_sim`` in spirit: both produce these shapes. Memoised (generating
    twenty reviews costs more than the rest of a simulated call): the payload is shared, so
    callers read it and never change it, like a body parsed from the wire.
    """
    rng = random.Random(f"{name}:{product_id}")  # nosec B311 # seeded fake data, not crypto
    if name == "pricing":
        return {"discount_percent": rng.choice([0, 5, 10, 15, 20]), "currency": "EUR"}
    if name == "inventory":
        return {"available": rng.randrange(0, 500), "warehouse": rng.choice(["AMS-1", "FRA-2"])}
    vocabulary = ["great", "mug", "handle", "coffee", "big", "small", "gift", "broke", "blue"]
    return {
        "reviews": [
            {
                "rating": rng.randint(1, 5),
                "text": " ".join(rng.choices(vocabulary, k=8)),
                "helpful": rng.randrange(0, 50),
                "unhelpful": rng.randrange(0, 10),
            }
            for _ in range(review_count)
        ]
    }


@dataclass(slots=True)
class SimulatedUpstream:
    """In-process upstream: waits ``latency`` seconds, then fails or answers deterministically."""

    name: UpstreamName
    latency: float = 0.0
    fail: bool = False
    review_count: int = 20

    async def fetch(self, product_id: str) -> object:
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        if self.fail:
            raise UpstreamError(f"{self.name} is configured to fail")
        return simulated_payload(self.name, product_id, self.review_count)


class UpstreamError(Exception):
    """An upstream answered, but not with a usable payload."""


@dataclass(frozen=True, slots=True)
class HttpUpstream:
    """``GET {base_url}/{name}/{product_id}``; a non-2xx answer raises ``httpx.HTTPStatusError``."""

    name: UpstreamName
    base_url: str
    client: httpx.AsyncClient

    async def fetch(self, product_id: str) -> object:
        response = await self.client.get(f"{self.base_url.rstrip('/')}/{self.name}/{product_id}")
        response.raise_for_status()
        payload: object = response.json()
        return payload


@dataclass(frozen=True, slots=True)
class Http11Upstream:
    """``GET {base_url}/{name}/{product_id}`` on the shared ``Http11Client``; a non-2xx answer
    raises ``httpx.HTTPStatusError``, a transport failure ``httpx.TransportError``, as
    ``HttpUpstream`` does (lab 4's retries judge both the same way)."""

    name: UpstreamName
    base_url: str
    client: Http11Client

    async def fetch(self, product_id: str) -> object:
        url = f"{self.base_url.rstrip('/')}/{self.name}/{product_id}"
        status, body = await self.client.get(url)
        if not 200 <= status < 300:
            request = httpx.Request("GET", url)
            response = httpx.Response(status, request=request, content=body)
            raise httpx.HTTPStatusError(
                f"{self.name} answered {status}", request=request, response=response
            )
        payload: object = json.loads(body)
        return payload


Upstreams = Mapping[UpstreamName, Upstream]


def simulated_upstreams() -> dict[UpstreamName, Upstream]:
    """The embedded default: three instant in-process upstreams."""
    return {name: SimulatedUpstream(name) for name in UPSTREAM_NAMES}
