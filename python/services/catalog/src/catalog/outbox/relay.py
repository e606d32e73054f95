"""The outbox relay: publish pending outbox messages, then mark them sent.

Lab 3 (step 4) is about this file. The order is the whole point: publish FIRST, mark sent
after. A crash between the two re-publishes the message on the next run (at least once: the
consumer deduplicates). Marking first would lose the message if the publish then fails.
"""

from catalog.ports import Publisher, UnitOfWorkFactory

DEFAULT_BATCH_SIZE = 100


class OutboxRelay:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        publisher: Publisher,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        self._uow_factory = uow_factory
        self._publisher = publisher
        self._batch_size = batch_size

    async def run_once(self) -> int:
        """Publish up to one batch of pending messages; returns how many were marked sent.

        A publish that raises stops the run (the exception propagates); the message stays
        pending and the next run tries it again.
        """
        async with self._uow_factory() as uow:
            pending = await uow.outbox.pending(self._batch_size)
        sent = 0
        for message in pending:
            await self._publisher.publish(message)
            async with self._uow_factory() as uow:
                await uow.outbox.mark_sent(message.id)
                await uow.commit()
            sent += 1
        return sent
