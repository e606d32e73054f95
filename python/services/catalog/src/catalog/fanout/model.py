"""The fan-out's vocabulary: its policy (time budgets, bound) and its result."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from catalog.fanout.reviews import ReviewSummary
from catalog.fanout.upstreams import UPSTREAM_NAMES, InventoryInfo, PricingInfo, UpstreamName

Reason = Literal["timeout", "error", "deadline"]
"""Why a part is missing: its own call timed out, it failed, or the overall deadline passed."""

DegradedReason = Reason | Literal["circuit_open"]
"""What the answer reports: the fan-out's reasons, plus ``circuit_open`` (lab 4): the
upstream's circuit breaker is open, so it was not even called."""


@dataclass(frozen=True, slots=True)
class FanOutPolicy:
    """Time budgets in seconds, and how many upstream calls may run at once (all requests)."""

    call_timeout: float = 0.5
    deadline: float = 0.8
    max_concurrency: int = 64

    def __post_init__(self) -> None:
        if self.call_timeout <= 0 or self.deadline <= 0:
            raise ValueError("call_timeout and deadline must be positive")
        if self.max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")


@dataclass(frozen=True, slots=True)
class Degraded:
    upstream: UpstreamName
    reason: DegradedReason


@dataclass(frozen=True, slots=True)
class ProductDetails:
    """What the upstreams said about one product; a missing part is listed in ``degraded``."""

    pricing: PricingInfo | None = None
    inventory: InventoryInfo | None = None
    reviews: ReviewSummary | None = None
    degraded: tuple[Degraded, ...] = ()


def degraded_parts(reasons: Mapping[UpstreamName, Reason]) -> tuple[Degraded, ...]:
    """The reasons as ``Degraded`` entries, always in the order pricing, inventory, reviews."""
    return tuple(Degraded(name, reasons[name]) for name in UPSTREAM_NAMES if name in reasons)
