"""Lab 1 acceptance checks through the public HTTP app (in process, no server needed).

Each failure message says what the contract expects and which TODO(lab 1) to look at. Run
them with ``pnpm lab 1 check``.
"""

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from fastapi import FastAPI

from catalog.adapters.in_memory_repository import InMemoryProductRepository
from catalog.domain.errors import CatalogError
from catalog.domain.product import Product
from catalog.entrypoints.http.app import create_app
from catalog.entrypoints.http.dependencies import get_product_repository

SRC = "python/services/catalog/src/catalog"
MONEY_TODO = f"see TODO(lab 1) in {SRC}/domain/money.py"
PRODUCT_TODO = f"see TODO(lab 1) in {SRC}/domain/product.py"
SCHEMAS_TODO = f"see TODO(lab 1) in {SRC}/entrypoints/http/schemas.py"
PROBLEMS_TODO = f"see TODO(lab 1) in {SRC}/entrypoints/http/problem_details.py"

PROBLEM_TYPE_BASE = "https://language-tracks.example/problems/"
MUG: dict[str, Any] = {
    "sku": "MUG-001",
    "name": "Mug",
    "price": {"amount_minor": 1250, "currency": "EUR"},
}


@pytest.fixture
def app() -> FastAPI:
    return create_app()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    # raise_app_exceptions=False: see the 500 a client would get instead of the exception.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://catalog.test") as client:
        yield client


def expect_problem(response: httpx.Response, status: int, code: str, why: str) -> dict[str, Any]:
    """Assert an RFC 9457 problem response; ``why`` says what the contract wants and where."""
    assert response.status_code == status, (
        f"expected HTTP {status} ({code}), got {response.status_code}: {why}\n"
        f"  response body: {response.text[:300]}"
    )
    content_type = response.headers.get("content-type")
    assert content_type == "application/problem+json", (
        f"a {status} must be served as 'application/problem+json', got {content_type!r} "
        f"with body {response.text[:200]} ({PROBLEMS_TODO})"
    )
    body: dict[str, Any] = response.json()
    missing = {"type", "title", "status", "detail", "code"} - body.keys()
    assert not missing, f"the problem body lacks {sorted(missing)} ({PROBLEMS_TODO})"
    assert (body["code"], body["status"]) == (code, status), (
        f"expected code {code!r} and status {status}, got {body['code']!r} and "
        f"{body['status']!r} ({PROBLEMS_TODO})"
    )
    expected_type = PROBLEM_TYPE_BASE + code.replace("_", "-")
    assert body["type"] == expected_type, (
        f"expected type {expected_type!r}, got {body['type']!r} ({PROBLEMS_TODO})"
    )
    return body


def expect_field_errors(body: dict[str, Any], fields: list[str]) -> None:
    errors = body.get("errors")
    assert isinstance(errors, list), (
        f"a validation problem must list its 'errors' ({PROBLEMS_TODO}); body: {body}"
    )
    got = [error.get("field") for error in errors if isinstance(error, dict)]
    assert got == fields, (
        f"expected errors for the fields {fields}, got {got}: join pydantic's 'loc' without "
        f"the leading 'body' with dots, e.g. 'price.amount_minor' ({PROBLEMS_TODO})"
    )
    assert all(isinstance(error.get("message"), str) for error in errors), (
        f"every entry of 'errors' needs a 'message' string ({PROBLEMS_TODO})"
    )


async def create(client: httpx.AsyncClient, body: dict[str, Any] = MUG) -> dict[str, Any]:
    response = await client.post("/products", json=body)
    assert response.status_code == 201, (
        f"POST /products with a valid body must answer 201, got {response.status_code}: "
        f"{response.text[:300]}"
    )
    created: dict[str, Any] = response.json()
    return created


def contract_fields(response: httpx.Response) -> dict[str, Any]:
    """A product answer's contract fields; later labs add others (lab 2: upstream parts)."""
    body: dict[str, Any] = response.json()
    return {key: body[key] for key in ("id", "sku", "name", "price") if key in body}


def price(amount: object, currency: object = "EUR") -> dict[str, object]:
    return {"amount_minor": amount, "currency": currency}


async def test_create_get_list_and_delete_follow_the_contract(client: httpx.AsyncClient) -> None:
    created = await create(client)
    assert UUID(created["id"]).version == 4
    assert created == {"id": created["id"], **MUG}
    unchanged = {key: created[key] for key in ("id", "sku", "name", "price")}
    assert contract_fields(await client.get(f"/products/{created['id']}")) == unchanged
    assert (await client.get("/products")).json() == {"items": [created]}
    deleted = await client.delete(f"/products/{created['id']}")
    assert (deleted.status_code, deleted.content) == (204, b"")


@pytest.mark.parametrize("amount", [-1, -1250])
async def test_a_negative_price_is_422(client: httpx.AsyncClient, amount: int) -> None:
    response = await client.post("/products", json={**MUG, "price": price(amount)})
    why = f"a negative price must be rejected with 422 ({MONEY_TODO})"
    expect_field_errors(
        expect_problem(response, 422, "validation_failed", why), ["price.amount_minor"]
    )


@pytest.mark.parametrize("amount", [12.5, 12.0, True, "1250"], ids=repr)
async def test_an_amount_that_is_not_an_int_is_422(
    client: httpx.AsyncClient, amount: object
) -> None:
    response = await client.post("/products", json={**MUG, "price": price(amount)})
    why = (
        f"amount_minor={amount!r} must be rejected, not converted: amounts are ints ({MONEY_TODO})"
    )
    expect_field_errors(
        expect_problem(response, 422, "validation_failed", why), ["price.amount_minor"]
    )


@pytest.mark.parametrize("currency", ["eur", "EURO", "E1R"])
async def test_a_malformed_currency_is_422(client: httpx.AsyncClient, currency: str) -> None:
    response = await client.post("/products", json={**MUG, "price": price(1250, currency)})
    why = f"currency={currency!r} is not three uppercase letters ({MONEY_TODO})"
    expect_field_errors(expect_problem(response, 422, "validation_failed", why), ["price.currency"])


async def test_an_unknown_field_in_the_body_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post("/products", json={**MUG, "colour": "blue"})
    why = f"an unknown field ('colour') must be rejected, not ignored ({SCHEMAS_TODO})"
    expect_field_errors(expect_problem(response, 422, "validation_failed", why), ["colour"])


async def test_an_unknown_field_in_the_price_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post("/products", json={**MUG, "price": {**price(1), "tax": 1}})
    why = f"an unknown field in the price ('tax') must be rejected ({MONEY_TODO})"
    expect_field_errors(expect_problem(response, 422, "validation_failed", why), ["price.tax"])


async def test_validation_errors_use_the_problem_envelope(client: httpx.AsyncClient) -> None:
    response = await client.post("/products", json={**MUG, "name": "   "})
    why = "a blank name is invalid (the Sku and ProductName types already say so)"
    expect_field_errors(expect_problem(response, 422, "validation_failed", why), ["name"])


async def test_malformed_json_is_422(client: httpx.AsyncClient) -> None:
    headers = {"content-type": "application/json"}
    response = await client.post("/products", content=b'{"sku": ', headers=headers)
    why = "a body that is not JSON is a validation failure too"
    expect_field_errors(expect_problem(response, 422, "validation_failed", why), ["body"])


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize("product_id", ["unknown", "malformed"])
async def test_a_missing_product_is_404(
    client: httpx.AsyncClient, method: str, product_id: str
) -> None:
    path_id = str(uuid4()) if product_id == "unknown" else "not-a-uuid"
    body = {"name": "Mug", "price": price(1250)} if method == "PUT" else None
    response = await client.request(method, f"/products/{path_id}", json=body)
    why = (
        f"{method} of a product that does not exist is a 404 product_not_found, not a crash and "
        f"not a 400: map ProductNotFoundError in DOMAIN_PROBLEMS ({PROBLEMS_TODO})"
    )
    body_json = expect_problem(response, 404, "product_not_found", why)
    assert path_id in body_json["detail"], "the detail should name the id that was not found"


async def test_a_duplicate_sku_is_409(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.post("/products", json={**MUG, "name": "Another mug"})
    why = (
        f"a second product with the same sku is a 409: map SkuAlreadyExistsError ({PROBLEMS_TODO})"
    )
    expect_problem(response, 409, "sku_already_exists", why)


async def test_put_replaces_name_and_price_and_keeps_id_and_sku(client: httpx.AsyncClient) -> None:
    created = await create(client)
    update = {"name": "Big mug", "price": price(1590, "USD")}
    response = await client.put(f"/products/{created['id']}", json=update)
    assert response.status_code == 200, (
        f"PUT /products/{{id}} must answer 200 with the revised product, got "
        f"{response.status_code}: {response.text[:200]} ({PRODUCT_TODO}: Product.revised)"
    )
    expected = {"id": created["id"], "sku": "MUG-001", **update}
    assert response.json() == expected, f"PUT must keep the id and the sku ({PRODUCT_TODO})"
    assert contract_fields(await client.get(f"/products/{created['id']}")) == expected


async def test_the_client_cannot_choose_the_id(client: httpx.AsyncClient) -> None:
    response = await client.post("/products", json={**MUG, "id": str(uuid4())})
    why = (
        "the create DTO describes the wire, not the domain Product: the catalog chooses the "
        f"id, so a client-sent 'id' is an unknown field ({SCHEMAS_TODO})"
    )
    expect_field_errors(expect_problem(response, 422, "validation_failed", why), ["id"])


async def test_put_cannot_change_the_sku(client: httpx.AsyncClient) -> None:
    created = await create(client)
    update = {"sku": "CUP-002", "name": "Big mug", "price": price(1590)}
    response = await client.put(f"/products/{created['id']}", json=update)
    why = (
        "the SKU never changes, so the update DTO has no 'sku': a client-sent one is an unknown "
        f"field, not silently ignored ({SCHEMAS_TODO})"
    )
    expect_field_errors(expect_problem(response, 422, "validation_failed", why), ["sku"])
    unchanged = {key: created[key] for key in ("id", "sku", "name", "price")}
    assert contract_fields(await client.get(f"/products/{created['id']}")) == unchanged


class _UnmappedError(CatalogError):
    """A deliberate error that no entry of the mapping table covers."""


class _BrokenRepository(InMemoryProductRepository):
    def __init__(self, error: Exception) -> None:
        super().__init__()
        self._error = error

    async def get(self, product_id: UUID) -> Product:
        raise self._error


@pytest.mark.parametrize(
    "error",
    [RuntimeError("db password=hunter2"), _UnmappedError("db password=hunter2")],
    ids=["unexpected-exception", "unmapped-catalog-error"],
)
async def test_an_unexpected_error_is_500_and_leaks_nothing(
    app: FastAPI, client: httpx.AsyncClient, error: Exception
) -> None:
    app.dependency_overrides[get_product_repository] = lambda: _BrokenRepository(error)
    response = await client.get(f"/products/{uuid4()}")
    why = f"an error nobody mapped is a bug: 500 internal ({PROBLEMS_TODO})"
    expect_problem(response, 500, "internal", why)
    leak = (
        f"a 500 must not reveal the exception's text or type: log it, send a fixed detail "
        f"({PROBLEMS_TODO}); got {response.text}"
    )
    assert "hunter2" not in response.text, leak
    assert type(error).__name__ not in response.text, leak
