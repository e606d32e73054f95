"""The catalog's own example subscriber: counts product events by topic.

It stands in for a real downstream (a search index, a cache invalidator). Wrapped in an
``IdempotentConsumer``, a redelivered message does not count twice.
"""

from collections import Counter

from catalog.ports import OutboxMessage, UnitOfWork


class ProductEventCounter:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    async def __call__(self, uow: UnitOfWork, message: OutboxMessage) -> None:
        self.counts[message.topic] += 1
