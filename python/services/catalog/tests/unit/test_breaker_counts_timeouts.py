"""A per-call timeout is a failure of that upstream's breaker; the request's deadline and a
cancelled request are not (and their ``CancelledError`` is never swallowed).

The breaker reads a fake clock (no cool-down is waited for); the call timeouts are real but a
few milliseconds long."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest

from catalog.fanout.model import FanOutPolicy
from catalog.fanout.upstreams import SimulatedUpstream, Upstream, UpstreamName
from catalog.observability import Telemetry
from catalog.resilience.breaker import BreakerState, CircuitBreaker, CircuitOpenError
from catalog.resilience.retry import RetryPolicy
from catalog.resilience.upstream import ResilientAggregator, ResilientUpstream

RESET = 5.0


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@dataclass(slots=True)
class Hanging:
    """An upstream that never answers; ``called`` is set once a call is in flight."""

    calls: int = 0
    called: asyncio.Event = field(default_factory=asyncio.Event)

    async def fetch(self, product_id: str) -> object:
        self.calls += 1
        self.called.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


def _resilient(
    inner: Upstream, breaker: CircuitBreaker, telemetry: Telemetry, call_timeout: float
) -> ResilientUpstream:
    name: UpstreamName = "pricing"
    for known in ("pricing", "inventory", "reviews"):
        if breaker.name == known:
            name = known
    return ResilientUpstream(name, inner, breaker, RetryPolicy(attempts=2), call_timeout, telemetry)


def _state(breaker: CircuitBreaker) -> BreakerState:
    """Read afresh (the state changes with the clock)."""
    return breaker.state


def _errors(telemetry: Telemetry, upstream: str, reason: str) -> float:
    value = telemetry.registry.get_sample_value(
        "catalog_upstream_errors_total", {"upstream": upstream, "reason": reason}
    )
    return value or 0.0


async def test_a_timed_out_call_counts_against_its_breaker() -> None:
    clock, hanging, telemetry = Clock(), Hanging(), Telemetry()
    breaker = CircuitBreaker("pricing", failure_threshold=2, reset_timeout=RESET, clock=clock)
    upstream = _resilient(hanging, breaker, telemetry, call_timeout=0.01)
    for _ in range(2):
        with pytest.raises(TimeoutError):
            await upstream.fetch("p-1")
    assert breaker.state is BreakerState.OPEN, "two timeouts in a row must open the breaker"
    with pytest.raises(CircuitOpenError):
        await upstream.fetch("p-1")
    assert hanging.calls == 2, "the open breaker must not call the hanging upstream"
    assert _errors(telemetry, "pricing", "timeout") == 2.0


async def test_a_timed_out_half_open_trial_opens_it_again() -> None:
    clock, telemetry = Clock(), Telemetry()
    breaker = CircuitBreaker("pricing", failure_threshold=1, reset_timeout=RESET, clock=clock)
    upstream = _resilient(Hanging(), breaker, telemetry, call_timeout=0.01)
    with pytest.raises(TimeoutError):
        await upstream.fetch("p-1")
    clock.now += RESET
    assert breaker.state is BreakerState.HALF_OPEN
    with pytest.raises(TimeoutError):
        await upstream.fetch("p-1")
    assert _state(breaker) is BreakerState.OPEN, "a trial that times out is a failed trial"


def _aggregator(
    pricing: Upstream, breaker: CircuitBreaker, policy: FanOutPolicy, telemetry: Telemetry
) -> ResilientAggregator:
    upstreams: dict[UpstreamName, Upstream] = {}
    for name in ("pricing", "inventory", "reviews"):
        if name == "pricing":
            upstreams[name] = _resilient(pricing, breaker, telemetry, policy.call_timeout)
        else:
            own = CircuitBreaker(name, failure_threshold=1, reset_timeout=RESET)
            upstreams[name] = _resilient(
                SimulatedUpstream(name), own, telemetry, policy.call_timeout
            )
    return ResilientAggregator(upstreams, policy, ThreadPoolExecutor(max_workers=1))


async def test_call_timeouts_through_the_fan_out_open_the_breaker() -> None:
    """The aggregator's own call timeout must not fire first and hide the timeout as a cancel."""
    clock, hanging, telemetry = Clock(), Hanging(), Telemetry()
    breaker = CircuitBreaker("pricing", failure_threshold=2, reset_timeout=RESET, clock=clock)
    aggregator = _aggregator(
        hanging, breaker, FanOutPolicy(call_timeout=0.02, deadline=1.0), telemetry
    )
    reasons = [
        [(d.upstream, d.reason) for d in (await aggregator.fetch("p-1")).degraded] for _ in range(3)
    ]
    assert reasons == [
        [("pricing", "timeout")],
        [("pricing", "timeout")],
        [("pricing", "circuit_open")],
    ]
    assert hanging.calls == 2


async def test_the_request_deadline_is_not_a_failure_of_the_upstream() -> None:
    clock, hanging, telemetry = Clock(), Hanging(), Telemetry()
    breaker = CircuitBreaker("pricing", failure_threshold=1, reset_timeout=RESET, clock=clock)
    policy = FanOutPolicy(call_timeout=1.0, deadline=0.02)
    aggregator = _aggregator(hanging, breaker, policy, telemetry)
    for _ in range(3):
        details = await aggregator.fetch("p-1")
        assert [(d.upstream, d.reason) for d in details.degraded] == [("pricing", "deadline")]
    assert breaker.state is BreakerState.CLOSED, "the deadline cut the call: not its failure"
    assert hanging.calls == 3
    assert _errors(telemetry, "pricing", "timeout") == 0.0
    assert _errors(telemetry, "pricing", "cancelled") == 3.0


async def test_a_cancelled_call_propagates_and_is_not_counted() -> None:
    clock, hanging, telemetry = Clock(), Hanging(), Telemetry()
    breaker = CircuitBreaker("pricing", failure_threshold=1, reset_timeout=RESET, clock=clock)
    upstream = _resilient(hanging, breaker, telemetry, call_timeout=1.0)
    task = asyncio.create_task(upstream.fetch("p-1"))
    await hanging.called.wait()  # the call is in flight
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert task.cancelled(), "the CancelledError must reach the task, not be swallowed"
    assert breaker.state is BreakerState.CLOSED, "a client that left is not a failure"
