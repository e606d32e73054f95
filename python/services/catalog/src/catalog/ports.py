"""The ports of the write side: what the application needs from storage and messaging.

Each port is a ``typing.Protocol``: any class with these methods fits, without inheriting
from anything (structural typing, checked by mypy). The adapters that implement them live in
``catalog.adapters``: in-memory fakes (for fast tests), SQLite (the embedded default) and
PostgreSQL. One shared test suite per port (``tests/ports``) runs against every adapter.

The rule that ties them together is the unit of work: one transaction, entered with
``async with``, that ROLLS BACK unless ``commit()`` was called. A product write and its
outbox event go through the same unit of work, so they commit together or not at all.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from catalog.domain.product import Product


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxMessage:
    """An event waiting in the outbox: ``topic`` names it (``product.created``), ``payload``
    is its JSON text. ``id`` is the message id consumers deduplicate on."""

    id: UUID
    topic: str
    payload: str


class ProductReader(Protocol):
    """The read half of the repository: what the read routes need."""

    async def get(self, product_id: UUID) -> Product:
        """The product with this id; raises ``ProductNotFoundError``."""
        ...

    async def list_all(self) -> list[Product]:
        """Every product, sorted by SKU."""
        ...


class ProductRepository(Protocol):
    """Products by id; SKUs are unique."""

    async def add(self, product: Product) -> None:
        """Store a new product; raises ``SkuAlreadyExistsError`` if its SKU is taken."""
        ...

    async def get(self, product_id: UUID) -> Product:
        """The product with this id; raises ``ProductNotFoundError``."""
        ...

    async def list_all(self) -> list[Product]:
        """Every product, sorted by SKU."""
        ...

    async def update(self, product: Product) -> None:
        """Replace the product with the same id; raises ``ProductNotFoundError``."""
        ...

    async def remove(self, product_id: UUID) -> None:
        """Delete the product with this id; raises ``ProductNotFoundError``."""
        ...


class Outbox(Protocol):
    """Events written in the same transaction as the change they describe."""

    async def add(self, message: OutboxMessage) -> None:
        """Queue a message (in the current transaction)."""
        ...

    async def pending(self, limit: int) -> list[OutboxMessage]:
        """Up to ``limit`` messages not yet marked sent, oldest first."""
        ...

    async def mark_sent(self, message_id: UUID) -> None:
        """Mark a message sent; it is no longer pending."""
        ...


class ProcessedMessages(Protocol):
    """What a consumer has already applied: the key to idempotent consumers."""

    async def add(self, consumer: str, message_id: UUID) -> bool:
        """Record the message for this consumer; False if it was recorded before."""
        ...


class ProductFeed(Protocol):
    """The ``product-feed`` subscriber's durable effect: how many times each product's
    ``product.created`` was applied. It exists to be counted: exactly one per product."""

    async def apply(self, product_id: UUID) -> None:
        """Count one application for this product (insert 1, or add 1)."""
        ...

    async def counts(self) -> dict[UUID, int]:
        """Every product applied so far, with how many times."""
        ...


class UnitOfWork(Protocol):
    """One transaction over every repository. Leaving the block without ``commit()`` (or
    with an exception) rolls back: forgetting to commit loses the write, never half of it."""

    # Read-only properties, so an adapter's more specific attribute types still fit.
    @property
    def products(self) -> ProductRepository: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def processed(self) -> ProcessedMessages: ...

    @property
    def feed(self) -> ProductFeed: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None:
        """Make every change of this unit of work durable, at once."""
        ...

    async def rollback(self) -> None:
        """Discard every change not yet committed."""
        ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
"""A fresh unit of work per use: ``async with uow_factory() as uow: ...``."""


class Publisher(Protocol):
    """Where the relay sends outbox messages (a broker). Delivery is at least once."""

    async def publish(self, message: OutboxMessage) -> None:
        """Hand the message to the broker; raises if it was not accepted."""
        ...


MessageHandler = Callable[[OutboxMessage], Awaitable[object]]
"""What a broker delivers to: typically an ``IdempotentConsumer``."""


class Broker(Publisher, Protocol):
    """A broker that keeps messages for durable consumers (NATS JetStream, or its fake).

    ``publish`` returns once the broker has stored the message; a message id it already
    stored is accepted again but kept once (deduplication). ``consume`` delivers to ``handler``
    until cancelled: a message is acknowledged only after the handler returns, and one whose
    handler raised (or that was never acknowledged) is delivered again later.
    """

    async def consume(self, durable: str, handler: MessageHandler) -> None:
        """Deliver messages to ``handler`` under the durable name ``durable``, until cancelled."""
        ...
