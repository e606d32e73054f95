"""``python -m catalog.relay`` as a real process: ``--once`` drains everything, the
long-running relay with a broker applies every product once, and bad settings exit 2."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
from asyncio.subprocess import PIPE
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest

import catalog
from catalog.adapters import postgres
from catalog.adapters.postgres import PostgresUnitOfWork
from catalog.adapters.sqlite_unit_of_work import SqliteUnitOfWork
from catalog.domain.money import Money
from catalog.domain.product import Product
from catalog.outbox.events import product_created
from catalog.ports import UnitOfWorkFactory

AddProducts = Callable[[UnitOfWorkFactory, int], Awaitable[set[UUID]]]
Eventually = Callable[[Callable[[], Awaitable[bool]]], Awaitable[None]]

SRC = Path(catalog.__file__).resolve().parents[1]
RELAY = [sys.executable, "-m", "catalog.relay"]


def _env(database_url: str, broker_url: str | None) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(SRC), "CATALOG_DATABASE_URL": database_url}
    env.pop("CATALOG_BROKER_URL", None)
    if broker_url is not None:
        env["CATALOG_BROKER_URL"] = broker_url
    return env


async def _pending(units: UnitOfWorkFactory) -> int:
    async with units() as uow:
        return len(await uow.outbox.pending(10_000))


async def _feed(units: UnitOfWorkFactory) -> dict[UUID, int]:
    async with units() as uow:
        return await uow.feed.counts()


@pytest.mark.parametrize("broker", ["in-memory", "jetstream"])
async def test_once_drains_more_than_one_batch(
    broker: str,
    request: pytest.FixtureRequest,
    sqlite_file: Path,
    units: UnitOfWorkFactory,
) -> None:
    created = await _committed_at_once(units, 250)  # the relay's batch is 100
    url = request.getfixturevalue("nats_server").url if broker == "jetstream" else None
    result = await asyncio.to_thread(
        subprocess.run,
        [*RELAY, "--once"],
        env=_env(f"sqlite:///{sqlite_file}", url),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "relay: published 250 message(s)\n")
    assert await _pending(units) == 0
    if url is None:  # the fake broker applies at publish time; JetStream keeps them for later
        assert await _feed(units) == dict.fromkeys(created, 1)


async def _committed_at_once(units: UnitOfWorkFactory, count: int) -> set[UUID]:
    """``count`` products with their events in one transaction: quicker than the use case."""
    price = Money(amount_minor=1250, currency="EUR")
    products = [Product.new(sku=f"BULK-{n:04}", name="Mug", price=price) for n in range(count)]
    async with units() as uow:
        for product in products:
            await uow.products.add(product)
            await uow.outbox.add(product_created(product))
        await uow.commit()
    return {product.id for product in products}


def _postgres_units(dsn: str) -> UnitOfWorkFactory:
    postgres.create_schema(dsn)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("TRUNCATE products, outbox, processed_messages, product_feed")
    return lambda: PostgresUnitOfWork(dsn)


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
async def test_the_relay_process_applies_every_product_once(
    database: str,
    request: pytest.FixtureRequest,
    nats_server: Any,
    sqlite_file: Path,
    add_products: AddProducts,
    eventually: Eventually,
) -> None:
    if database == "sqlite":
        url = f"sqlite:///{sqlite_file}"
        units: UnitOfWorkFactory = lambda: SqliteUnitOfWork(sqlite_file)  # noqa: E731
    else:
        url = request.getfixturevalue("postgres_dsn")
        units = _postgres_units(url)
    created = await add_products(units, 25)
    relay = await asyncio.create_subprocess_exec(
        *RELAY, "--interval-ms", "100", env=_env(url, nats_server.url), stderr=PIPE
    )
    try:
        created |= await add_products(units, 25)  # while it runs

        async def all_applied() -> bool:
            assert relay.returncode is None, "the relay exited"
            counts = await _feed(units)
            assert all(n == 1 for n in counts.values()), counts
            return set(counts) == created

        await eventually(all_applied)
        relay.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(relay.wait(), 15) == 0
        assert relay.stderr is not None
        assert b"Traceback" not in await relay.stderr.read()
    finally:
        if relay.returncode is None:
            relay.kill()
            await relay.wait()
    assert len(created) == 50
    assert await _pending(units) == 0


@pytest.mark.parametrize(
    ("broker_url", "says"),
    [
        ("http://127.0.0.1:4222", "expected nats://HOST:PORT"),
        ("nats://127.0.0.1:notaport", "bad port"),
        ("nats://", "expected nats://HOST:PORT"),
    ],
)
def test_a_bad_broker_url_is_one_line_and_exit_2(
    broker_url: str, says: str, sqlite_file: Path
) -> None:
    result = subprocess.run(
        [*RELAY, "--once"],
        env=_env(f"sqlite:///{sqlite_file}", broker_url),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("python -m catalog.relay: error: CATALOG_BROKER_URL: ")
    assert says in line


def test_an_unreachable_broker_at_start_is_one_line_and_exit_2(sqlite_file: Path) -> None:
    # A port bound but not listening: connections are refused, and no one else can take it.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        port = holder.getsockname()[1]
        result = subprocess.run(
            [*RELAY],
            env=_env(f"sqlite:///{sqlite_file}", f"nats://127.0.0.1:{port}"),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert f"cannot reach nats://127.0.0.1:{port}" in line


@pytest.mark.parametrize("ack_wait", ["soon", "50", "-1", "1.5"])
def test_a_bad_ack_wait_is_one_line_and_exit_2(ack_wait: str, sqlite_file: Path) -> None:
    env = {**_env(f"sqlite:///{sqlite_file}", "nats://127.0.0.1:4222")}
    env["CATALOG_BROKER_ACK_WAIT_MS"] = ack_wait
    result = subprocess.run(
        [*RELAY, "--once"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert "CATALOG_BROKER_ACK_WAIT_MS: expected whole milliseconds >= 100" in line
