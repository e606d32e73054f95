"""Deterministic payloads: the same product id always gets the same answer."""

import random

from upstream_sim.config import UpstreamName

_VOCABULARY = [
    "great", "mug", "handle", "coffee", "big", "small", "gift", "broke", "blue", "tea",
    "solid", "cheap", "heavy", "light", "lovely", "chipped", "daily", "office", "warm", "cold",
]  # fmt: skip


def payload(name: UpstreamName, product_id: str, review_count: int) -> dict[str, object]:
    rng = random.Random(f"{name}:{product_id}")  # nosec B311 # seeded fake data, not crypto
    if name == "pricing":
        return {"discount_percent": rng.choice([0, 5, 10, 15, 20]), "currency": "EUR"}
    if name == "inventory":
        return {"available": rng.randrange(0, 500), "warehouse": rng.choice(["AMS-1", "FRA-2"])}
    return {
        "reviews": [
            {
                "rating": rng.randint(1, 5),
                "text": " ".join(rng.choices(_VOCABULARY, k=10)),
                "helpful": rng.randrange(0, 50),
                "unhelpful": rng.randrange(0, 10),
            }
            for _ in range(review_count)
        ]
    }
