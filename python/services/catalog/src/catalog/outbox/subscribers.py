"""The catalog's own subscriber, ``product-feed``: a durable, countable effect per product.

It stands in for a real downstream (a search index, a cache). Each ``product.created`` adds
one to ``product_feed.applied`` for that product, inside the consumer's unit of work, so the
count commits with the processed-message record or not at all. Wrapped in an
``IdempotentConsumer``, every committed product ends with ``applied = 1``, however often the
broker redelivers: the kill-loop tests count exactly that (the Go catalog keeps the same
table and consumer name).
"""

import json
from uuid import UUID

from catalog.outbox.consumer import IdempotentConsumer
from catalog.outbox.events import PRODUCT_CREATED
from catalog.ports import OutboxMessage, UnitOfWork, UnitOfWorkFactory

PRODUCT_FEED = "product-feed"


async def apply_to_product_feed(uow: UnitOfWork, message: OutboxMessage) -> None:
    """Count a created product; other topics have no effect (they are still recorded)."""
    if message.topic != PRODUCT_CREATED:
        return
    body = json.loads(message.payload)
    await uow.feed.apply(UUID(body["product"]["id"]))


def product_feed_consumer(uow_factory: UnitOfWorkFactory) -> IdempotentConsumer:
    return IdempotentConsumer(PRODUCT_FEED, uow_factory, apply_to_product_feed)
