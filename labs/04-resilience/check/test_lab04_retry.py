"""Lab 4, steps 1-3: retries of idempotent calls only, with exponential backoff + jitter, and
never past the request's budget. A fake clock: ``sleep`` advances it, nothing really waits."""

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
import pytest

from catalog.resilience.retry import RetryPolicy, TransientError, call_with_retries

TODO = "resilience/retry.py, TODO(lab 4)"
POLICY = RetryPolicy(attempts=4, base_delay=0.1, max_delay=1.0, jitter=0.05)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Flaky:
    """Fails ``failures`` times with ``error``, then answers ``"ok"``."""

    def __init__(self, failures: int, error: BaseException | None = None) -> None:
        self.failures = failures
        self.error = error if error is not None else TransientError("503")
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "ok"


def _retry(
    clock: FakeClock, method: str = "GET", budget: float = 60.0, policy: RetryPolicy = POLICY
) -> Callable[[Flaky], Coroutine[Any, Any, str]]:
    async def run(call: Flaky) -> str:
        return await call_with_retries(
            call,
            method=method,
            policy=policy,
            time_left=lambda: budget - clock.now,
            sleep=clock.sleep,
        )

    return run


async def test_a_transient_failure_of_a_get_is_retried() -> None:
    clock, call = FakeClock(), Flaky(failures=2)
    assert await _retry(clock)(call) == "ok", f"a GET that fails twice then answers ({TODO} step 1)"
    assert call.calls == 3, f"expected 3 calls (2 failures + 1 success), got {call.calls} ({TODO})"


async def test_waits_grow_exponentially() -> None:
    clock, call = FakeClock(), Flaky(failures=3)
    await _retry(clock)(call)
    assert len(clock.sleeps) == 3, f"one wait between attempts, got {clock.sleeps} ({TODO})"
    for n, waited in enumerate(clock.sleeps):
        low = POLICY.base_delay * 2**n
        assert low <= waited <= low + POLICY.jitter + 1e-9, (
            f"wait {n + 1} was {waited:.3f} s; expected base_delay * 2**{n} = {low:.2f} s plus at "
            f"most {POLICY.jitter} s of jitter: retrying at once hammers a struggling upstream "
            f"({TODO} step 2: backoff)"
        )


async def test_waits_are_jittered() -> None:
    first_waits = set()
    for _ in range(20):
        clock = FakeClock()
        await _retry(clock)(Flaky(failures=1))
        first_waits.add(round(clock.sleeps[0], 6))
    assert len(first_waits) > 1, (
        f"20 clients failing together all waited exactly {first_waits}: they come back in "
        f"lockstep; add random jitter ({TODO} step 2)"
    )


async def test_gives_up_after_the_last_attempt() -> None:
    clock, call = FakeClock(), Flaky(failures=100)
    with pytest.raises(TransientError):
        await _retry(clock)(call)
    assert call.calls == POLICY.attempts, (
        f"expected exactly {POLICY.attempts} attempts, got {call.calls} ({TODO} step 1)"
    )


@pytest.mark.parametrize("method", ["POST", "PATCH"])
async def test_a_non_idempotent_call_is_never_retried(method: str) -> None:
    clock, call = FakeClock(), Flaky(failures=1)
    with pytest.raises(TransientError):
        await _retry(clock, method=method)(call)
    assert call.calls == 1, (
        f"a {method} was sent {call.calls} times: the upstream may have applied the first one "
        f"(e.g. charged a card) before failing; only idempotent methods are retried ({TODO} step 1)"
    )


async def test_a_permanent_error_is_not_retried() -> None:
    request = httpx.Request("GET", "http://upstream.test/pricing/1")
    not_found = httpx.HTTPStatusError(
        "404", request=request, response=httpx.Response(404, request=request)
    )
    clock, call = FakeClock(), Flaky(failures=1, error=not_found)
    with pytest.raises(httpx.HTTPStatusError):
        await _retry(clock)(call)
    assert call.calls == 1, f"a 404 will be a 404 again: do not retry it ({TODO} step 1)"


async def test_retries_stop_before_the_budget_runs_out() -> None:
    policy = RetryPolicy(attempts=10, base_delay=0.1, max_delay=10.0, jitter=0.0)
    clock, call = FakeClock(), Flaky(failures=100)
    with pytest.raises(TransientError):
        await _retry(clock, budget=0.25, policy=policy)(call)
    assert clock.now <= 0.25, (
        f"the retries slept {clock.now:.2f} s with a 0.25 s budget: a wait that does not fit in "
        f"what is left of the request's deadline must not start ({TODO} step 3: deadline)"
    )
    assert call.calls == 2, (
        f"waits 0.1 then 0.2 s with 0.25 s: the second wait does not fit, so 2 calls, "
        f"got {call.calls} ({TODO} step 3)"
    )


async def test_cancellation_is_not_retried() -> None:
    clock, call = FakeClock(), Flaky(failures=1, error=asyncio.CancelledError())
    with pytest.raises(asyncio.CancelledError):
        await _retry(clock)(call)
    assert call.calls == 1, f"a cancelled call (request gone) is never retried ({TODO})"
