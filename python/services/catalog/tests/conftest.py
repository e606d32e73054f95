"""Shared fixtures: a fresh app per test and an in-process HTTP client for it."""

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import settings

from catalog.entrypoints.http.app import create_app

# No example database: a run does not depend on what earlier runs found, so a result on one
# machine is the result on every machine. No deadline: a slow first call on a busy CI
# machine is not a bug.
settings.register_profile("catalog", database=None, deadline=None)
settings.load_profile("catalog")

PROBLEM_TYPE_BASE = "https://language-tracks.example/problems/"

ProblemAsserter = Callable[[httpx.Response, int, str], dict[str, Any]]


@pytest.fixture
def app() -> FastAPI:
    return create_app()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    # raise_app_exceptions=False: Starlette re-raises unexpected errors after sending the 500
    # (so servers log them); the test wants to see the response a client would get.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://catalog.test") as client:
        yield client


def _assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Check the RFC 9457 envelope and return the body for further checks."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == PROBLEM_TYPE_BASE + code.replace("_", "-")
    assert body["status"] == status
    assert body["code"] == code
    assert isinstance(body["title"], str)
    assert body["title"]
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body


@pytest.fixture
def assert_problem() -> ProblemAsserter:
    return _assert_problem
