"""``python -m catalog`` with ``CATALOG_BROKER_URL``: the relay and the product-feed consumer
run in the HTTP catalog's process and stop with its drain."""

import asyncio
import os
import re
import signal
import subprocess
import sys
from asyncio.subprocess import PIPE
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

import catalog
from catalog.ports import UnitOfWorkFactory

Eventually = Callable[[Callable[[], Awaitable[bool]]], Awaitable[None]]

SRC = Path(catalog.__file__).resolve().parents[1]
LISTENING = re.compile(r"^catalog listening on (http://127\.0\.0\.1:\d+)$")
CATALOG = [sys.executable, "-m", "catalog", "--host", "127.0.0.1", "--port", "0"]


def _env(sqlite_file: Path, broker_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "CATALOG_DATABASE_URL": f"sqlite:///{sqlite_file}",
        "CATALOG_BROKER_URL": broker_url,
        "CATALOG_DRAIN_DELAY_MS": "0",
    }


async def test_the_catalog_relays_its_own_outbox_and_stops_on_drain(
    nats_server: Any, sqlite_file: Path, units: UnitOfWorkFactory, eventually: Eventually
) -> None:
    server = await asyncio.create_subprocess_exec(
        *CATALOG, env=_env(sqlite_file, nats_server.url), stderr=PIPE
    )
    try:
        assert server.stderr is not None
        line = (await asyncio.wait_for(server.stderr.readline(), 30)).decode().rstrip("\n")
        match = LISTENING.match(line)
        assert match, f"unexpected first line: {line!r}"
        created = set()
        async with httpx.AsyncClient(base_url=match.group(1), timeout=10) as client:
            for n in range(5):
                body = {
                    "sku": f"MUG-{n:03}",
                    "name": "Mug",
                    "price": {"amount_minor": 1250, "currency": "EUR"},
                }
                response = await client.post("/products", json=body)
                assert response.status_code == 201, response.text
                created.add(response.json()["id"])

        async def all_applied() -> bool:
            assert server.returncode is None, "the catalog exited"
            async with units() as uow:
                counts = await uow.feed.counts()
            assert all(n == 1 for n in counts.values()), counts
            return {str(product_id) for product_id in counts} == created

        await eventually(all_applied)
        server.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(server.wait(), 30) == 0
        assert b"Traceback" not in await server.stderr.read()
    finally:
        if server.returncode is None:
            server.kill()
            await server.wait()


def test_a_bad_broker_url_stops_the_catalog_with_one_line(sqlite_file: Path) -> None:
    result = subprocess.run(
        CATALOG,
        env=_env(sqlite_file, "nats//127.0.0.1:4222"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("python -m catalog: error: CATALOG_BROKER_URL: expected nats://")
