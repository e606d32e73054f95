"""Safely retryable creates: ``POST /products`` with an ``Idempotency-Key`` (IETF draft).

The key, the product and its outbox event are written in ONE unit of work: a crash cannot
keep the product without the key, nor the key without the product. The key is claimed FIRST,
with the answer already rendered, under a unique constraint:

- a retry (same key, same fingerprint) finds the committed row and gets the first answer;
- the same key with another request is ``IdempotencyKeyReusedError`` (409);
- a concurrent duplicate waits on the claim (SQLite: the write lock; PostgreSQL: the unique
  index) until the first commits, then replays it — or, if the first rolled back, runs alone;
- a failed create (a taken SKU) rolls the claim back with it: failures are never stored.

Keys do not expire yet (``created_at`` is stored for a later sweep; DESIGN.md 2026-12-08).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from catalog.domain.errors import IdempotencyKeyReusedError
from catalog.domain.money import Money
from catalog.domain.product import Product
from catalog.outbox.events import product_created
from catalog.ports import UnitOfWork


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredAnswer:
    """The first answer to a keyed request, as the HTTP edge rendered it. The use case only
    keeps it; ``location`` is empty when the answer had no ``Location``."""

    status: int
    location: str
    body: bytes


class IdempotencyKeys(Protocol):
    """Answers by key, in the unit of work's transaction."""

    async def claim(self, key: str, fingerprint: str, answer: StoredAnswer) -> bool:
        """Store the key unless it is taken; False (nothing written) if it was. A concurrent
        claim of the same key waits for the first transaction to end, so after False the
        row is committed and ``get`` reads it."""
        ...

    async def get(self, key: str) -> tuple[str, StoredAnswer]:
        """The fingerprint and answer stored under ``key`` (which must exist)."""
        ...


@runtime_checkable
class IdempotentUnitOfWork(UnitOfWork, Protocol):
    """A unit of work whose storage also keeps idempotency keys (every adapter's, through
    the ``*_idempotency`` modules; the labs' ``UnitOfWork`` stays as it is)."""

    @property
    def idempotency_keys(self) -> IdempotencyKeys: ...


Render = Callable[[Product], StoredAnswer]


class NoIdempotencyKeysError(TypeError):
    """The unit of work's storage keeps no keys (a bug in the wiring: a 500, logged)."""


async def create_product_once(
    uow: UnitOfWork,
    *,
    key: str,
    fingerprint: str,
    sku: str,
    name: str,
    price: Money,
    render: Render,
) -> StoredAnswer:
    """Create the product unless ``key`` was seen; return the answer to give."""
    product = Product.new(sku=sku, name=name, price=price)
    answer = render(product)
    async with uow:
        # Checked once entered: the SQL units of work open their connection in __aenter__.
        if not isinstance(uow, IdempotentUnitOfWork):
            raise NoIdempotencyKeysError(f"{type(uow).__name__} keeps no idempotency keys")
        if not await uow.idempotency_keys.claim(key, fingerprint, answer):
            stored_fingerprint, stored = await uow.idempotency_keys.get(key)
            if stored_fingerprint != fingerprint:
                raise IdempotencyKeyReusedError(key)
            return stored  # nothing written: leaving the block rolls the empty transaction back
        await uow.products.add(product)
        await uow.outbox.add(product_created(product))
        await uow.commit()
    return answer
