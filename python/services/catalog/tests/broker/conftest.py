"""Fixtures of the broker behaviour tests: a SQLite catalog, products in it, and waiting.

The test modules restate the types (``AddProducts``, ``Eventually``): conftest modules are not
importable under ``--import-mode=importlib``."""

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from uuid import UUID

import pytest

from catalog import use_cases
from catalog.adapters import sqlite
from catalog.adapters.sqlite_unit_of_work import SqliteUnitOfWork
from catalog.domain.money import Money
from catalog.ports import UnitOfWorkFactory

Eventually = Callable[[Callable[[], Awaitable[bool]]], Awaitable[None]]


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    path = tmp_path / "catalog.sqlite3"
    sqlite.create_schema(path)
    return path


@pytest.fixture
def units(sqlite_file: Path) -> UnitOfWorkFactory:
    return lambda: SqliteUnitOfWork(sqlite_file)


AddProducts = Callable[[UnitOfWorkFactory, int], Awaitable[set[UUID]]]


@pytest.fixture
def add_products() -> AddProducts:
    """Create products through the use case (each with its outbox event); their ids."""
    price = Money(amount_minor=1250, currency="EUR")
    made = 0

    async def add(units: UnitOfWorkFactory, count: int) -> set[UUID]:
        nonlocal made
        created = set()
        for _ in range(count):
            made += 1
            product = await use_cases.create_product(
                units(), sku=f"SKU-{made:04}", name="Mug", price=price
            )
            created.add(product.id)
        return created

    return add


@pytest.fixture
def eventually() -> Eventually:
    """Wait (polling) until ``check()`` is true; fail after 20 s, a loaded machine's margin."""

    async def wait(check: Callable[[], Awaitable[bool]]) -> None:
        deadline = asyncio.get_running_loop().time() + 20
        while not await check():
            assert asyncio.get_running_loop().time() < deadline, "condition not met in 20 s"
            await asyncio.sleep(0.05)

    return wait
