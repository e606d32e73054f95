"""Exactly one ``product_feed`` effect per product, whatever the relay re-publishes and
whichever deliveries fail: a property over publish schedules, through the durable fake broker
(which runs the same port suite as JetStream) and the real ``product-feed`` subscriber."""

import asyncio
from uuid import UUID, uuid4

from hypothesis import given
from hypothesis import strategies as st

from catalog.adapters.in_memory import InMemoryDatabase
from catalog.adapters.in_memory_stream import InMemoryStream
from catalog.outbox.events import PRODUCT_CREATED
from catalog.outbox.subscribers import PRODUCT_FEED, product_feed_consumer
from catalog.ports import OutboxMessage

# Indices into a pool of 4 products' messages (a repeat: the relay published it again), and
# how many of the first deliveries the downstream fails.
publishes = st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=20)
failures = st.integers(min_value=0, max_value=6)


def _created(product_id: UUID) -> OutboxMessage:
    payload = f'{{"product": {{"id": "{product_id}"}}}}'
    return OutboxMessage(id=uuid4(), topic=PRODUCT_CREATED, payload=payload)


async def _run(schedule: list[int], failing: int) -> tuple[dict[UUID, int], set[UUID]]:
    products = [uuid4() for _ in range(4)]
    pool = [_created(product_id) for product_id in products]
    database = InMemoryDatabase()
    stream = InMemoryStream(redeliver_after=0.001)
    consumer = product_feed_consumer(database.unit_of_work)
    delivered = 0

    async def flaky(message: OutboxMessage) -> None:
        nonlocal delivered
        delivered += 1
        if delivered <= failing:
            raise TimeoutError("downstream timed out")
        await consumer(message)

    for index in schedule:
        await stream.publish(pool[index])
    expected = {products[index] for index in schedule}
    task = asyncio.create_task(stream.consume(PRODUCT_FEED, flaky))
    try:
        async with asyncio.timeout(10):
            while True:
                async with database.unit_of_work() as uow:
                    counts = await uow.feed.counts()
                if set(counts) == expected:
                    break
                await asyncio.sleep(0.001)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return counts, expected


@given(schedule=publishes, failing=failures)
def test_each_product_is_applied_exactly_once(schedule: list[int], failing: int) -> None:
    counts, expected = asyncio.run(_run(schedule, failing))
    assert counts == dict.fromkeys(expected, 1)
