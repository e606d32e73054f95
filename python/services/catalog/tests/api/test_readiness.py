"""/readyz: 503 with a reason while the database cannot answer or the service drains."""

import time
from types import TracebackType
from typing import Self

import httpx
import pytest
from fastapi import FastAPI

from catalog.entrypoints.drain import drain_settings_from_env, drain_state
from catalog.fanout.settings import SettingsError
from catalog.ports import UnitOfWork


async def test_ready_when_the_database_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert (response.status_code, response.json()) == (200, {"status": "ready"})


async def test_not_ready_while_draining(app: FastAPI, client: httpx.AsyncClient) -> None:
    drain_state(app).begin(time.monotonic())
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "not_ready", "reason": "draining"}
    assert (await client.get("/healthz")).status_code == 200


class _DownDatabase:
    async def __aenter__(self) -> Self:
        raise ConnectionRefusedError("database down")

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None


def _down() -> UnitOfWork:
    return _DownDatabase()  # type: ignore[return-value]


async def test_not_ready_while_the_database_cannot_answer(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    app.state.uow_factory = _down
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "not_ready", "reason": "database: ConnectionRefusedError"}


def test_drain_settings_from_env() -> None:
    settings = drain_settings_from_env(
        {"CATALOG_DRAIN_DELAY_MS": "0", "CATALOG_GRACE_PERIOD_MS": "250"}
    )
    assert (settings.delay, settings.grace) == (0, 0.25)
    assert drain_settings_from_env({}).delay == 0.2
    with pytest.raises(SettingsError, match="CATALOG_DRAIN_DELAY_MS"):
        drain_settings_from_env({"CATALOG_DRAIN_DELAY_MS": "-1"})
