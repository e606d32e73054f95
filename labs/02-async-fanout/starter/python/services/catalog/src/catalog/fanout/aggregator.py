"""Fan-out/fan-in: one product view from three upstreams, concurrently and on a time budget.

``ProductDetailsAggregator.fetch`` asks pricing, inventory and reviews for their part of a
product view. This starter works, but naively: it asks one upstream after the other, waits
as long as an upstream takes (forever, if it hangs), lets any number of calls run at once
and scores reviews on the event loop. Lab 2 (labs/02-async-fanout/README.md) fixes each of
these; every step is marked ``TODO(lab 2) step N`` below.

Rules that already hold and must keep holding: failures are data (``degraded``), but
cancellation is not a failure, so ``CancelledError`` is never caught here.
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
        # TODO(lab 2) step 4: one asyncio.Semaphore(policy.max_concurrency), created here
        # (once per application), so the bound holds across all requests.

    async def fetch(self, product_id: str) -> ProductDetails:
        """Every part that arrived in time; the others are listed in ``degraded``."""
        reasons: dict[UpstreamName, Reason] = {}
        # TODO(lab 2) step 1: start the three parts at once in an asyncio.TaskGroup
        # (group.create_task(self._part(...))) and read each task's result after the group.
        # TODO(lab 2) step 3: put the TaskGroup inside `async with asyncio.timeout(...)` with
        # the policy's deadline; catch the TimeoutError it raises (only that) and report every
        # part whose task was cancelled as "deadline" (see _settled below).
        pricing = await self._part("pricing", reasons, lambda: self._pricing(product_id))
        inventory = await self._part("inventory", reasons, lambda: self._inventory(product_id))
        reviews = await self._part("reviews", reasons, lambda: self._reviews(product_id))
        details = ProductDetails(pricing=pricing, inventory=inventory, reviews=reviews)
        return replace(details, degraded=degraded_parts(reasons))

    async def _part(
        self,
        name: UpstreamName,
        reasons: dict[UpstreamName, Reason],
        work: Callable[[], Awaitable[T]],
    ) -> T | None:
        """Run one part; a timeout or an error becomes a reason, cancellation propagates."""
        # TODO(lab 2) step 5: a call cut by its own timeout raises TimeoutError: record it as
        # "timeout". Keep catching Exception, never BaseException: CancelledError must reach
        # the TaskGroup, or a cancelled request would go on running.
        try:
            return await work()
        except Exception:
            reasons[name] = "error"
        return None

    async def _call(self, name: UpstreamName, product_id: str) -> object:
        """One upstream call."""
        # TODO(lab 2) step 4: wait for a slot of the semaphore (`async with`) first, and hold
        # it until the call has returned, also when it was given up on (README, step 4).
        # TODO(lab 2) step 2: then give the call at most policy.call_timeout seconds
        # (`async with asyncio.timeout(...)`).
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
        # TODO(lab 2) step 6: this holds the event loop for the whole computation. Run it in
        # self._cpu_pool instead: `await asyncio.get_running_loop().run_in_executor(...)`.
        return summarise_reviews(reviews)


def _settled(
    task: asyncio.Task[T | None], name: UpstreamName, reasons: dict[UpstreamName, Reason]
) -> T | None:
    """The part's value; a part the deadline cancelled is recorded as ``deadline``."""
    if task.cancelled():
        reasons.setdefault(name, "deadline")
        return None
    return task.result()
