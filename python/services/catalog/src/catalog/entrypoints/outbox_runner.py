"""Running the outbox: the relay's publishing loop and the ``product-feed`` consumer, side by
side, until told to stop. Shared by ``python -m catalog.relay`` and, when
``CATALOG_BROKER_URL`` is set, the HTTP catalog's lifespan (``InProcessRelay``)."""

import asyncio
import contextlib
import logging

from catalog.adapters.jetstream import BrokerError, JetStreamBroker, JetStreamSettings
from catalog.outbox.relay import OutboxRelay
from catalog.outbox.subscribers import PRODUCT_FEED, product_feed_consumer
from catalog.ports import Broker, UnitOfWorkFactory

log = logging.getLogger("catalog.relay")

RECONNECT_PAUSE_S = 1.0


async def drain_outbox(relay: OutboxRelay) -> int:
    """Publish batch after batch until nothing is pending; how many were marked sent."""
    total = 0
    while sent := await relay.run_once():
        total += sent
    return total


async def publish_until_stopped(relay: OutboxRelay, interval: float, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            sent = await drain_outbox(relay)
        except BrokerError as error:
            # Not swallowed: said on stderr, and the rows stay pending for the next round.
            log.warning("relay: %s; rows stay pending, retrying", error)
        else:
            if sent:
                log.info("relay: published %d message(s)", sent)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)


async def serve(
    uow_factory: UnitOfWorkFactory, broker: Broker, interval: float, stop: asyncio.Event
) -> None:
    """Publish and consume side by side until ``stop``; the first task to fail ends both."""
    relay = OutboxRelay(uow_factory, broker)
    consumer = product_feed_consumer(uow_factory)
    tasks = [
        asyncio.create_task(broker.consume(PRODUCT_FEED, consumer), name=PRODUCT_FEED),
        asyncio.create_task(publish_until_stopped(relay, interval, stop), name="publisher"),
    ]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, Exception):
            raise outcome


class InProcessRelay:
    """The relay as a task of another process (the HTTP catalog), like the Go catalog's.

    It connects in the background, retrying: the catalog's writes never need the broker (that
    is what the outbox is for), so a broker that is not up yet delays events, not the service.
    ``stop()`` ends the current round, closes the connection (drained) and re-raises a failure.
    """

    def __init__(
        self,
        url: str,
        uow_factory: UnitOfWorkFactory,
        interval: float = 0.5,
        settings: JetStreamSettings | None = None,
    ) -> None:
        self._url = url
        self._settings = settings
        self._uow_factory = uow_factory
        self._interval = interval
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")
        self._task.add_done_callback(_say_failure)

    async def _run(self) -> None:
        while not self._stop.is_set():
            try:
                broker = await JetStreamBroker.connect(self._url, self._settings)
            except BrokerError as error:
                log.warning("relay: %s; retrying", error)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), RECONNECT_PAUSE_S)
                continue
            try:
                await serve(self._uow_factory, broker, self._interval, self._stop)
            finally:
                await broker.close()
            return

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task


def _say_failure(task: "asyncio.Task[None]") -> None:
    # Said when it happens, not only when stop() re-raises it at shutdown.
    if not task.cancelled() and task.exception() is not None:
        log.error("relay: stopped: %r", task.exception())
