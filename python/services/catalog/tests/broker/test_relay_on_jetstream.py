"""The relay and the product-feed consumer against a real nats-server that stops, dies and
comes back: a row is marked sent only after the broker's ack, and every committed product
ends with exactly one effect."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

import pytest

from catalog.adapters.jetstream import BrokerError, JetStreamBroker, JetStreamSettings
from catalog.entrypoints.outbox_runner import drain_outbox
from catalog.outbox.consumer import IdempotentConsumer
from catalog.outbox.relay import OutboxRelay
from catalog.outbox.subscribers import PRODUCT_FEED, apply_to_product_feed, product_feed_consumer
from catalog.ports import MessageHandler, OutboxMessage, UnitOfWork, UnitOfWorkFactory

AddProducts = Callable[[UnitOfWorkFactory, int], Awaitable[set[UUID]]]
Eventually = Callable[[Callable[[], Awaitable[bool]]], Awaitable[None]]

FAST = JetStreamSettings(publish_timeout=1.0, ack_wait=2.0, nak_delay=0.1, fetch_wait=0.2)


async def _pending(units: UnitOfWorkFactory) -> int:
    async with units() as uow:
        return len(await uow.outbox.pending(10_000))


async def _feed(units: UnitOfWorkFactory) -> dict[UUID, int]:
    async with units() as uow:
        return await uow.feed.counts()


@asynccontextmanager
async def _broker(url: str) -> AsyncIterator[JetStreamBroker]:
    broker = await JetStreamBroker.connect(url, FAST)
    try:
        yield broker
    finally:
        await broker.close()


@asynccontextmanager
async def _consuming(broker: JetStreamBroker, handler: MessageHandler) -> AsyncIterator[None]:
    task = asyncio.create_task(broker.consume(PRODUCT_FEED, handler))
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        # A consumer that died early shows only as a timeout in the test: name its error.
        if not task.cancelled() and task.exception() is not None:
            raise AssertionError("the consumer stopped on its own") from task.exception()


async def _drained(relay: OutboxRelay) -> bool:
    """One relay round as the process runs it: a refused publish means "not yet"."""
    try:
        await drain_outbox(relay)
    except BrokerError:
        return False
    return True


async def test_rows_stay_pending_until_the_broker_acks(
    nats_server: Any, units: UnitOfWorkFactory, add_products: AddProducts, eventually: Eventually
) -> None:
    created = await add_products(units, 3)
    async with _broker(nats_server.url) as broker:
        relay = OutboxRelay(units, broker)
        nats_server.stop()
        with pytest.raises(BrokerError, match="not acknowledged"):
            await relay.run_once()
        assert await _pending(units) == 3, "a row was marked sent without the broker's ack"
        nats_server.start()  # same port and store: the client reconnects by itself
        await eventually(lambda: _drained(relay))
        assert await _pending(units) == 0
        async with _consuming(broker, product_feed_consumer(units)):
            await eventually(lambda: _has_feed(units, created))


async def _has_feed(units: UnitOfWorkFactory, created: set[UUID]) -> bool:
    counts = await _feed(units)
    assert all(n == 1 for n in counts.values()), counts
    return set(counts) == created


async def test_an_effect_that_fails_first_is_applied_once_on_redelivery(
    nats_server: Any, units: UnitOfWorkFactory, add_products: AddProducts, eventually: Eventually
) -> None:
    created = await add_products(units, 4)
    attempts: list[UUID] = []

    async def fails_first(uow: UnitOfWork, message: OutboxMessage) -> None:
        attempts.append(message.id)
        await apply_to_product_feed(uow, message)
        if attempts.count(message.id) == 1:
            raise TimeoutError("the downstream timed out after the effect was written")

    async with _broker(nats_server.url) as broker:
        await drain_outbox(OutboxRelay(units, broker))
        async with _consuming(broker, IdempotentConsumer(PRODUCT_FEED, units, fails_first)):
            await eventually(lambda: _has_feed(units, created))
    assert len(attempts) == 8, "each message: one failed attempt, rolled back, then applied"


async def test_nothing_is_lost_when_the_broker_is_killed(
    nats_server: Any, units: UnitOfWorkFactory, add_products: AddProducts, eventually: Eventually
) -> None:
    created = await add_products(units, 20)
    async with _broker(nats_server.url) as broker:
        relay = OutboxRelay(units, broker)
        async with _consuming(broker, product_feed_consumer(units)):
            await drain_outbox(relay)
            nats_server.kill()  # SIGKILL: acknowledged messages must be on disk already
            created |= await add_products(units, 20)
            nats_server.start()
            await eventually(lambda: _drained(relay))
            await eventually(lambda: _has_feed(units, created))
    assert len(created) == 40


async def test_a_consumer_started_during_an_outage_binds_when_the_broker_is_back(
    nats_server: Any, units: UnitOfWorkFactory, add_products: AddProducts, eventually: Eventually
) -> None:
    created = await add_products(units, 3)
    async with _broker(nats_server.url) as broker:
        nats_server.stop()
        async with _consuming(broker, product_feed_consumer(units)):
            await asyncio.sleep(0.5)  # the consumer tries to bind while nobody answers
            nats_server.start()
            await eventually(lambda: _drained(OutboxRelay(units, broker)))
            await eventually(lambda: _has_feed(units, created))
