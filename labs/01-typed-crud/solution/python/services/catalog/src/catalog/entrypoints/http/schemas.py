"""HTTP DTOs: the JSON shapes of request and response bodies.

DTOs describe the wire, not the domain: they can differ from domain objects (no ``id`` in a
create request, no ``sku`` in an update), and they convert to domain objects at the edge.
They reuse the domain's constrained types (``Sku``, ``ProductName``, ``Money``) so each rule
is written once.
"""

from typing import Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from catalog.domain.money import Money
from catalog.domain.product import Product, ProductName, Sku


class RequestBody(BaseModel):
    """Base of every request body: a field the contract does not know is an error.

    Dropping unknown fields silently would turn a client's typo (``"prise"``) into a request
    that "works" but ignores what the client meant.
    """

    model_config = ConfigDict(extra="forbid")


class CreateProductRequest(RequestBody):
    """``POST /products``: the id is chosen by the catalog, never by the client."""

    sku: Sku
    name: ProductName
    price: Money


class UpdateProductRequest(RequestBody):
    """``PUT /products/{id}``: the SKU is immutable, so it is not part of the body."""

    name: ProductName
    price: Money


class ProductResponse(BaseModel):
    """A product as clients see it."""

    id: UUID
    sku: str
    name: str
    price: Money

    @classmethod
    def from_domain(cls, product: Product) -> Self:
        return cls(id=product.id, sku=product.sku, name=product.name, price=product.price)


class ProductListResponse(BaseModel):
    """``GET /products``: wrapped in an object so fields (paging, lab 3) can be added later."""

    items: list[ProductResponse]
