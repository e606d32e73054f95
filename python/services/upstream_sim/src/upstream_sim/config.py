"""The simulator's configuration: one behaviour per upstream, validated by pydantic."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

UpstreamName = Literal["pricing", "inventory", "reviews"]
UPSTREAM_NAMES: tuple[UpstreamName, ...] = ("pricing", "inventory", "reviews")


class UpstreamBehaviour(BaseModel):
    """How one upstream behaves: each answer waits ``latency_ms`` ± up to ``jitter_ms``
    (uniform, never below 0), then fails with probability ``failure_rate`` (HTTP 503)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    latency_ms: float = Field(default=0.0, ge=0, le=600_000)
    jitter_ms: float = Field(default=0.0, ge=0, le=600_000)
    failure_rate: float = Field(default=0.0, ge=0, le=1)


class SimConfig(BaseModel):
    """The whole configuration. A field left out takes its default (instant, never fails)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pricing: UpstreamBehaviour = UpstreamBehaviour()
    inventory: UpstreamBehaviour = UpstreamBehaviour()
    reviews: UpstreamBehaviour = UpstreamBehaviour()
    review_count: int = Field(default=20, ge=0, le=100_000)
    """How many reviews ``/reviews/{id}`` returns."""
    seed: int | None = None
    """Seed of the jitter and failure draws; ``None`` draws from the OS."""

    def behaviour(self, name: UpstreamName) -> UpstreamBehaviour:
        behaviours: dict[UpstreamName, UpstreamBehaviour] = {
            "pricing": self.pricing,
            "inventory": self.inventory,
            "reviews": self.reviews,
        }
        return behaviours[name]
