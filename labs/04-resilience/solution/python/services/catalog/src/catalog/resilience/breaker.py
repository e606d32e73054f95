"""A circuit breaker per upstream (lab 4).

closed     calls go through; each failure counts, a success resets the count.
open       after ``failure_threshold`` failures in a row: calls fail at once with
           ``CircuitOpenError`` (the part is degraded ``circuit_open``), the upstream rests.
half-open  once ``reset_timeout`` seconds have passed: ONE trial call goes through (others
           still fail fast). Success closes the breaker; failure opens it for another
           ``reset_timeout``.

Small on purpose (see DESIGN.md, 2026-11-25): async-native, a clock you can pass in (tests
use a fake one), and a callback on every state change (the metrics gauge, a log line).
A timeout is a failure: the per-call timeout runs inside ``call`` and reaches it as a
``TimeoutError`` (an ``Exception``). Cancellation (the request's deadline, the client gone) is
neither a success nor a failure: it only gives the half-open trial back, and is re-raised.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import TypeVar

T = TypeVar("T")


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitOpenError(Exception):
    """The breaker is open: the call was not made."""

    def __init__(self, name: str) -> None:
        super().__init__(f"circuit of {name!r} is open")
        self.name = name


class CircuitBreaker:
    def __init__(
        self,
        name: str,
        *,
        failure_threshold: int = 5,
        reset_timeout: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[str, BreakerState], None] | None = None,
    ) -> None:
        if failure_threshold < 1 or reset_timeout <= 0:
            raise ValueError("need failure_threshold >= 1 and reset_timeout > 0")
        self.name = name
        self._threshold = failure_threshold
        self._reset_timeout = reset_timeout
        self._clock = clock
        self._on_change = on_change
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_in_flight = False
        self._reported = BreakerState.CLOSED

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._clock() - self._opened_at >= self._reset_timeout:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    async def call(self, work: Callable[[], Awaitable[T]]) -> T:
        """``await work()`` through the breaker; ``CircuitOpenError`` when it may not run."""
        state = self.state
        busy = state is BreakerState.HALF_OPEN and self._trial_in_flight
        if state is BreakerState.OPEN or busy:
            raise CircuitOpenError(self.name)
        trial = state is BreakerState.HALF_OPEN
        self._trial_in_flight = self._trial_in_flight or trial
        try:
            result = await work()
        except asyncio.CancelledError:
            raise
        except Exception:
            self._record_failure()
            raise
        finally:
            if trial:
                self._trial_in_flight = False
        self._record_success()
        return result

    def _record_failure(self) -> None:
        self._failures += 1
        if self.state is BreakerState.HALF_OPEN or self._failures >= self._threshold:
            self._opened_at = self._clock()
        self._report()

    def _record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._report()

    def _report(self) -> None:
        state = self.state
        if state is not self._reported:
            self._reported = state
            if self._on_change is not None:
                self._on_change(self.name, state)
