"""Wiring of the fan-out from the environment, with defaults that need nothing running.

- ``CATALOG_UPSTREAM_URL``: base URL serving ``/pricing/{id}``, ``/inventory/{id}`` and
  ``/reviews/{id}`` (e.g. ``python -m upstream_sim``). Unset: in-process simulated upstreams
  with zero latency, so the catalog runs alone.
- ``CATALOG_PRICING_URL``, ``CATALOG_INVENTORY_URL``, ``CATALOG_REVIEWS_URL``: the same for
  one upstream; wins over the common URL.
- ``CATALOG_CALL_TIMEOUT_MS`` (500): timeout of each upstream call.
- ``CATALOG_DEADLINE_MS`` (800): deadline of the whole fan-out.
- ``CATALOG_MAX_CONCURRENCY`` (64): upstream calls in flight, all requests together.
- ``CATALOG_CPU_WORKERS`` (2): processes of the review-scoring pool.
- ``CATALOG_RETRY_ATTEMPTS`` (3): calls per upstream GET, first one included (lab 4).
- ``CATALOG_BREAKER_FAILURES`` (5): failed calls in a row that open an upstream's breaker.
- ``CATALOG_BREAKER_RESET_MS`` (5000): how long a breaker stays open before a trial call.
"""

import multiprocessing
from collections.abc import Mapping
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from catalog.fanout.aggregator import ProductDetailsAggregator
from catalog.fanout.http11 import Http11Client
from catalog.fanout.model import FanOutPolicy
from catalog.fanout.upstreams import (
    UPSTREAM_NAMES,
    Http11Upstream,
    SimulatedUpstream,
    Upstream,
    UpstreamName,
)
from catalog.observability import Telemetry
from catalog.resilience.breaker import CircuitBreaker
from catalog.resilience.retry import RetryPolicy
from catalog.resilience.upstream import ResilientAggregator, ResilientUpstream


class SettingsError(ValueError):
    """An environment variable has a value the catalog cannot use."""


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r}: not an integer") from None
    if value < 1:
        raise SettingsError(f"{name}={raw!r}: must be at least 1")
    return value


def policy_from_env(env: Mapping[str, str]) -> FanOutPolicy:
    return FanOutPolicy(
        call_timeout=_positive_int(env, "CATALOG_CALL_TIMEOUT_MS", 500) / 1000,
        deadline=_positive_int(env, "CATALOG_DEADLINE_MS", 800) / 1000,
        max_concurrency=_positive_int(env, "CATALOG_MAX_CONCURRENCY", 64),
    )


def upstream_urls(env: Mapping[str, str]) -> dict[UpstreamName, str]:
    """The base URL of each upstream that has one; an upstream missing here is simulated."""
    common = env.get("CATALOG_UPSTREAM_URL") or None
    urls: dict[UpstreamName, str] = {}
    for name in UPSTREAM_NAMES:
        url = env.get(f"CATALOG_{name.upper()}_URL") or common
        if url is not None:
            if not url.startswith(("http://", "https://")):
                raise SettingsError(f"the {name} upstream URL {url!r} must start with http(s)://")
            urls[name] = url
    return urls


class UpstreamClient(Protocol):
    """What the fan-out closes at shutdown: an ``Http11Client`` (tests: an httpx client)."""

    @property
    def is_closed(self) -> bool: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True, slots=True)
class FanOut:
    """The aggregator and the resources it holds; ``aclose`` releases them (app shutdown)."""

    aggregator: ProductDetailsAggregator
    client: UpstreamClient | None
    cpu_pool: Executor

    async def aclose(self) -> None:
        if self.client is not None:
            await self.client.aclose()
        # cancel_futures: a shutdown does not wait for queued scoring nobody will read.
        self.cpu_pool.shutdown(wait=False, cancel_futures=True)


def fan_out_from_env(env: Mapping[str, str], telemetry: Telemetry | None = None) -> FanOut:
    """Build the fan-out; no process starts and no connection opens until first used.

    Every upstream is wrapped in a ``ResilientUpstream`` (breaker, retries, span, metrics).
    """
    policy = policy_from_env(env)
    observed = telemetry if telemetry is not None else Telemetry()
    retry = RetryPolicy(attempts=_positive_int(env, "CATALOG_RETRY_ATTEMPTS", 3))
    failures = _positive_int(env, "CATALOG_BREAKER_FAILURES", 5)
    reset_timeout = _positive_int(env, "CATALOG_BREAKER_RESET_MS", 5000) / 1000
    urls = upstream_urls(env)
    # "spawn": a fresh interpreter per worker, the same on every OS, and no fork of a process
    # that runs threads (the pool's own manager thread).
    cpu_pool = ProcessPoolExecutor(
        max_workers=_positive_int(env, "CATALOG_CPU_WORKERS", 2),
        mp_context=multiprocessing.get_context("spawn"),
    )
    client = None
    if urls:
        # No client-level timeout: the aggregator's per-call timeout and deadline own time.
        client = Http11Client(max_connections=policy.max_concurrency)
    upstreams: dict[UpstreamName, Upstream] = {}
    for name in UPSTREAM_NAMES:
        url = urls.get(name)
        inner: Upstream
        if url is not None and client is not None:
            inner = Http11Upstream(name, url, client)
        else:
            inner = SimulatedUpstream(name)
        breaker = CircuitBreaker(
            name,
            failure_threshold=failures,
            reset_timeout=reset_timeout,
            on_change=observed.breaker_changed,
        )
        observed.breaker_changed(name, breaker.state)
        upstreams[name] = ResilientUpstream(
            name, inner, breaker, retry, policy.call_timeout, observed
        )
    aggregator: ProductDetailsAggregator = ResilientAggregator(upstreams, policy, cpu_pool)
    return FanOut(aggregator, client, cpu_pool)
