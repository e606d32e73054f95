"""The resilient upstream adapter and the aggregator that reports open breakers (lab 4).

``ResilientUpstream`` wraps one ``Upstream``: a span per call, the breaker around the whole
call, the per-call timeout and the retries of the idempotent GET inside it (one failure for
the breaker is one call whose retries all failed, or that ran out of its ``call_timeout``),
and an error counter by upstream and reason.

The per-call timeout sits INSIDE the breaker, so the breaker sees it as what it is: a
``TimeoutError``, a failure of that upstream. A timeout around the breaker would reach it as
a ``CancelledError`` (that is how ``asyncio.timeout`` interrupts the code inside it), which
the breaker must ignore: the request's deadline passing or the client leaving is not the
upstream's fault. Those cancellations still go through, never swallowed.

``ResilientAggregator`` is lab 2's aggregator plus a budget: it records when the request's
deadline falls (retries must stop before it), lets each ``ResilientUpstream`` time its calls
out first (lab 2's call timeout becomes a backstop), and turns the ``error`` of a part whose
breaker was open into ``circuit_open``.
"""

import asyncio
import contextvars
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace

from opentelemetry.trace import Status, StatusCode

from catalog.fanout.aggregator import ProductDetailsAggregator
from catalog.fanout.model import Degraded, FanOutPolicy, ProductDetails
from catalog.fanout.upstreams import Upstream, UpstreamName, Upstreams
from catalog.observability import Telemetry
from catalog.resilience.breaker import CircuitBreaker, CircuitOpenError
from catalog.resilience.retry import RetryPolicy, call_with_retries

# How much later than a ResilientUpstream's own call timeout the aggregator's fires.
CALL_TIMEOUT_BACKSTOP = 0.05


@dataclass(slots=True)
class _Budget:
    deadline_at: float
    short_circuited: set[str] = field(default_factory=set)


# Set per request by ResilientAggregator.fetch; the TaskGroup's tasks inherit a copy of the
# context, and share the one _Budget object it points at.
_budget: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar(
    "catalog_budget", default=None
)


@dataclass(slots=True)
class ResilientUpstream:
    name: UpstreamName
    inner: Upstream
    breaker: CircuitBreaker
    retry: RetryPolicy
    call_timeout: float
    telemetry: Telemetry

    async def fetch(self, product_id: str) -> object:
        loop = asyncio.get_running_loop()
        call_ends_at = loop.time() + self.call_timeout
        ends_at = call_ends_at
        budget = _budget.get()
        if budget is not None:
            ends_at = min(ends_at, budget.deadline_at)

        def time_left() -> float:
            return ends_at - loop.time()

        async def attempts() -> object:
            # The call timeout only: it raises TimeoutError here, inside the breaker (a
            # failure). The request's deadline stays the aggregator's; it cancels (no failure).
            async with asyncio.timeout_at(call_ends_at):
                return await call_with_retries(
                    lambda: self.inner.fetch(product_id),
                    method="GET",
                    policy=self.retry,
                    time_left=time_left,
                )

        with self.telemetry.tracer.start_as_current_span(f"upstream {self.name}") as span:
            span.set_attribute("catalog.upstream", self.name)
            span.set_attribute("catalog.product_id", product_id)
            try:
                return await self.breaker.call(attempts)
            except CircuitOpenError:
                if budget is not None:
                    budget.short_circuited.add(self.name)
                self._failed(span, "circuit_open")
                raise
            except TimeoutError:
                self._failed(span, "timeout")
                raise
            except asyncio.CancelledError:
                # The deadline passed or the client left: recorded, never swallowed.
                self._failed(span, "cancelled")
                raise
            except Exception:
                self._failed(span, "error")
                raise

    def _failed(self, span: object, reason: str) -> None:
        self.telemetry.upstream_errors.labels(self.name, reason).inc()
        set_status = getattr(span, "set_status", None)
        if set_status is not None:
            set_status(Status(StatusCode.ERROR, reason))


class ResilientAggregator(ProductDetailsAggregator):
    def __init__(self, upstreams: Upstreams, policy: FanOutPolicy, cpu_pool: Executor) -> None:
        # Each ResilientUpstream applies the call timeout itself, inside its breaker. Lab 2's
        # own call timeout stays as a backstop, a little later: firing first, it would reach
        # the breaker as a cancellation and hide the timeout from it.
        backstop = replace(policy, call_timeout=policy.call_timeout + CALL_TIMEOUT_BACKSTOP)
        super().__init__(upstreams, backstop, cpu_pool)

    async def fetch(self, product_id: str) -> ProductDetails:
        budget = _Budget(asyncio.get_running_loop().time() + self._policy.deadline)
        token = _budget.set(budget)
        try:
            details = await super().fetch(product_id)
        finally:
            _budget.reset(token)
        if not budget.short_circuited:
            return details
        return replace(
            details,
            degraded=tuple(
                Degraded(d.upstream, "circuit_open")
                if d.upstream in budget.short_circuited and d.reason == "error"
                else d
                for d in details.degraded
            ),
        )
