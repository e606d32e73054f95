"""The events a product write puts in the outbox, as JSON text with a fresh message id."""

import json
from uuid import UUID, uuid4

from catalog.domain.product import Product
from catalog.ports import OutboxMessage

PRODUCT_CREATED = "product.created"
PRODUCT_UPDATED = "product.updated"
PRODUCT_DELETED = "product.deleted"


def _product_json(product: Product) -> dict[str, object]:
    return {
        "id": str(product.id),
        "sku": product.sku,
        "name": product.name,
        "price": {"amount_minor": product.price.amount_minor, "currency": product.price.currency},
    }


def _message(topic: str, body: dict[str, object]) -> OutboxMessage:
    return OutboxMessage(id=uuid4(), topic=topic, payload=json.dumps(body, sort_keys=True))


def product_created(product: Product) -> OutboxMessage:
    return _message(PRODUCT_CREATED, {"product": _product_json(product)})


def product_updated(product: Product) -> OutboxMessage:
    return _message(PRODUCT_UPDATED, {"product": _product_json(product)})


def product_deleted(product_id: UUID) -> OutboxMessage:
    return _message(PRODUCT_DELETED, {"product": {"id": str(product_id)}})
