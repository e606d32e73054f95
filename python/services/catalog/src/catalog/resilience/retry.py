"""Retries with exponential backoff and jitter, for idempotent calls only (lab 4).

A retry repeats a request the upstream may already have applied. That is safe only when
applying it twice has the effect of applying it once: an *idempotent* method (RFC 9110,
section 9.2.2: GET, HEAD, OPTIONS, PUT, DELETE). A POST is sent once, whatever happens.

Between attempts the caller waits ``base_delay * 2**n`` plus a random jitter (tenacity's
``wait_exponential_jitter``): exponential so a struggling upstream gets room, jittered so a
thousand clients that failed together do not come back together. The retries never outlive
the request: before each wait, ``time_left()`` says how much of the budget remains, and when
the wait would not fit, the last error is raised at once.

``sleep`` and ``time_left`` are parameters so tests drive them with a fake clock.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)
from tenacity.stop import stop_base

T = TypeVar("T")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """At most ``attempts`` calls; waits of ``base_delay * 2**n`` (capped at ``max_delay``)
    plus up to ``jitter`` seconds."""

    attempts: int = 3
    base_delay: float = 0.02
    max_delay: float = 0.2
    jitter: float = 0.02

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if self.base_delay <= 0 or self.max_delay < self.base_delay or self.jitter < 0:
            raise ValueError("need 0 < base_delay <= max_delay and jitter >= 0")


def is_transient(error: BaseException) -> bool:
    """Worth another try: the connection failed, or the upstream said "not now" (5xx, 429).

    Only ``Exception``s: a ``CancelledError`` (request gone, deadline passed) is never retried.
    """
    if isinstance(error, httpx.TransportError):
        return True
    if isinstance(error, httpx.HTTPStatusError):
        status = error.response.status_code
        return status >= 500 or status == 429
    return isinstance(error, TransientError)


class TransientError(Exception):
    """A failure the caller may retry (simulated upstreams and tests raise it)."""


class _out_of_time(stop_base):  # noqa: N801 # tenacity's naming for stop conditions
    """Stop when the next wait would not fit in what is left of the budget."""

    def __init__(self, time_left: Callable[[], float]) -> None:
        self._time_left = time_left

    def __call__(self, retry_state: RetryCallState) -> bool:
        return retry_state.upcoming_sleep >= self._time_left()


async def call_with_retries(
    call: Callable[[], Awaitable[T]],
    *,
    method: str,
    policy: RetryPolicy,
    time_left: Callable[[], float],
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """``await call()``, retried on transient errors if ``method`` is idempotent."""
    if method.upper() not in IDEMPOTENT_METHODS:
        return await call()
    # Fast path: most calls succeed at once, and tenacity's machinery costs more than such a
    # call. Only a failed first attempt builds the AsyncRetrying below, which replays that
    # failure as its own first attempt: same waits, same stops, same decisions as without it.
    try:
        return await call()
    except Exception as error:  # tenacity below decides, as for any attempt
        first_failure: Exception | None = error
    retrying = AsyncRetrying(
        stop=stop_after_attempt(policy.attempts) | _out_of_time(time_left),
        wait=wait_exponential_jitter(
            multiplier=policy.base_delay, max=policy.max_delay, jitter=policy.jitter
        ),
        retry=retry_if_exception(is_transient),
        sleep=sleep,
        reraise=True,
    )

    async def attempt() -> T:
        nonlocal first_failure
        if first_failure is not None:
            failure, first_failure = first_failure, None
            raise failure
        return await call()

    return await retrying(attempt)
