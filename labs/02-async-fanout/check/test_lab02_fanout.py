"""Lab 2 acceptance checks: the fan-out's behaviour, measured with fake upstreams.

Every fake upstream has a known latency (or hangs, or fails), so the elapsed time of
``ProductDetailsAggregator.fetch`` tells how the calls were made: concurrently or one after
another, cut at their timeout or not, stopped at the deadline or not. Each failure names the
``TODO(lab 2)`` step of the README it is about. Run them with ``pnpm lab 2 check``.
"""

import asyncio
import contextlib
import time
from collections.abc import Awaitable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest

from catalog.fanout.aggregator import ProductDetailsAggregator
from catalog.fanout.model import Degraded, FanOutPolicy, ProductDetails
from catalog.fanout.upstreams import Upstream, UpstreamName, simulated_payload

T = TypeVar("T")
AGGREGATOR = "python/services/catalog/src/catalog/fanout/aggregator.py"


def todo(step: int, what: str) -> str:
    return f"{what} (README step {step}: see TODO(lab 2) step {step} in {AGGREGATOR})"


class InFlight:
    """Counts upstream calls running at the same time, across every fake that shares it."""

    def __init__(self) -> None:
        self.now = 0
        self.peak = 0
        self._moved = asyncio.Event()

    def enter(self) -> None:
        self.now += 1
        self.peak = max(self.peak, self.now)
        self._moved.set()

    async def reached(self, calls: int) -> None:
        """Return once ``calls`` calls are in flight together (a test's "they all started")."""
        while self.now < calls:
            self._moved.clear()
            await self._moved.wait()


class FakeUpstream:
    """Answers the simulated payload after ``latency`` seconds; or hangs; or fails."""

    def __init__(
        self,
        name: UpstreamName,
        *,
        latency: float = 0.0,
        hang: bool = False,
        fail: bool = False,
        in_flight: InFlight | None = None,
    ) -> None:
        self.name: UpstreamName = name
        self.latency = latency
        self.hang = hang
        self.fail = fail
        self.in_flight = in_flight or InFlight()
        self.started = 0
        self.cancelled = 0

    async def fetch(self, product_id: str) -> object:
        self.started += 1
        self.in_flight.enter()
        try:
            if self.hang:
                await asyncio.Event().wait()
            await asyncio.sleep(self.latency)
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        finally:
            self.in_flight.now -= 1
        if self.fail:
            raise RuntimeError(f"{self.name} is down")
        return simulated_payload(self.name, product_id)


def fakes(**overrides: FakeUpstream) -> dict[UpstreamName, FakeUpstream]:
    upstreams: dict[UpstreamName, FakeUpstream] = {
        "pricing": FakeUpstream("pricing"),
        "inventory": FakeUpstream("inventory"),
        "reviews": FakeUpstream("reviews"),
    }
    for name, fake in overrides.items():
        assert name in upstreams, name
        upstreams[fake.name] = fake
    return upstreams


def aggregator(
    upstreams: dict[UpstreamName, FakeUpstream],
    *,
    call_timeout: float = 2.0,
    deadline: float = 3.0,
    max_concurrency: int = 64,
) -> ProductDetailsAggregator:
    policy = FanOutPolicy(
        call_timeout=call_timeout, deadline=deadline, max_concurrency=max_concurrency
    )
    typed: dict[UpstreamName, Upstream] = dict(upstreams)
    # A thread pool stands in for the process pool: these tests use few reviews anyway.
    return ProductDetailsAggregator(typed, policy, ThreadPoolExecutor(max_workers=1))


async def timed(work: Awaitable[T], *, give_up_after: float, why: str) -> tuple[T, float]:
    """``work``'s result and how long it took; a fan-out that never answers fails the test."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(give_up_after):
            result = await work
    except TimeoutError:
        pytest.fail(f"no answer after {give_up_after} s: {why}")
    return result, time.perf_counter() - started


def other_tasks() -> set[asyncio.Task[object]]:
    return {task for task in asyncio.all_tasks() if task is not asyncio.current_task()}


async def test_the_three_upstreams_are_asked_at_the_same_time() -> None:
    upstreams = fakes(
        pricing=FakeUpstream("pricing", latency=0.2),
        inventory=FakeUpstream("inventory", latency=0.2),
        reviews=FakeUpstream("reviews", latency=0.2),
    )
    details, elapsed = await timed(
        aggregator(upstreams).fetch("p-1"), give_up_after=3, why=todo(1, "the fan-out hangs")
    )
    assert elapsed < 0.35, todo(
        1,
        f"three upstreams at 200 ms each took {elapsed * 1000:.0f} ms: about the sum, so they "
        "ran one after another; start them all in an asyncio.TaskGroup, then wait once",
    )
    assert details.degraded == (), todo(1, f"nothing was late, yet degraded={details.degraded}")
    assert details.pricing is not None
    assert details.inventory is not None
    assert details.reviews is not None


async def test_a_hung_upstream_is_degraded_at_its_call_timeout() -> None:
    upstreams = fakes(inventory=FakeUpstream("inventory", hang=True))
    details, elapsed = await timed(
        aggregator(upstreams, call_timeout=0.15, deadline=2.0).fetch("p-1"),
        give_up_after=3,
        why=todo(2, "an upstream that never answers must be cut by its call timeout"),
    )
    assert 0.14 <= elapsed < 0.3, todo(
        2,
        f"with a 150 ms call timeout the answer took {elapsed * 1000:.0f} ms; wrap each "
        "upstream call in `async with asyncio.timeout(policy.call_timeout)`",
    )
    assert details.degraded == (Degraded("inventory", "timeout"),), todo(
        2, f"a call cut by its own timeout is degraded 'timeout', got {details.degraded}"
    )
    assert details.pricing is not None, todo(2, "the other upstreams' parts must still be there")
    assert details.reviews is not None, todo(2, "the other upstreams' parts must still be there")
    assert upstreams["inventory"].cancelled == 1, todo(2, "the timed-out call must be cancelled")


async def test_a_failing_upstream_is_degraded_error() -> None:
    upstreams = fakes(pricing=FakeUpstream("pricing", fail=True))
    details, _ = await timed(
        aggregator(upstreams).fetch("p-1"), give_up_after=3, why=todo(1, "the fan-out hangs")
    )
    assert details.degraded == (Degraded("pricing", "error"),), todo(
        1, f"an upstream that raised is degraded 'error', got {details.degraded}"
    )
    assert details.pricing is None
    assert details.inventory is not None, todo(1, "one failure must not lose the other parts")


async def test_the_overall_deadline_is_honoured() -> None:
    upstreams = fakes(
        inventory=FakeUpstream("inventory", latency=1.0),
        reviews=FakeUpstream("reviews", hang=True),
    )
    details, elapsed = await timed(
        aggregator(upstreams, call_timeout=5.0, deadline=0.3).fetch("p-1"),
        give_up_after=6,
        why=todo(3, "the deadline must end the fan-out"),
    )
    # The deadline plus a margin for a busy machine; ignoring it costs 700 ms or more here.
    assert elapsed < 0.4, todo(
        3,
        f"with a 300 ms deadline the answer took {elapsed * 1000:.0f} ms; put the whole "
        "TaskGroup inside `async with asyncio.timeout(policy.deadline)`",
    )
    expected = (Degraded("inventory", "deadline"), Degraded("reviews", "deadline"))
    assert details.degraded == expected, todo(
        3,
        f"parts cut by the deadline are degraded 'deadline', got {details.degraded}; a part "
        "whose task was cancelled must not be reported as an error",
    )
    assert details.pricing is not None, todo(3, "the parts that arrived in time are kept")
    assert other_tasks() == set(), todo(
        3, f"tasks still running after the answer: {other_tasks()}; use a TaskGroup"
    )
    assert (upstreams["inventory"].cancelled, upstreams["reviews"].cancelled) == (1, 1), todo(
        3, "the calls cut by the deadline must be cancelled, not left running"
    )


async def test_cancelling_the_request_cancels_every_call_and_propagates() -> None:
    shared = InFlight()
    upstreams = fakes(
        pricing=FakeUpstream("pricing", hang=True, in_flight=shared),
        inventory=FakeUpstream("inventory", hang=True, in_flight=shared),
        reviews=FakeUpstream("reviews", hang=True, in_flight=shared),
    )
    request = asyncio.create_task(aggregator(upstreams, call_timeout=5, deadline=5).fetch("p-1"))
    # Cancel once every call is in flight (an event, not a sleep); a fan-out that asks one
    # upstream after another never gets there, and the asserts below say so.
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(2):
            await shared.reached(3)
    request.cancel()
    outcome: ProductDetails | BaseException
    try:
        async with asyncio.timeout(2):
            outcome = await request
    except asyncio.CancelledError as error:
        outcome = error
    except TimeoutError:
        pytest.fail(todo(5, "a cancelled request did not finish within 2 s"))
    assert isinstance(outcome, asyncio.CancelledError), todo(
        5,
        f"a cancelled request must end with CancelledError, but it returned {outcome!r}: "
        "never catch CancelledError (or BaseException) and carry on",
    )
    started = sum(fake.started for fake in upstreams.values())
    cancelled = sum(fake.cancelled for fake in upstreams.values())
    assert started == 3, todo(1, f"all three calls start at once; {started} had started")
    assert cancelled == 3, todo(5, f"every running call must be cancelled, {cancelled} of 3 were")
    assert other_tasks() == set(), todo(5, f"tasks outlived the request: {other_tasks()}")


async def test_the_bound_on_calls_in_flight_is_shared_by_all_requests() -> None:
    shared = InFlight()
    upstreams = fakes(
        pricing=FakeUpstream("pricing", latency=0.05, in_flight=shared),
        inventory=FakeUpstream("inventory", latency=0.05, in_flight=shared),
        reviews=FakeUpstream("reviews", latency=0.05, in_flight=shared),
    )
    fan_out = aggregator(upstreams, max_concurrency=2)
    results, _ = await timed(
        asyncio.gather(*(fan_out.fetch(f"p-{i}") for i in range(4))),
        give_up_after=5,
        why=todo(4, "four requests through a bound of 2 must still finish"),
    )
    assert shared.peak <= 2, todo(
        4,
        f"max_concurrency=2, yet {shared.peak} upstream calls ran at once over 4 requests; "
        "one asyncio.Semaphore, created once in __init__, around every call",
    )
    assert shared.peak == 2, todo(1, f"calls must overlap up to the bound; peak was {shared.peak}")
    assert all(result.degraded == () for result in results), todo(
        4, "waiting for a slot is not a failure"
    )
