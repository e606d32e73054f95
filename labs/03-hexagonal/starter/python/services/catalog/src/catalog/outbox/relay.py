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
        # TODO(lab 3) step 4: read up to self._batch_size pending messages in one unit of
        # work; then, for each: publish it, and mark it sent in a unit of work of its own
        # (commit!). Publish first, mark second. Return how many were marked sent.
        return 0
