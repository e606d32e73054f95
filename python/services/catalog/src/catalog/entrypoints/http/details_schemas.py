"""``GET /products/{id}``'s answer: the product's contract fields plus what the upstreams said.

The additive fields (see the service README, "Product details"): ``pricing``, ``inventory``
and ``reviews`` are objects, or ``null`` when that upstream was late or down, and
``degraded`` lists each missing part with its reason. A complete answer has ``degraded: []``.
"""

from typing import Self

from pydantic import BaseModel

from catalog.domain.product import Product
from catalog.entrypoints.http.schemas import ProductResponse
from catalog.fanout.model import DegradedReason, ProductDetails
from catalog.fanout.reviews import Review, ReviewSummary
from catalog.fanout.upstreams import InventoryInfo, PricingInfo, UpstreamName


class ReviewOut(BaseModel):
    rating: int
    text: str
    helpful: int
    unhelpful: int

    @classmethod
    def from_domain(cls, review: Review) -> Self:
        return cls(
            rating=review.rating,
            text=review.text,
            helpful=review.helpful,
            unhelpful=review.unhelpful,
        )


class ReviewsOut(BaseModel):
    count: int
    duplicates: int
    average_rating: float | None
    top: list[ReviewOut]

    @classmethod
    def from_domain(cls, summary: ReviewSummary) -> Self:
        return cls(
            count=summary.count,
            duplicates=summary.duplicates,
            average_rating=summary.average_rating,
            top=[ReviewOut.from_domain(review) for review in summary.top],
        )


class DegradedOut(BaseModel):
    upstream: UpstreamName
    reason: DegradedReason


class ProductDetailsResponse(ProductResponse):
    """A product (the contract's fields, unchanged) with its upstream parts."""

    pricing: PricingInfo | None
    inventory: InventoryInfo | None
    reviews: ReviewsOut | None
    degraded: list[DegradedOut]

    @classmethod
    def from_parts(cls, product: Product, details: ProductDetails) -> Self:
        return cls(
            id=product.id,
            sku=product.sku,
            name=product.name,
            price=product.price,
            pricing=details.pricing,
            inventory=details.inventory,
            reviews=None if details.reviews is None else ReviewsOut.from_domain(details.reviews),
            degraded=[DegradedOut(upstream=d.upstream, reason=d.reason) for d in details.degraded],
        )
