"""Lab 3, steps 4-5: the relay publishes at least once; the consumer applies each message
once (behaviour against a real SQLite file and the in-process fake broker)."""

from pathlib import Path

import pytest

from catalog import use_cases
from catalog.adapters.in_memory import InMemoryBroker
from catalog.adapters.sqlite import create_schema
from catalog.adapters.sqlite_unit_of_work import SqliteUnitOfWork
from catalog.domain.money import Money
from catalog.outbox.consumer import IdempotentConsumer
from catalog.outbox.relay import OutboxRelay
from catalog.ports import OutboxMessage, UnitOfWork, UnitOfWorkFactory

RELAY_TODO = "outbox/relay.py, TODO(lab 3) step 4"
CONSUMER_TODO = "outbox/consumer.py, TODO(lab 3) step 5"
PRICE = Money(amount_minor=1250, currency="EUR")


@pytest.fixture
def units(tmp_path: Path) -> UnitOfWorkFactory:
    path = tmp_path / "catalog.sqlite3"
    create_schema(path)
    return lambda: SqliteUnitOfWork(path)


class _Effects:
    """The consumer's effect: one entry per message applied."""

    def __init__(self) -> None:
        self.applied: list[OutboxMessage] = []

    async def __call__(self, uow: UnitOfWork, message: OutboxMessage) -> None:
        self.applied.append(message)


async def _pending(units: UnitOfWorkFactory) -> list[OutboxMessage]:
    async with units() as uow:
        return await uow.outbox.pending(100)


async def _two_products(units: UnitOfWorkFactory) -> None:
    await use_cases.create_product(units(), sku="MUG-001", name="Mug", price=PRICE)
    await use_cases.create_product(units(), sku="CUP-002", name="Cup", price=PRICE)
    assert len(await _pending(units)) == 2, "lab 3 step 3 first: writes must record events"


async def test_the_relay_publishes_pending_events_and_marks_them_sent(
    units: UnitOfWorkFactory,
) -> None:
    await _two_products(units)
    broker = InMemoryBroker()
    relay = OutboxRelay(units, broker)
    first = await relay.run_once()
    assert [m.topic for m in broker.delivered] == ["product.created"] * 2, (
        f"run_once() must publish every pending message, oldest first ({RELAY_TODO})"
    )
    assert first == 2
    assert await _pending(units) == [], f"published messages must be marked sent ({RELAY_TODO})"
    assert await relay.run_once() == 0
    assert len(broker.delivered) == 2, "a message marked sent must not be published again"


class _BrokerDownOnce(InMemoryBroker):
    """Refuses the first publish (nothing delivered), then works."""

    def __init__(self) -> None:
        super().__init__()
        self.refused = 0

    async def publish(self, message: OutboxMessage) -> None:
        if self.refused == 0:
            self.refused += 1
            raise ConnectionError("broker unavailable")
        await super().publish(message)


async def test_an_event_survives_a_failed_publish(units: UnitOfWorkFactory) -> None:
    await _two_products(units)
    broker = _BrokerDownOnce()
    relay = OutboxRelay(units, broker)
    with pytest.raises(ConnectionError):
        await relay.run_once()
    await relay.run_once()
    assert len({m.id for m in broker.delivered}) == 2, (
        f"a message whose publish failed must stay pending and go out on the next run; "
        f"{len(broker.delivered)} of 2 were delivered: was it marked sent BEFORE publishing? "
        f"({RELAY_TODO})"
    )


class _CrashAfterPublishOnce(InMemoryBroker):
    """Delivers, then 'crashes' before the relay can mark the message sent (once)."""

    def __init__(self) -> None:
        super().__init__()
        self.crashed = False

    async def publish(self, message: OutboxMessage) -> None:
        await super().publish(message)
        if not self.crashed:
            self.crashed = True
            raise SystemError("relay crashed between publish and mark-sent")


async def test_a_crash_after_publish_redelivers_and_the_consumer_applies_once(
    units: UnitOfWorkFactory,
) -> None:
    await _two_products(units)
    broker = _CrashAfterPublishOnce()
    effects = _Effects()
    broker.subscribe(IdempotentConsumer("test-consumer", units, effects))
    relay = OutboxRelay(units, broker)
    with pytest.raises(SystemError):
        await relay.run_once()
    await relay.run_once()
    delivered = [m.id for m in broker.delivered]
    assert len(delivered) == 3, (
        f"the message published before the crash was not marked sent, so it must be "
        f"published again (at least once); delivered {len(delivered)} times ({RELAY_TODO})"
    )
    applied = [m.id for m in effects.applied]
    assert sorted(map(str, applied)) == sorted({str(i) for i in delivered}), (
        f"a redelivered message must have exactly one effect: applied {len(applied)} times "
        f"for {len(set(delivered))} messages ({CONSUMER_TODO})"
    )
    assert await _pending(units) == []


async def test_a_redelivered_message_has_one_effect(units: UnitOfWorkFactory) -> None:
    effects = _Effects()
    consumer = IdempotentConsumer("test-consumer", units, effects)
    await use_cases.create_product(units(), sku="MUG-001", name="Mug", price=PRICE)
    (message,) = await _pending(units)
    results = [await consumer(message) for _ in range(3)]
    assert len(effects.applied) == 1, (
        f"the same message delivered 3 times was applied {len(effects.applied)} times: record "
        f"its id in uow.processed and skip it when seen before ({CONSUMER_TODO})"
    )
    assert results == [True, False, False]


async def test_a_failed_effect_is_applied_on_redelivery(units: UnitOfWorkFactory) -> None:
    calls = 0

    async def flaky(uow: UnitOfWork, message: OutboxMessage) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise TimeoutError("downstream timed out")

    consumer = IdempotentConsumer("test-consumer", units, flaky)
    await use_cases.create_product(units(), sku="MUG-001", name="Mug", price=PRICE)
    (message,) = await _pending(units)
    with pytest.raises(TimeoutError):
        await consumer(message)
    assert await consumer(message) is True, (
        f"the processed-message record must roll back with a failed effect, so the "
        f"redelivery is applied ({CONSUMER_TODO})"
    )
    assert calls == 2
