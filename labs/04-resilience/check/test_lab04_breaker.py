"""Lab 4, steps 4-5: the circuit breaker (closed -> open -> half-open -> closed), driven by a
fake clock, and an open breaker seen through HTTP as a part degraded ``circuit_open``."""

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from catalog.entrypoints.http.app import create_app
from catalog.fanout.model import FanOutPolicy
from catalog.fanout.settings import FanOut
from catalog.fanout.upstreams import SimulatedUpstream, Upstream, UpstreamName
from catalog.observability import Telemetry
from catalog.resilience.breaker import BreakerState, CircuitBreaker, CircuitOpenError
from catalog.resilience.retry import RetryPolicy
from catalog.resilience.upstream import ResilientAggregator, ResilientUpstream

TODO = "resilience/breaker.py, TODO(lab 4)"
THRESHOLD = 3
RESET = 5.0


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def _ok() -> str:
    return "ok"


async def _boom() -> str:
    raise RuntimeError("upstream down")


def _state(breaker: CircuitBreaker) -> BreakerState:
    """Read afresh (the state changes with the clock)."""
    return breaker.state


async def _fail(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        with pytest.raises(RuntimeError):
            await breaker.call(_boom)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def breaker(clock: Clock) -> CircuitBreaker:
    return CircuitBreaker("pricing", failure_threshold=THRESHOLD, reset_timeout=RESET, clock=clock)


async def test_it_opens_after_the_threshold_and_fails_fast(breaker: CircuitBreaker) -> None:
    await _fail(breaker, THRESHOLD)
    assert _state(breaker) is BreakerState.OPEN, (
        f"{THRESHOLD} failures in a row must open the breaker, it is {_state(breaker)} "
        f"({TODO} step 5)"
    )
    called = False

    async def work() -> str:
        nonlocal called
        called = True
        return "ok"

    with pytest.raises(CircuitOpenError):
        await breaker.call(work)
    assert not called, f"an open breaker must not call the upstream at all ({TODO} step 5)"


async def test_a_success_resets_the_count(breaker: CircuitBreaker) -> None:
    await _fail(breaker, THRESHOLD - 1)
    assert await breaker.call(_ok) == "ok"
    await _fail(breaker, THRESHOLD - 1)
    assert _state(breaker) is BreakerState.CLOSED, (
        f"failures IN A ROW open the breaker; a success in between resets the count ({TODO})"
    )


async def test_it_half_opens_after_the_cool_down_and_a_success_closes_it(
    breaker: CircuitBreaker, clock: Clock
) -> None:
    await _fail(breaker, THRESHOLD)
    clock.now += RESET - 0.01
    assert _state(breaker) is BreakerState.OPEN, f"still cooling down ({TODO} step 4)"
    clock.now += 0.01
    assert _state(breaker) is BreakerState.HALF_OPEN, (
        f"after reset_timeout ({RESET} s) the breaker must be half-open, it is {_state(breaker)}: "
        f"a breaker that never half-opens never lets the recovered upstream back ({TODO} step 4)"
    )
    try:
        result = await breaker.call(_ok)
    except CircuitOpenError:
        pytest.fail(f"the half-open breaker must let one trial call through ({TODO} step 5)")
    assert result == "ok"
    assert _state(breaker) is BreakerState.CLOSED, f"a successful trial closes it ({TODO} step 5)"


async def test_a_failed_trial_opens_it_again(breaker: CircuitBreaker, clock: Clock) -> None:
    await _fail(breaker, THRESHOLD)
    clock.now += RESET
    await _fail(breaker, 1)
    assert _state(breaker) is BreakerState.OPEN, (
        f"one failed trial re-opens the breaker for another cool-down ({TODO} step 5)"
    )
    with pytest.raises(CircuitOpenError):
        await breaker.call(_ok)


async def test_half_open_lets_one_trial_through_at_a_time(
    breaker: CircuitBreaker, clock: Clock
) -> None:
    await _fail(breaker, THRESHOLD)
    clock.now += RESET
    release = asyncio.Event()

    async def slow_trial() -> str:
        await release.wait()
        return "ok"

    trial = asyncio.create_task(breaker.call(slow_trial))
    await asyncio.sleep(0)
    with pytest.raises(CircuitOpenError):
        await breaker.call(_ok)
    release.set()
    assert await trial == "ok"
    assert _state(breaker) is BreakerState.CLOSED


async def test_a_cancelled_trial_gives_the_trial_back(
    breaker: CircuitBreaker, clock: Clock
) -> None:
    await _fail(breaker, THRESHOLD)
    clock.now += RESET
    trial = asyncio.create_task(breaker.call(asyncio.Event().wait))
    await asyncio.sleep(0)
    trial.cancel()
    with pytest.raises(asyncio.CancelledError):
        await trial
    assert await breaker.call(_ok) == "ok", f"cancellation is not a failure ({TODO} step 5)"


async def _time_out() -> str:
    """A call that runs out of its own timeout: ``TimeoutError`` raised inside the breaker."""
    async with asyncio.timeout(0):
        await asyncio.Event().wait()
    return "never"


async def test_a_timed_out_call_is_a_failure(breaker: CircuitBreaker) -> None:
    for _ in range(THRESHOLD):
        with pytest.raises(TimeoutError):
            await breaker.call(_time_out)
    assert _state(breaker) is BreakerState.OPEN, (
        f"{THRESHOLD} timeouts in a row must open the breaker, it is {_state(breaker)}: a "
        f"TimeoutError is an Exception, a failure of the upstream; only CancelledError (the "
        f"deadline, the client gone) is not ({TODO} step 5)"
    )


class Counting:
    def __init__(self, inner: Upstream) -> None:
        self.inner = inner
        self.calls = 0

    async def fetch(self, product_id: str) -> object:
        self.calls += 1
        return await self.inner.fetch(product_id)


@pytest.fixture
async def catalog() -> AsyncIterator[tuple[httpx.AsyncClient, Counting]]:
    policy = FanOutPolicy(call_timeout=0.5, deadline=0.8)
    telemetry = Telemetry()
    pricing = Counting(SimulatedUpstream("pricing", fail=True))
    upstreams: dict[UpstreamName, Upstream] = {}
    for name in ("pricing", "inventory", "reviews"):
        inner: Upstream = pricing if name == "pricing" else SimulatedUpstream(name)
        breaker = CircuitBreaker(
            name, failure_threshold=2, reset_timeout=60.0, on_change=telemetry.breaker_changed
        )
        upstreams[name] = ResilientUpstream(
            name, inner, breaker, RetryPolicy(attempts=1), policy.call_timeout, telemetry
        )
    pool = ThreadPoolExecutor(max_workers=1)
    fan_out = FanOut(ResilientAggregator(upstreams, policy, pool), None, pool)
    app = create_app(fan_out=fan_out, env={"CATALOG_DATABASE_URL": "memory:"}, telemetry=telemetry)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://catalog.test") as client:
        yield client, pricing
    await fan_out.aclose()


async def test_an_open_breaker_degrades_the_part_as_circuit_open(
    catalog: tuple[httpx.AsyncClient, Counting],
) -> None:
    client, pricing = catalog
    created = await client.post(
        "/products",
        json={"sku": "MUG-001", "name": "Mug", "price": {"amount_minor": 1250, "currency": "EUR"}},
    )
    url = f"/products/{created.json()['id']}"
    reasons = []
    for _ in range(3):
        body = (await client.get(url)).json()
        reasons.append(body["degraded"])
    assert reasons[0] == [{"upstream": "pricing", "reason": "error"}]
    assert reasons[2] == [{"upstream": "pricing", "reason": "circuit_open"}], (
        f"after 2 failures the pricing breaker is open: the part is degraded 'circuit_open' "
        f"and the upstream is not called; got {reasons[2]} ({TODO} steps 4-5)"
    )
    assert pricing.calls == 2, f"the open breaker still called pricing ({pricing.calls} calls)"
    metrics = (await client.get("/metrics")).text
    assert 'catalog_breaker_state{upstream="pricing"} 2.0' in metrics
    assert 'catalog_upstream_errors_total{reason="circuit_open",upstream="pricing"} 1.0' in metrics
