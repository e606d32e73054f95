"""Lab 2 acceptance checks: review scoring is CPU work and must not block the event loop.

A ticker task records how long the loop goes without running it while the catalog summarises
many reviews. Run inline, the summary holds the loop for the whole computation; sent to a
process pool with ``loop.run_in_executor``, the loop keeps ticking.
"""

import asyncio
import multiprocessing
import random
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest

from catalog.fanout.aggregator import ProductDetailsAggregator
from catalog.fanout.model import FanOutPolicy
from catalog.fanout.reviews import Review, summarise_reviews
from catalog.fanout.upstreams import SimulatedUpstream, Upstream, UpstreamName

AGGREGATOR = "python/services/catalog/src/catalog/fanout/aggregator.py"
TODO6 = f"README step 6: see TODO(lab 2) step 6 in {AGGREGATOR}"


def many_distinct_reviews(count: int) -> list[dict[str, object]]:
    rng = random.Random(7)
    vocabulary = [f"word{i}" for i in range(5000)]
    return [
        {
            "rating": rng.randint(1, 5),
            "text": " ".join(rng.choices(vocabulary, k=12)),
            "helpful": rng.randrange(0, 40),
            "unhelpful": rng.randrange(0, 10),
        }
        for _ in range(count)
    ]


class ManyReviews:
    def __init__(self, reviews: list[dict[str, object]]) -> None:
        self.reviews = reviews

    async def fetch(self, product_id: str) -> object:
        return {"reviews": self.reviews}


@pytest.fixture(scope="module")
def process_pool() -> Iterator[ProcessPoolExecutor]:
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    pool.submit(summarise_reviews, []).result()  # start the worker before anything is timed
    yield pool
    pool.shutdown()


async def test_scoring_many_reviews_does_not_block_the_event_loop(
    process_pool: ProcessPoolExecutor,
) -> None:
    raw = many_distinct_reviews(1500)
    upstreams: dict[UpstreamName, Upstream] = {
        "pricing": SimulatedUpstream("pricing"),
        "inventory": SimulatedUpstream("inventory"),
        "reviews": ManyReviews(raw),
    }
    policy = FanOutPolicy(call_timeout=10, deadline=20)
    fan_out = ProductDetailsAggregator(upstreams, policy, process_pool)

    longest_gap = 0.0

    async def ticker() -> None:
        nonlocal longest_gap
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            longest_gap = max(longest_gap, now - last)
            last = now

    ticking = asyncio.create_task(ticker())
    await asyncio.sleep(0.02)
    started = time.perf_counter()
    details = await fan_out.fetch("p-1")
    elapsed = time.perf_counter() - started
    await asyncio.sleep(0.02)  # let the ticker see the gap, if there was one
    ticking.cancel()
    with pytest.raises(asyncio.CancelledError):
        await ticking

    assert details.reviews is not None, f"the reviews part is missing: {details.degraded}"
    assert (details.reviews.count, details.reviews.duplicates) == (1500, 0)
    # Inline, the loop stands still for the whole computation (gap ≈ elapsed). In a pool it
    # only waits; on a busy machine it may still miss a few ticks, hence the two bounds.
    assert longest_gap < 0.1 or longest_gap < elapsed / 2, (
        f"the event loop stood still for {longest_gap * 1000:.0f} ms of the "
        f"{elapsed * 1000:.0f} ms the request took: the review summary ran on the loop. "
        f"Run summarise_reviews in the process pool with loop.run_in_executor ({TODO6})"
    )


async def test_the_summary_is_the_pure_functions_answer() -> None:
    raw = many_distinct_reviews(30)
    raw.append(dict(raw[0]))  # an exact duplicate
    upstreams: dict[UpstreamName, Upstream] = {
        "pricing": SimulatedUpstream("pricing"),
        "inventory": SimulatedUpstream("inventory"),
        "reviews": ManyReviews(raw),
    }
    fan_out = ProductDetailsAggregator(upstreams, FanOutPolicy(), ThreadPoolExecutor(1))
    details = await fan_out.fetch("p-1")
    reviews = [
        Review(
            rating=int(str(r["rating"])),
            text=str(r["text"]),
            helpful=int(str(r["helpful"])),
            unhelpful=int(str(r["unhelpful"])),
        )
        for r in raw
    ]
    assert details.reviews == summarise_reviews(reviews), (
        f"the reviews part must be summarise_reviews(...) of the upstream's reviews ({TODO6})"
    )
    assert details.reviews is not None
    assert details.reviews.duplicates == 1
