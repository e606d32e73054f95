"""Feedback events keyed by the client's idempotency key: one key, exactly one effect.

The first call with a key starts the effect as its own task and records the key at once (no
``await`` between the lookup and the insert, so concurrent calls on one event loop cannot both
miss). Every later call with the same key and the same payload waits for that task and gets
its result with ``duplicate=True``; the same key with a different payload is refused. The task
is shielded: a first caller that is cancelled (deadline, client gone) does not undo or repeat
the effect, and a retry picks up its result. A failed effect forgets the key so a retry can
try again. Keys are kept in memory for the life of the process (a real service would expire
them after the gateway's retry window).
"""

import asyncio
import itertools
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from recommender.errors import IdempotencyKeyReusedError
from recommender.model import Feedback


@dataclass(frozen=True, slots=True)
class FeedbackEvent:
    user_id: str
    item_id: str
    kind: Feedback


@dataclass(frozen=True, slots=True)
class Recorded:
    feedback_id: str
    duplicate: bool


@dataclass(slots=True)
class _Entry:
    event: FeedbackEvent
    task: "asyncio.Task[str]"


class FeedbackStore:
    """In-memory feedback: the events (each stored once) and the latest kind per user/item."""

    def __init__(self, write_delay_s: float = 0.0) -> None:
        self._entries: dict[str, _Entry] = {}
        self._ids = itertools.count(1)
        self._latest: defaultdict[str, dict[str, Feedback]] = defaultdict(dict)
        self._write_delay_s = write_delay_s
        #: Every event stored, in order: the effects, counted by tests.
        self.events: list[FeedbackEvent] = []

    async def record(self, key: str, event: FeedbackEvent) -> Recorded:
        entry = self._entries.get(key)
        if entry is None:
            entry = _Entry(event, asyncio.ensure_future(self._store(key, event)))
            self._entries[key] = entry
            duplicate = False
        elif entry.event != event:
            raise IdempotencyKeyReusedError(
                "idempotency key already used for a different feedback event",
                idempotency_key=key,
            )
        else:
            duplicate = True
        return Recorded(await asyncio.shield(entry.task), duplicate)

    async def _store(self, key: str, event: FeedbackEvent) -> str:
        try:
            # Stands in for a durable write (a database round trip): the await is where a
            # second call with the same key arrives.
            await asyncio.sleep(self._write_delay_s)
        except BaseException:
            self._entries.pop(key, None)
            raise
        feedback_id = f"fb-{next(self._ids):06d}"
        self.events.append(event)
        self._latest[event.user_id][event.item_id] = event.kind
        return feedback_id

    def of_user(self, user_id: str) -> Mapping[str, Feedback]:
        """The latest feedback kind per item for ``user_id`` (the model reads it)."""
        return dict(self._latest.get(user_id, {}))
