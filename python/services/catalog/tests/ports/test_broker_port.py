"""The Broker port: the same suite against the in-memory stream and a real JetStream server.

Each test consumes in a background task and waits for what it expects (``_eventually``);
cancelling the task is how a consumer stops.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from uuid import uuid4

from catalog.adapters.in_memory import InMemoryDatabase
from catalog.outbox.events import PRODUCT_CREATED
from catalog.outbox.subscribers import product_feed_consumer
from catalog.ports import Broker, MessageHandler, OutboxMessage


def _message(n: int) -> OutboxMessage:
    body = f'{{"product": {{"id": "{uuid4()}"}}, "n": {n}, "é": "ü"}}'
    return OutboxMessage(id=uuid4(), topic=PRODUCT_CREATED, payload=body)


async def _eventually(check: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "not delivered in time"
        await asyncio.sleep(0.02)


@asynccontextmanager
async def _consuming(broker: Broker, durable: str, handler: MessageHandler) -> AsyncIterator[None]:
    task = asyncio.create_task(broker.consume(durable, handler))
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        if not task.cancelled():
            assert task.exception() is None, task.exception()


def _recorder(into: list[OutboxMessage]) -> Callable[[OutboxMessage], Awaitable[None]]:
    async def record(message: OutboxMessage) -> None:
        into.append(message)

    return record


async def test_a_published_message_is_consumed_exactly_as_published(broker: Broker) -> None:
    sent = [_message(n) for n in range(3)]
    for message in sent:
        await broker.publish(message)
    received: list[OutboxMessage] = []
    async with _consuming(broker, "reader", _recorder(received)):
        await _eventually(lambda: len(received) == 3)
    assert received == sent


async def test_a_failed_message_is_delivered_again(broker: Broker) -> None:
    first, second = _message(1), _message(2)
    attempts: list[OutboxMessage] = []

    async def fails_once(message: OutboxMessage) -> None:
        attempts.append(message)
        if attempts.count(message) == 1 and message == first:
            raise TimeoutError("downstream timed out")

    await broker.publish(first)
    await broker.publish(second)
    async with _consuming(broker, "flaky", fails_once):
        await _eventually(lambda: attempts.count(first) == 2 and second in attempts)


async def test_an_unacknowledged_message_is_delivered_again(broker: Broker) -> None:
    message = _message(1)
    await broker.publish(message)
    seen: list[OutboxMessage] = []

    async def hangs(received: OutboxMessage) -> None:
        seen.append(received)
        await asyncio.Event().wait()  # a consumer that dies mid-message never acks

    async with _consuming(broker, "crashing", hangs):
        await _eventually(lambda: seen == [message])
    received: list[OutboxMessage] = []
    async with _consuming(broker, "crashing", _recorder(received)):
        await _eventually(lambda: received == [message])


async def test_a_duplicate_message_id_is_kept_once(broker: Broker) -> None:
    message, marker = _message(1), _message(2)
    await broker.publish(message)
    await broker.publish(message)  # the relay crashed before mark-sent, and published again
    await broker.publish(marker)
    received: list[OutboxMessage] = []
    async with _consuming(broker, "reader", _recorder(received)):
        await _eventually(lambda: marker in received)
    assert received == [message, marker]


async def test_the_effect_is_applied_once_under_redelivery(broker: Broker) -> None:
    database = InMemoryDatabase()
    consumer = product_feed_consumer(database.unit_of_work)
    messages = [_message(n) for n in range(5)]
    calls: list[OutboxMessage] = []

    async def ack_lost_once(message: OutboxMessage) -> None:
        calls.append(message)
        await consumer(message)  # the effect commits...
        if calls.count(message) == 1:
            raise ConnectionError("...and the ack is lost: the broker delivers it again")

    for message in messages:
        await broker.publish(message)
    async with _consuming(broker, consumer.name, ack_lost_once):
        await _eventually(lambda: all(calls.count(m) == 2 for m in messages))
    async with database.unit_of_work() as uow:
        counts = await uow.feed.counts()
    assert sorted(counts.values()) == [1] * 5
