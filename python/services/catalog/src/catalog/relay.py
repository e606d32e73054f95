"""``python -m catalog.relay``: publish the catalog's outbox, at least once.

Reads ``CATALOG_DATABASE_URL`` (a SQLite file or PostgreSQL: the relay is a separate
process, so the default temporary database of a lone catalog is out of its reach), publishes
pending messages to the in-process fake broker, where an idempotent consumer counts them,
and marks them sent. ``--once`` publishes what is pending and exits; otherwise it polls.
"""

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

from catalog.adapters.in_memory import InMemoryBroker
from catalog.bootstrap import DATABASE_URL, storage_from_env
from catalog.fanout.settings import SettingsError
from catalog.outbox.consumer import IdempotentConsumer
from catalog.outbox.relay import OutboxRelay
from catalog.outbox.subscribers import ProductEventCounter


async def _run(once: bool, interval: float) -> int:
    storage = storage_from_env(os.environ)
    try:
        broker = InMemoryBroker()
        counter = ProductEventCounter()
        broker.subscribe(IdempotentConsumer("event-counter", storage.uow_factory, counter))
        relay = OutboxRelay(storage.uow_factory, broker)
        while True:
            sent = await relay.run_once()
            if sent:
                print(f"relay: published {sent} message(s); {dict(counter.counts)}", flush=True)
            if once:
                return 0
            if not sent:
                await asyncio.sleep(interval)
    finally:
        storage.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m catalog.relay", description=__doc__)
    parser.add_argument("--once", action="store_true", help="publish what is pending, then exit")
    parser.add_argument("--interval-ms", type=int, default=500, help="poll interval (ms)")
    args = parser.parse_args(argv)
    if not os.environ.get(DATABASE_URL, "").strip():
        print(f"python -m catalog.relay: error: set {DATABASE_URL}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_run(args.once, args.interval_ms / 1000))
    except SettingsError as error:
        print(f"python -m catalog.relay: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
