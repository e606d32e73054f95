"""Products: the catalog's entity, and the constrained strings it is made of."""

from dataclasses import dataclass, replace
from typing import Annotated, Self
from uuid import UUID, uuid4

from pydantic import StringConstraints

from catalog.domain.money import Money

# A stock-keeping unit: 3-32 characters of A-Z, 0-9 and '-'. Lowercase is rejected rather
# than upper-cased: a SKU is an identifier, and silently rewriting it would surprise clients.
Sku = Annotated[str, StringConstraints(strict=True, pattern=r"^[A-Z0-9-]{3,32}$")]

# A display name: surrounding whitespace is trimmed first, then 1-200 characters must remain.
ProductName = Annotated[
    str,
    StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=200),
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Product:
    """A product of the catalog, identified by ``id``; the ``sku`` never changes either.

    A plain dataclass, not a pydantic model: its fields were validated at the edge (``Sku``,
    ``ProductName``, ``Money``), and inside the domain we want a cheap, immutable record.
    Frozen, so a product read from a repository cannot be changed behind the repository's
    back; slots, so a typo such as ``product.nmae = ...`` cannot add an attribute.
    """

    id: UUID
    sku: str
    name: str
    price: Money

    @classmethod
    def new(cls, *, sku: str, name: str, price: Money) -> Self:
        """A new product with a fresh random (version 4) id."""
        return cls(id=uuid4(), sku=sku, name=name, price=price)

    def revised(self, *, name: str, price: Money) -> Self:
        """A copy with a new name and price; the id and the sku are kept."""
        return replace(self, name=name, price=price)
