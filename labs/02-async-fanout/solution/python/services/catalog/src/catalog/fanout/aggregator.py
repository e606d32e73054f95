"""Fan-out/fan-in: one product view from three upstreams, concurrently and on a time budget.

``ProductDetailsAggregator.fetch`` asks pricing, inventory and reviews at the same time, inside
an ``asyncio.TaskGroup``, so the answer takes as long as the slowest upstream, not the sum.

- Each call has its own timeout (``policy.call_timeout``): a late upstream is reported as
  degraded ``timeout`` and the others still count.
- The whole fan-out has one deadline (``policy.deadline``): when it passes, the TaskGroup
  cancels the parts still running, waits for them, and they are reported as ``deadline``.
- A semaphore shared by every request bounds the upstream calls in flight
  (``policy.max_concurrency``); waiting for a slot counts against the deadline only. The
  bound protects the upstream, so it counts what the upstream still serves: a call given up
  on keeps its slot until the upstream has let go of it (the adapter returns only once the
  connection is closed and the upstream has seen it end).
- Failures are data (``degraded``), but cancellation is not a failure: ``CancelledError`` is
  never caught here, so a cancelled request (client gone, server shutting down) stops every
  part and no task outlives it.
- Summarising many reviews is CPU work; it runs in a process pool so the event loop keeps
  serving other requests meanwhile.
"""

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from dataclasses import replace
from typing import TypeVar

from catalog.fanout.model import FanOutPolicy, ProductDetails, Reason, degraded_parts
from catalog.fanout.reviews import Review, ReviewSummary, summarise_reviews
from catalog.fanout.upstreams import (
    InventoryInfo,
    PricingInfo,
    ReviewsPayload,
    UpstreamName,
    Upstreams,
)

T = TypeVar("T")

# Below this many reviews the work takes less time than shipping it to another process.
OFFLOAD_MIN_REVIEWS = 200


class ProductDetailsAggregator:
    """One per application: its semaphore bounds the calls of all requests together."""

    def __init__(self, upstreams: Upstreams, policy: FanOutPolicy, cpu_pool: Executor) -> None:
        self._upstreams = upstreams
        self._policy = policy
        self._cpu_pool = cpu_pool
        self._slots = asyncio.Semaphore(policy.max_concurrency)

    async def fetch(self, product_id: str) -> ProductDetails:
        """Every part that arrived in time; the others are listed in ``degraded``."""
        reasons: dict[UpstreamName, Reason] = {}
        try:
            async with asyncio.timeout(self._policy.deadline):
                async with asyncio.TaskGroup() as group:
                    pricing = group.create_task(
                        self._part("pricing", reasons, lambda: self._pricing(product_id))
                    )
                    inventory = group.create_task(
                        self._part("inventory", reasons, lambda: self._inventory(product_id))
                    )
                    reviews = group.create_task(
                        self._part("reviews", reasons, lambda: self._reviews(product_id))
                    )
        except TimeoutError:
            # The deadline passed. Leaving the TaskGroup has already cancelled the parts that
            # were still running and waited for them, so nothing is left behind.
            pass
        details = ProductDetails(
            pricing=_settled(pricing, "pricing", reasons),
            inventory=_settled(inventory, "inventory", reasons),
            reviews=_settled(reviews, "reviews", reasons),
        )
        return replace(details, degraded=degraded_parts(reasons))

    async def _part(
        self,
        name: UpstreamName,
        reasons: dict[UpstreamName, Reason],
        work: Callable[[], Awaitable[T]],
    ) -> T | None:
        """Run one part; a timeout or an error becomes a reason, cancellation propagates."""
        try:
            return await work()
        except TimeoutError:
            reasons[name] = "timeout"
        except Exception:
            # Exception, not BaseException: CancelledError must reach the TaskGroup.
            reasons[name] = "error"
        return None

    async def _call(self, name: UpstreamName, product_id: str) -> object:
        """One upstream call: wait for a slot, then at most ``call_timeout`` seconds.

        The slot is held around the timeout: a timed-out call is cancelled inside it and
        gives the slot back only when the upstream has let go of the call."""
        async with self._slots:
            async with asyncio.timeout(self._policy.call_timeout):
                return await self._upstreams[name].fetch(product_id)

    async def _pricing(self, product_id: str) -> PricingInfo:
        return PricingInfo.model_validate(await self._call("pricing", product_id))

    async def _inventory(self, product_id: str) -> InventoryInfo:
        return InventoryInfo.model_validate(await self._call("inventory", product_id))

    async def _reviews(self, product_id: str) -> ReviewSummary:
        payload = ReviewsPayload.model_validate(await self._call("reviews", product_id))
        reviews = [
            Review(rating=r.rating, text=r.text, helpful=r.helpful, unhelpful=r.unhelpful)
            for r in payload.reviews
        ]
        if len(reviews) < OFFLOAD_MIN_REVIEWS:
            return summarise_reviews(reviews)
        # The pool's worker runs the pure function on a copy of the data; the loop waits on a
        # future and serves other requests meanwhile.
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._cpu_pool, summarise_reviews, reviews)


def _settled(
    task: asyncio.Task[T | None], name: UpstreamName, reasons: dict[UpstreamName, Reason]
) -> T | None:
    """The part's value; a part the deadline cancelled is recorded as ``deadline``."""
    if task.cancelled():
        reasons.setdefault(name, "deadline")
        return None
    return task.result()
