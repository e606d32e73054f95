"""An idempotent consumer: a redelivered message has exactly one effect.

Lab 3 (step 5) is about this file. The relay delivers at least once, so the same message
may arrive twice. The consumer records each message id in ``processed_messages`` in the same
unit of work as its effect: a message seen before is skipped, and if the effect fails the
record is rolled back with it, so the redelivery is applied.
"""

from collections.abc import Awaitable, Callable

from catalog.ports import OutboxMessage, UnitOfWork, UnitOfWorkFactory

Handler = Callable[[UnitOfWork, OutboxMessage], Awaitable[None]]
"""The effect of a message, run inside the consumer's unit of work."""


class IdempotentConsumer:
    def __init__(self, name: str, uow_factory: UnitOfWorkFactory, handler: Handler) -> None:
        self.name = name
        self._uow_factory = uow_factory
        self._handler = handler

    async def __call__(self, message: OutboxMessage) -> bool:
        """Apply the message unless this consumer applied it before; True if applied."""
        async with self._uow_factory() as uow:
            if not await uow.processed.add(self.name, message.id):
                return False
            await self._handler(uow, message)
            await uow.commit()
        return True
