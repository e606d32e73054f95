"""The in-memory fake of the ``Broker`` port: a durable stream, like JetStream, in one process.

It keeps what JetStream guarantees and nothing more: a message id already stored is kept
once; each durable name has its own acknowledgements; a message is acknowledged only after
its handler returns, and one whose handler raised or was cancelled is delivered again (after
``redeliver_after`` seconds for a failure). The shared port suite holds it to the same tests
as the real broker (``tests/ports/test_broker_port.py``).
"""

import asyncio
import contextlib
import time
from uuid import UUID

from catalog.ports import MessageHandler, OutboxMessage


class InMemoryStream:
    def __init__(self, *, redeliver_after: float = 0.05) -> None:
        self.messages: list[OutboxMessage] = []
        # (durable, message id) per handler call, redeliveries included.
        self.deliveries: list[tuple[str, UUID]] = []
        self._redeliver_after = redeliver_after
        self._acked: dict[str, set[UUID]] = {}
        self._not_before: dict[tuple[str, UUID], float] = {}
        self._arrived = asyncio.Event()

    async def publish(self, message: OutboxMessage) -> None:
        if all(kept.id != message.id for kept in self.messages):
            self.messages.append(message)
            self._arrived.set()

    async def consume(self, durable: str, handler: MessageHandler) -> None:
        acked = self._acked.setdefault(durable, set())
        while True:
            message = self._next_due(durable, acked)
            if message is None:
                self._arrived.clear()
                # Wake on a new message, or after a while: a failed message may be due again.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._arrived.wait(), self._redeliver_after)
                continue
            self.deliveries.append((durable, message.id))
            try:
                await handler(message)
            except Exception:
                # Like a nak with a delay: the message stays unacknowledged, tried again later.
                due = time.monotonic() + self._redeliver_after
                self._not_before[(durable, message.id)] = due
                continue
            acked.add(message.id)

    def _next_due(self, durable: str, acked: set[UUID]) -> OutboxMessage | None:
        now = time.monotonic()
        for message in self.messages:
            if message.id in acked:
                continue
            if self._not_before.get((durable, message.id), 0.0) <= now:
                return message
        return None
