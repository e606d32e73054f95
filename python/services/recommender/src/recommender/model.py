"""The recommendation model: a small built-in catalogue of learning items per language, ranked
per user by a deterministic scoring function (no randomness, no clock: same input, same list).

score = 0.5 * popularity + 0.5 * affinity(user, topic), where affinity is a stable hash of the
user and the item's topic mapped to [0, 1). Feedback adjusts it: an item the user COMPLETED or
DISMISSED is not recommended again; a CLICKED one gets a small boost (capped at 1).
The invariants (tested with Hypothesis): scores in [0, 1], best first, no excluded id, at most
``limit`` items.

Contract v1.1 adds what the model already knows: an item's tags (its topic) and its level
(from the topic), and lets a caller cap the level (``max_level``; None means any).
"""

import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import Enum, IntEnum

MODEL_VERSION = "popularity-affinity-v1"
DEFAULT_LIMIT = 5
MAX_LIMIT = 20
CLICK_BOOST = 0.1


class Feedback(Enum):
    CLICKED = "clicked"
    DISMISSED = "dismissed"
    COMPLETED = "completed"


class Level(IntEnum):
    """How hard an item is; ordered, so ``level <= max_level`` filters."""

    BEGINNER = 1
    INTERMEDIATE = 2
    ADVANCED = 3


#: The level of each topic's items (an unknown topic counts as intermediate).
TOPIC_LEVELS: Mapping[str, Level] = {
    "basics": Level.BEGINNER,
    "script": Level.BEGINNER,
    "travel": Level.INTERMEDIATE,
    "listening": Level.INTERMEDIATE,
    "grammar": Level.ADVANCED,
}


@dataclass(frozen=True, slots=True)
class Item:
    item_id: str
    language: str
    title: str
    topic: str
    popularity: float

    @property
    def level(self) -> Level:
        return TOPIC_LEVELS.get(self.topic, Level.INTERMEDIATE)

    @property
    def tags(self) -> tuple[str, ...]:
        return (self.topic,)


@dataclass(frozen=True, slots=True)
class Ranked:
    item: Item
    score: float
    reason: str


def _items(language: str, rows: list[tuple[str, str, float]]) -> tuple[Item, ...]:
    return tuple(
        Item(f"{language}-{index + 1:02d}", language, title, topic, popularity)
        for index, (title, topic, popularity) in enumerate(rows)
    )


CATALOGUE: Mapping[str, tuple[Item, ...]] = {
    "es": _items(
        "es",
        [
            ("Saludos y presentaciones", "basics", 0.95),
            ("Ser y estar", "grammar", 0.80),
            ("En el restaurante", "travel", 0.70),
            ("El pretérito indefinido", "grammar", 0.60),
            ("Números y precios", "basics", 0.75),
            ("Pedir direcciones", "travel", 0.55),
            ("El subjuntivo presente", "grammar", 0.40),
            ("Podcast: la vida en Madrid", "listening", 0.50),
        ],
    ),
    "fr": _items(
        "fr",
        [
            ("Bonjour et présentations", "basics", 0.93),
            ("Le passé composé", "grammar", 0.70),
            ("Au café", "travel", 0.65),
            ("Les articles partitifs", "grammar", 0.50),
            ("Les nombres", "basics", 0.72),
            ("Podcast: Paris au quotidien", "listening", 0.45),
        ],
    ),
    "de": _items(
        "de",
        [
            ("Hallo und Vorstellung", "basics", 0.90),
            ("Der, die, das", "grammar", 0.85),
            ("Am Bahnhof", "travel", 0.60),
            ("Trennbare Verben", "grammar", 0.55),
            ("Zahlen und Uhrzeit", "basics", 0.70),
            ("Der Dativ", "grammar", 0.45),
        ],
    ),
    "ja": _items(
        "ja",
        [
            ("Hiragana 1", "script", 0.97),
            ("Hiragana 2", "script", 0.90),
            ("Katakana", "script", 0.80),
            ("Particles wa and ga", "grammar", 0.65),
            ("At the konbini", "travel", 0.50),
        ],
    ),
}

ITEMS_BY_ID: Mapping[str, Item] = {
    item.item_id: item for items in CATALOGUE.values() for item in items
}


def affinity(user_id: str, topic: str) -> float:
    """A stable per-user interest in a topic, in [0, 1)."""
    digest = hashlib.sha256(f"{user_id}\x00{topic}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def score(user_id: str, item: Item, feedback: Feedback | None = None) -> Ranked:
    """One item's score for one user, in [0, 1], with the reason it scored so."""
    interest = affinity(user_id, item.topic)
    value = 0.5 * item.popularity + 0.5 * interest
    reason = f"matches your interest in {item.topic}" if interest > item.popularity else "popular"
    if feedback is Feedback.CLICKED:
        value += CLICK_BOOST
        reason = "you looked at this before"
    return Ranked(item, min(1.0, max(0.0, value)), reason)


def effective_limit(limit: int) -> int:
    """0 means the default; above the maximum is capped. Negative is the caller's bug."""
    if limit < 0:
        raise ValueError("limit must not be negative")
    return DEFAULT_LIMIT if limit == 0 else min(limit, MAX_LIMIT)


def candidates(
    language: str,
    exclude: Collection[str] = (),
    feedback: Mapping[str, Feedback] | None = None,
    max_level: Level | None = None,
) -> list[Item]:
    """The items that may be recommended: the language's catalogue minus excluded, completed
    and dismissed ones and those above ``max_level``. An unknown language raises ``KeyError``."""
    seen = feedback or {}
    return [
        item
        for item in CATALOGUE[language]
        if item.item_id not in exclude
        and seen.get(item.item_id) not in (Feedback.COMPLETED, Feedback.DISMISSED)
        and (max_level is None or item.level <= max_level)
    ]


def rank(
    user_id: str,
    language: str,
    limit: int = 0,
    exclude: Collection[str] = (),
    feedback: Mapping[str, Feedback] | None = None,
    max_level: Level | None = None,
) -> list[Ranked]:
    """The best ``limit`` items for ``user_id``, best first (ties broken by item id)."""
    seen = feedback or {}
    scored = [
        score(user_id, item, seen.get(item.item_id))
        for item in candidates(language, exclude, seen, max_level)
    ]
    scored.sort(key=lambda ranked: (-ranked.score, ranked.item.item_id))
    return scored[: effective_limit(limit)]
