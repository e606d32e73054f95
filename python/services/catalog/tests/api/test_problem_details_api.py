"""The error envelope for failures that are not about one product: routing and bugs."""

from collections.abc import Callable
from typing import Any
from uuid import UUID

import httpx
import pytest
from fastapi import FastAPI

from catalog.adapters.in_memory_repository import InMemoryProductRepository
from catalog.domain.errors import CatalogError
from catalog.domain.product import Product
from catalog.entrypoints.http.dependencies import get_product_repository

ProblemAsserter = Callable[[httpx.Response, int, str], dict[str, Any]]

SECRET = "postgres://admin:hunter2@db/catalog"


class _UnmappedError(CatalogError):
    """Raised on purpose, but nobody added it to the mapping table."""


class _BrokenRepository(InMemoryProductRepository):
    """Fails the way a real database might, with details that must not reach clients."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self._error = error

    async def list_all(self) -> list[Product]:
        raise self._error

    async def get(self, product_id: UUID) -> Product:
        raise self._error


async def test_unknown_route_is_404_not_found(
    client: httpx.AsyncClient, assert_problem: ProblemAsserter
) -> None:
    assert_problem(await client.get("/no/such/route"), 404, "not_found")


async def test_trailing_slash_is_not_redirected(
    client: httpx.AsyncClient, assert_problem: ProblemAsserter
) -> None:
    assert_problem(await client.get("/products/"), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PATCH", "/products", "GET, POST"),
        ("DELETE", "/products", "GET, POST"),
        ("POST", "/products/7d9f8a9e-0000-4000-8000-000000000000", "DELETE, GET, PUT"),
        ("POST", "/healthz", "GET"),
    ],
)
async def test_wrong_method_is_405_with_allow(
    client: httpx.AsyncClient, assert_problem: ProblemAsserter, method: str, path: str, allow: str
) -> None:
    response = await client.request(method, path)
    assert_problem(response, 405, "method_not_allowed")
    assert response.headers["allow"] == allow


@pytest.mark.parametrize(
    "error", [RuntimeError(SECRET), _UnmappedError(SECRET)], ids=["bug", "unmapped"]
)
@pytest.mark.parametrize("path", ["/products", "/products/7d9f8a9e-0000-4000-8000-000000000000"])
async def test_unexpected_errors_are_500_without_details(
    app: FastAPI,
    client: httpx.AsyncClient,
    assert_problem: ProblemAsserter,
    error: Exception,
    path: str,
) -> None:
    app.dependency_overrides[get_product_repository] = lambda: _BrokenRepository(error)
    response = await client.get(path)
    assert_problem(response, 500, "internal")
    assert "hunter2" not in response.text
    assert type(error).__name__ not in response.text
    assert "Traceback" not in response.text
