"""In-memory fakes of the write-side ports: outbox, processed messages, product feed, unit of
work, and the push broker of lab 3 (the durable one is ``in_memory_stream.py``).

A unit of work works on a copy of the committed state and swaps it in on ``commit()``, so the
fake rolls back exactly like a database: leave without committing and nothing happened.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self
from uuid import UUID

from catalog.adapters.in_memory_repository import InMemoryProductRepository
from catalog.domain.product import Product
from catalog.ports import OutboxMessage

_Handler = Callable[[OutboxMessage], Awaitable[object]]


@dataclass
class InMemoryState:
    """Everything a database would hold. ``sent`` lists the outbox ids marked sent."""

    products: dict[UUID, Product] = field(default_factory=dict)
    outbox: list[OutboxMessage] = field(default_factory=list)
    sent: set[UUID] = field(default_factory=set)
    processed: set[tuple[str, UUID]] = field(default_factory=set)
    feed: dict[UUID, int] = field(default_factory=dict)

    def copy(self) -> "InMemoryState":
        return InMemoryState(
            products=dict(self.products),
            outbox=list(self.outbox),
            sent=set(self.sent),
            processed=set(self.processed),
            feed=dict(self.feed),
        )


class InMemoryOutbox:
    def __init__(self, state: InMemoryState) -> None:
        self._state = state

    async def add(self, message: OutboxMessage) -> None:
        self._state.outbox.append(message)

    async def pending(self, limit: int) -> list[OutboxMessage]:
        waiting = [m for m in self._state.outbox if m.id not in self._state.sent]
        return waiting[:limit]

    async def mark_sent(self, message_id: UUID) -> None:
        self._state.sent.add(message_id)


class InMemoryProcessedMessages:
    def __init__(self, state: InMemoryState) -> None:
        self._state = state

    async def add(self, consumer: str, message_id: UUID) -> bool:
        key = (consumer, message_id)
        if key in self._state.processed:
            return False
        self._state.processed.add(key)
        return True


class InMemoryProductFeed:
    def __init__(self, state: InMemoryState) -> None:
        self._state = state

    async def apply(self, product_id: UUID) -> None:
        self._state.feed[product_id] = self._state.feed.get(product_id, 0) + 1

    async def counts(self) -> dict[UUID, int]:
        return dict(self._state.feed)


class InMemoryDatabase:
    """The committed state shared by every unit of work of one "database"."""

    def __init__(self) -> None:
        self.state = InMemoryState()

    def unit_of_work(self) -> "InMemoryUnitOfWork":
        return InMemoryUnitOfWork(self)


class InMemoryUnitOfWork:
    """Works on a private copy; ``commit()`` publishes it, anything else discards it."""

    def __init__(self, database: InMemoryDatabase) -> None:
        self._database = database
        self._working = database.state.copy()
        self._bind()

    def _bind(self) -> None:
        self.products = InMemoryProductRepository(self._working.products)
        self.outbox = InMemoryOutbox(self._working)
        self.processed = InMemoryProcessedMessages(self._working)
        self.feed = InMemoryProductFeed(self._working)

    async def __aenter__(self) -> Self:
        self._working = self._database.state.copy()
        self._bind()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.rollback()

    async def commit(self) -> None:
        self._database.state = self._working
        self._working = self._working.copy()
        self._bind()

    async def rollback(self) -> None:
        self._working = self._database.state.copy()
        self._bind()


class InMemoryBroker:
    """The in-process fake broker: ``publish`` hands the message to every subscriber now.

    ``delivered`` keeps every message it accepted, redeliveries included.
    """

    def __init__(self) -> None:
        self.delivered: list[OutboxMessage] = []
        self._subscribers: list[_Handler] = []

    def subscribe(self, handler: _Handler) -> None:
        self._subscribers.append(handler)

    async def publish(self, message: OutboxMessage) -> None:
        self.delivered.append(message)
        for handler in self._subscribers:
            await handler(message)
