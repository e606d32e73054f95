"""The ``Broker`` port on NATS JetStream (nats-py): the broker the outbox relay publishes to.

Publishing: subject ``catalog.<topic>``, header ``Nats-Msg-Id: <message id>`` so the server
drops a republished duplicate inside the stream's duplicate window; ``publish`` returns only
after the server's PubAck (the message is stored) and raises ``BrokerError`` otherwise,
within ``publish_timeout``. The relay marks a row sent only after that return.

Consuming: one durable pull consumer per subscriber (``catalog-<name>``, explicit ack). A
message is acked only after the handler returned (its effect committed); a handler that
raised gets a nak with a delay, and one never acked (a crash) comes back after ``ack_wait``.

The client reconnects forever while running: an outage makes publishes fail (rows stay
pending) and fetches wait, and both resume by themselves when the server is back.
"""

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from urllib.parse import urlsplit
from uuid import UUID

import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, StorageType, StreamConfig
from nats.js.client import JetStreamContext

from catalog.ports import MessageHandler, OutboxMessage

STREAM = "CATALOG_EVENTS"
SUBJECT_PREFIX = "catalog."
MSG_ID = "Nats-Msg-Id"
_STREAM_NAME_IN_USE = 10058  # JetStream's err_code: that name exists with another config

log = logging.getLogger("catalog.broker")


class BrokerError(Exception):
    """The broker did not take a message, or could not be reached: retry later."""


@dataclass(frozen=True, slots=True)
class JetStreamSettings:
    publish_timeout: float = 5.0
    connect_timeout: float = 2.0
    start_timeout: float = 5.0  # to reach the server at start, before giving up (exit 2)
    # Long enough for one effect's unit of work on a busy machine, short enough that a
    # consumer killed mid-message is redelivered soon.
    ack_wait: float = 30.0
    nak_delay: float = 1.0
    fetch_batch: int = 32
    fetch_wait: float = 1.0


def check_broker_url(url: str) -> str:
    """``url`` if it is ``nats://host:port`` (or ``tls://``); else ``ValueError`` saying why."""
    parts = urlsplit(url)
    if parts.scheme not in ("nats", "tls"):
        raise ValueError(f"expected nats://HOST:PORT, got {url[:40]!r}")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"bad port in {url[:40]!r}") from None
    if not parts.hostname or port is None:
        raise ValueError(f"expected nats://HOST:PORT, got {url[:40]!r}")
    return url


def subject_of(topic: str) -> str:
    return SUBJECT_PREFIX + topic


def decode(msg: Msg) -> OutboxMessage:
    """The outbox message exactly as published: id from the Msg-Id header, topic, payload."""
    headers = msg.headers or {}
    return OutboxMessage(
        id=UUID(headers[MSG_ID]),
        topic=msg.subject.removeprefix(SUBJECT_PREFIX),
        payload=msg.data.decode("utf-8"),
    )


class JetStreamBroker:
    def __init__(
        self, connection: Client, settings: JetStreamSettings, events: "_ConnectionEvents"
    ) -> None:
        self._nc = connection
        self._events = events
        self._js = connection.jetstream(timeout=settings.publish_timeout)
        self._settings = settings

    @classmethod
    async def connect(
        cls, url: str, settings: JetStreamSettings | None = None
    ) -> "JetStreamBroker":
        """Connect, then ensure the stream; ``BrokerError`` if the server does not answer."""
        settings = settings or JetStreamSettings()
        events = _ConnectionEvents()
        connection = Client()
        try:
            # Reconnect forever once running, but give the first connection a deadline:
            # nats-py applies max_reconnect_attempts=-1 to the first connect too.
            await asyncio.wait_for(
                connection.connect(
                    servers=[check_broker_url(url)],
                    connect_timeout=max(1, round(settings.connect_timeout)),
                    allow_reconnect=True,
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=1,
                    error_cb=events.on_error,
                    disconnected_cb=events.on_disconnect,
                    reconnected_cb=events.on_reconnect,
                ),
                settings.start_timeout,
            )
        except (OSError, TimeoutError, nats.errors.Error) as error:
            await connection.close()
            reason = events.first_error or error
            raise BrokerError(f"cannot reach {url}: {reason or type(reason).__name__}") from None
        events.started = True
        broker = cls(connection, settings, events)
        try:
            await broker.ensure_stream()
        except BaseException:
            await connection.close()
            raise
        return broker

    async def ensure_stream(self) -> None:
        """Create ``CATALOG_EVENTS`` (``catalog.>``, file storage), or bring it to this config."""
        config = StreamConfig(
            name=STREAM, subjects=[SUBJECT_PREFIX + ">"], storage=StorageType.FILE
        )
        try:
            try:
                await self._js.add_stream(config)
            except nats.js.errors.BadRequestError as error:
                if error.err_code != _STREAM_NAME_IN_USE:
                    raise
                await self._js.update_stream(config)
        except nats.errors.Error as error:
            raise BrokerError(f"cannot prepare stream {STREAM}: {error}") from None

    async def publish(self, message: OutboxMessage) -> None:
        try:
            ack = await self._js.publish(
                subject_of(message.topic),
                message.payload.encode("utf-8"),
                timeout=self._settings.publish_timeout,
                stream=STREAM,
                headers={MSG_ID: str(message.id)},
            )
        except (nats.errors.Error, OSError) as error:
            raise BrokerError(f"publish {message.id} not acknowledged: {error!r}") from error
        if ack.stream != STREAM:  # pragma: no cover - the expected-stream header forbids it
            raise BrokerError(f"publish {message.id} stored in {ack.stream!r}")

    async def consume(self, durable: str, handler: MessageHandler) -> None:
        name = f"catalog-{durable}"
        config = ConsumerConfig(
            durable_name=name,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=self._settings.ack_wait,
        )
        while True:
            try:
                subscription = await self._js.pull_subscribe(
                    SUBJECT_PREFIX + ">", durable=name, stream=STREAM, config=config
                )
                break
            except nats.errors.ConnectionClosedError:
                raise
            except nats.errors.Error as error:
                # The server went away between connect and here: wait for the reconnect.
                log.warning("broker: cannot bind consumer %s (%r); retrying", name, error)
                await asyncio.sleep(self._settings.fetch_wait)
        try:
            while True:
                for msg in await self._fetch(subscription):
                    await self._deliver(msg, handler)
        finally:
            if not self._nc.is_closed:
                await subscription.unsubscribe()

    async def _fetch(self, subscription: JetStreamContext.PullSubscription) -> list[Msg]:
        try:
            messages: list[Msg] = await subscription.fetch(
                self._settings.fetch_batch, timeout=self._settings.fetch_wait
            )
        except TimeoutError:
            # Nothing waiting, or the server is away: ask again. nats-py raises the builtin
            # TimeoutError here too, not only its own subclass (a busy loop hits that path).
            return []
        except nats.errors.ConnectionClosedError:
            raise
        except nats.errors.Error as error:
            log.warning("broker: fetch failed (%r); retrying", error)
            await asyncio.sleep(self._settings.fetch_wait)
            return []
        return messages

    async def _deliver(self, msg: Msg, handler: MessageHandler) -> None:
        try:
            message = decode(msg)
        except (KeyError, ValueError, UnicodeDecodeError) as error:
            # Not one of ours: redelivering it forever would block nothing but fill the log.
            log.error("broker: dropping undecodable message on %s: %r", msg.subject, error)
            await msg.term()
            return
        try:
            await handler(message)
        except Exception as error:
            log.warning(
                "broker: %s failed (%r); redelivery in %ss",
                message.id,
                error,
                self._settings.nak_delay,
            )
            await self._settle(msg.nak(delay=self._settings.nak_delay), message)
            return
        await self._settle(msg.ack(), message)

    async def _settle(self, ack_or_nak: Awaitable[None], message: OutboxMessage) -> None:
        """Send an ack or nak. One lost while the server is away is said, not fatal: the
        server delivers the message again after ``ack_wait``, and the consumer skips it."""
        try:
            await ack_or_nak
        except (nats.errors.Error, OSError) as error:
            log.warning(
                "broker: ack/nak of %s lost (%r); it will be redelivered", message.id, error
            )

    async def close(self) -> None:
        """Flush what is in flight and close the connection."""
        self._events.closing = True
        if not self._nc.is_closed:
            await self._nc.drain()


class _ConnectionEvents:
    """The client's callbacks, as one line each on the log. Quiet before the first connection
    (its failure is the one ``BrokerError``) and while closing (a drain disconnects)."""

    def __init__(self) -> None:
        self.started = False
        self.closing = False
        self.first_error: BaseException | None = None

    async def on_error(self, error: Exception) -> None:
        if not self.started:
            self.first_error = self.first_error or error
        elif not self.closing:
            log.warning("broker: %s", error or type(error).__name__)

    async def on_disconnect(self) -> None:
        if self.started and not self.closing:
            log.warning("broker: disconnected, reconnecting")

    async def on_reconnect(self) -> None:
        log.warning("broker: reconnected")
