"""The Outbox and ProcessedMessages ports."""

from uuid import uuid4

from catalog.ports import OutboxMessage, UnitOfWorkFactory


def _message(n: int) -> OutboxMessage:
    return OutboxMessage(id=uuid4(), topic="product.created", payload=f'{{"n": {n}, "é": "ü"}}')


async def test_pending_is_oldest_first_and_limited(new_unit_of_work: UnitOfWorkFactory) -> None:
    messages = [_message(n) for n in range(5)]
    async with new_unit_of_work() as uow:
        for message in messages:
            await uow.outbox.add(message)
        await uow.commit()
    async with new_unit_of_work() as uow:
        assert await uow.outbox.pending(3) == messages[:3]
        assert await uow.outbox.pending(100) == messages


async def test_a_message_marked_sent_is_no_longer_pending(
    new_unit_of_work: UnitOfWorkFactory,
) -> None:
    first, second = _message(1), _message(2)
    async with new_unit_of_work() as uow:
        await uow.outbox.add(first)
        await uow.outbox.add(second)
        await uow.commit()
    async with new_unit_of_work() as uow:
        await uow.outbox.mark_sent(first.id)
        await uow.commit()
    async with new_unit_of_work() as uow:
        assert await uow.outbox.pending(10) == [second]


async def test_a_processed_message_is_recorded_once_per_consumer(
    new_unit_of_work: UnitOfWorkFactory,
) -> None:
    message_id = uuid4()
    async with new_unit_of_work() as uow:
        assert await uow.processed.add("counter", message_id) is True
        await uow.commit()
    async with new_unit_of_work() as uow:
        assert await uow.processed.add("counter", message_id) is False
        assert await uow.processed.add("indexer", message_id) is True


async def test_an_uncommitted_record_is_forgotten(new_unit_of_work: UnitOfWorkFactory) -> None:
    message_id = uuid4()
    async with new_unit_of_work() as uow:
        assert await uow.processed.add("counter", message_id) is True
    async with new_unit_of_work() as uow:
        assert await uow.processed.add("counter", message_id) is True


async def test_the_product_feed_counts_applications_and_rolls_back(
    new_unit_of_work: UnitOfWorkFactory,
) -> None:
    once, twice = uuid4(), uuid4()
    async with new_unit_of_work() as uow:
        await uow.feed.apply(once)
        await uow.feed.apply(twice)
        await uow.feed.apply(twice)
        await uow.commit()
    async with new_unit_of_work() as uow:
        await uow.feed.apply(once)  # never committed
    async with new_unit_of_work() as uow:
        assert await uow.feed.counts() == {once: 1, twice: 2}
