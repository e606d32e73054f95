"""Products: the catalog's entity, and the constrained strings it is made of."""

from dataclasses import dataclass
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


# TODO(lab 1): make Product immutable (README, step 2): a frozen dataclass, so a product read
# from the repository cannot be changed behind its back. slots=True and kw_only=True are good
# habits too (no stray attributes, no positional mix-ups between str fields).
@dataclass
class Product:
    """A product of the catalog, identified by ``id``; the ``sku`` never changes either.

    A plain dataclass, not a pydantic model: its fields were validated at the edge (``Sku``,
    ``ProductName``, ``Money``), and inside the domain we want a cheap, immutable record.
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
        raise NotImplementedError(
            "TODO(lab 1): return a NEW product with this name and price and the same id and "
            "sku, leaving self unchanged (hint: dataclasses.replace)"
        )
