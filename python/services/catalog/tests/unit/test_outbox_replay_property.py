"""Outbox replay is idempotent: whatever the relay redelivers, in whatever order, and whichever
effects fail once, each message has exactly one effect per consumer (a property over delivery
schedules, against the in-memory unit of work that shares the port suite with SQLite/Postgres)."""

import asyncio
from uuid import UUID, uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.adapters.in_memory import InMemoryDatabase
from catalog.outbox.consumer import IdempotentConsumer
from catalog.ports import OutboxMessage, UnitOfWork

# A schedule: indices into a small pool of messages (repeats = redeliveries), each delivery
# flagged with whether the effect fails that time (a downstream error rolls the record back).
deliveries = st.lists(st.tuples(st.integers(min_value=0, max_value=4), st.booleans()), max_size=30)


class _FlakyEffects:
    """Records applied messages; fails the deliveries it is told to fail."""

    def __init__(self) -> None:
        self.applied: list[UUID] = []
        self.fail_next = False

    async def __call__(self, uow: UnitOfWork, message: OutboxMessage) -> None:
        if self.fail_next:
            raise TimeoutError("downstream timed out")
        self.applied.append(message.id)


async def _replay(schedule: list[tuple[int, bool]]) -> tuple[list[UUID], set[UUID]]:
    pool = [OutboxMessage(id=uuid4(), topic="product.created", payload="{}") for _ in range(5)]
    database = InMemoryDatabase()
    effects = _FlakyEffects()
    consumer = IdempotentConsumer("property", database.unit_of_work, effects)
    succeeded: set[UUID] = set()
    for index, fails in schedule:
        effects.fail_next = fails
        message = pool[index]
        try:
            await consumer(message)
        except TimeoutError:
            continue
        succeeded.add(message.id)
    return effects.applied, succeeded


@settings(max_examples=200, deadline=None)
@given(deliveries)
def test_every_message_delivered_successfully_has_exactly_one_effect(
    schedule: list[tuple[int, bool]],
) -> None:
    applied, succeeded = asyncio.run(_replay(schedule))
    assert len(applied) == len(set(applied)), f"a message was applied twice: {applied}"
    assert set(applied) == succeeded, "every delivery that did not fail must have had its effect"


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=1, max_value=10))
def test_replaying_the_same_message_n_times_applies_it_once(times: int) -> None:
    applied, _ = asyncio.run(_replay([(0, False)] * times))
    assert len(applied) == 1
