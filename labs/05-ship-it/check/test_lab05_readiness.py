"""Lab 5, step 3: /readyz is 200 only when the service may take traffic — 503 with a reason
while it drains or while its database cannot answer. /healthz (liveness) stays 200."""

import asyncio
import time
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Self

import httpx
import pytest
from fastapi import FastAPI

from catalog.entrypoints.drain import drain_state
from catalog.entrypoints.http.app import create_app
from catalog.ports import UnitOfWork

TODO = "catalog/entrypoints/drain.py `readiness`, TODO(lab 5) step 3"


@pytest.fixture
def app() -> FastAPI:
    return create_app(env={"CATALOG_DATABASE_URL": "memory:"})


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://catalog.test") as client:
        yield client


async def test_ready_when_the_database_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert (response.status_code, response.json()) == (200, {"status": "ready"}), TODO


async def test_not_ready_once_draining_but_still_alive(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    drain_state(app).begin(time.monotonic())
    response = await client.get("/readyz")
    assert response.status_code == 503, f"/readyz while draining: {response.text} ({TODO})"
    assert response.json() == {"status": "not_ready", "reason": "draining"}, TODO
    alive = await client.get("/healthz")
    assert alive.status_code == 200, "/healthz is liveness: draining is no reason to restart"


class _Broken:
    """A unit of work whose database refuses connections, never answers, or opens but then
    fails the query (a connection dropped under it)."""

    def __init__(self, mode: str) -> None:
        self.mode = mode

    async def __aenter__(self) -> Self:
        if self.mode == "hang":
            await asyncio.sleep(30)
        if self.mode == "refuse":
            raise ConnectionRefusedError("database down")
        return self

    @property
    def products(self) -> Self:
        return self

    async def get(self, product_id: object) -> object:
        raise ConnectionResetError("connection lost")

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None


@pytest.mark.parametrize(
    ("mode", "reason"),
    [("refuse", "ConnectionRefusedError"), ("hang", ""), ("query", "ConnectionResetError")],
)
async def test_not_ready_while_the_database_cannot_answer(
    app: FastAPI, client: httpx.AsyncClient, mode: str, reason: str
) -> None:
    def factory() -> UnitOfWork:
        return _Broken(mode)  # type: ignore[return-value]

    app.state.uow_factory = factory
    started = time.monotonic()
    response = await client.get("/readyz")
    elapsed = time.monotonic() - started
    assert response.status_code == 503, f"/readyz with the database down: {response.text} ({TODO})"
    body = response.json()
    assert body["status"] == "not_ready", TODO
    assert body["reason"].startswith("database"), f"say why: {body} ({TODO})"
    assert reason in body["reason"], f"name the error: {body} ({TODO})"
    assert elapsed < 3, f"/readyz took {elapsed:.1f} s: bound the query (READINESS_TIMEOUT)"
