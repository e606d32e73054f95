"""``python -m catalog.relay``: publish the catalog's outbox at least once, and apply it.

Reads ``CATALOG_DATABASE_URL`` (a SQLite file or PostgreSQL: the relay is a separate
process, so the default temporary database of a lone catalog is out of its reach) and
``CATALOG_BROKER_URL``:

- set (``nats://HOST:PORT``): publishes to NATS JetStream (stream ``CATALOG_EVENTS``,
  subjects ``catalog.<topic>``) and marks a row sent only after the broker's ack; in the SAME
  process it runs the durable consumer ``product-feed`` (JetStream durable
  ``catalog-product-feed``), which counts each created product in ``product_feed``;
- unset: the in-process fake broker, which hands each message to ``product-feed`` at once.

``--once`` publishes everything pending, batch after batch, and exits 0 (1, with one line,
if the broker stops acking mid-way; with a broker the consumer does not run: the stream keeps
the messages for the long-running relay). Otherwise
it polls until SIGTERM or SIGINT, then closes the broker connection (drained) and storage.
A broker outage while running is waited out: rows stay pending and go out once it is back.
A bad setting, or a broker that does not answer within 5 s of start, is one line on stderr
and exit 2.
"""

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Mapping, Sequence

from catalog.adapters.in_memory import InMemoryBroker
from catalog.adapters.jetstream import BrokerError, JetStreamBroker
from catalog.bootstrap import (
    BROKER_URL,
    DATABASE_URL,
    broker_settings_from_env,
    broker_url_from_env,
    storage_from_env,
)
from catalog.entrypoints.outbox_runner import drain_outbox, publish_until_stopped, serve
from catalog.fanout.settings import SettingsError
from catalog.outbox.relay import OutboxRelay
from catalog.outbox.subscribers import product_feed_consumer

log = logging.getLogger("catalog.relay")


async def _run(env: Mapping[str, str], once: bool, interval: float) -> int:
    url = broker_url_from_env(env)
    stop = asyncio.Event()
    if not once:  # --once keeps Python's Ctrl-C (KeyboardInterrupt, exit 130)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
    storage = storage_from_env(env)
    try:
        if not url:
            fake = InMemoryBroker()
            fake.subscribe(product_feed_consumer(storage.uow_factory))
            relay = OutboxRelay(storage.uow_factory, fake)
            if once:
                log.info("relay: published %d message(s)", await drain_outbox(relay))
                return 0
            await publish_until_stopped(relay, interval, stop)
            return 0
        try:
            broker = await JetStreamBroker.connect(url, broker_settings_from_env(env))
        except BrokerError as error:
            raise SettingsError(f"{BROKER_URL}: {error}") from None
        try:
            if once:
                relay = OutboxRelay(storage.uow_factory, broker)
                log.info("relay: published %d message(s)", await drain_outbox(relay))
                return 0
            await serve(storage.uow_factory, broker, interval, stop)
            return 0
        finally:
            await broker.close()
    finally:
        storage.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m catalog.relay",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--once", action="store_true", help="publish all that is pending, exit")
    parser.add_argument("--interval-ms", type=int, default=500, help="poll interval (ms)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    if not os.environ.get(DATABASE_URL, "").strip():
        print(f"python -m catalog.relay: error: set {DATABASE_URL}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_run(os.environ, args.once, args.interval_ms / 1000))
    except SettingsError as error:
        print(f"python -m catalog.relay: error: {error}", file=sys.stderr)
        return 2
    except BrokerError as error:  # --once only: the broker stopped answering mid-way
        print(f"python -m catalog.relay: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
