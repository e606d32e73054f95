"""Every /products route: the success path and each error code it can answer."""

from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

# The `assert_problem` fixture (conftest.py): checks the problem+json envelope.
ProblemAsserter = Callable[[httpx.Response, int, str], dict[str, Any]]

MUG: dict[str, Any] = {
    "sku": "MUG-001",
    "name": "Mug",
    "price": {"amount_minor": 1250, "currency": "EUR"},
}


async def _create(client: httpx.AsyncClient, body: dict[str, Any] = MUG) -> dict[str, Any]:
    response = await client.post("/products", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_create_returns_201_location_and_the_product(client: httpx.AsyncClient) -> None:
    response = await client.post("/products", json=MUG)
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert UUID(body["id"]).version == 4
    assert response.headers["location"] == f"/products/{body['id']}"
    assert body == {"id": body["id"], **MUG}


async def test_create_trims_the_name(client: httpx.AsyncClient) -> None:
    created = await _create(client, {**MUG, "name": "  Mug  "})
    assert created["name"] == "Mug"


async def test_get_returns_the_created_product(client: httpx.AsyncClient) -> None:
    created = await _create(client)
    response = await client.get(f"/products/{created['id']}")
    assert response.status_code == 200
    body = response.json()
    # The contract's fields, unchanged, plus the upstream parts (complete: nothing degraded).
    assert {key: body[key] for key in created} == created
    assert body["degraded"] == []
    assert body["pricing"] is not None
    assert body["inventory"] is not None
    assert body["reviews"] is not None


async def test_list_is_wrapped_and_sorted_by_sku(client: httpx.AsyncClient) -> None:
    assert (await client.get("/products")).json() == {"items": []}
    for sku in ["TEA-002", "BOWL-1", "MUG-001"]:
        await _create(client, {**MUG, "sku": sku})
    response = await client.get("/products")
    assert response.status_code == 200
    assert [item["sku"] for item in response.json()["items"]] == ["BOWL-1", "MUG-001", "TEA-002"]


async def test_put_replaces_name_and_price_and_keeps_id_and_sku(
    client: httpx.AsyncClient,
) -> None:
    created = await _create(client)
    update = {"name": "Big mug", "price": {"amount_minor": 1590, "currency": "USD"}}
    response = await client.put(f"/products/{created['id']}", json=update)
    assert response.status_code == 200
    expected = {"id": created["id"], "sku": "MUG-001", **update}
    assert response.json() == expected
    got = (await client.get(f"/products/{created['id']}")).json()
    assert {key: got[key] for key in expected} == expected


async def test_delete_returns_204_with_an_empty_body(client: httpx.AsyncClient) -> None:
    created = await _create(client)
    response = await client.delete(f"/products/{created['id']}")
    assert response.status_code == 204
    assert response.content == b""
    assert (await client.get(f"/products/{created['id']}")).status_code == 404


async def test_duplicate_sku_is_409(
    client: httpx.AsyncClient, assert_problem: ProblemAsserter
) -> None:
    await _create(client)
    response = await client.post("/products", json={**MUG, "name": "Another mug"})
    body = assert_problem(response, 409, "sku_already_exists")
    assert "MUG-001" in body["detail"]
    assert len((await client.get("/products")).json()["items"]) == 1


MALFORMED_IDS = ["not-a-uuid", "123", str(uuid4()).upper(), str(uuid4()).replace("-", "")]


@pytest.mark.parametrize("product_id", [str(uuid4()), *MALFORMED_IDS])
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_unknown_or_malformed_id_is_404(
    client: httpx.AsyncClient, assert_problem: ProblemAsserter, method: str, product_id: str
) -> None:
    body = None if method != "PUT" else {"name": "Mug", "price": MUG["price"]}
    response = await client.request(method, f"/products/{product_id}", json=body)
    assert_problem(response, 404, "product_not_found")


async def test_put_validates_the_body_before_looking_up_the_id(
    client: httpx.AsyncClient, assert_problem: ProblemAsserter
) -> None:
    response = await client.put(f"/products/{uuid4()}", json={"name": ""})
    assert_problem(response, 422, "validation_failed")


async def test_put_cannot_change_the_sku(
    client: httpx.AsyncClient, assert_problem: ProblemAsserter
) -> None:
    created = await _create(client)
    response = await client.put(f"/products/{created['id']}", json={**MUG, "sku": "NEW-1"})
    body = assert_problem(response, 422, "validation_failed")
    assert {"field": "sku", "message": "Extra inputs are not permitted"} in body["errors"]


INVALID_BODIES: list[tuple[dict[str, Any], str]] = [
    ({**MUG, "price": {"amount_minor": -1, "currency": "EUR"}}, "price.amount_minor"),
    ({**MUG, "price": {"amount_minor": 12.5, "currency": "EUR"}}, "price.amount_minor"),
    ({**MUG, "price": {"amount_minor": 12.0, "currency": "EUR"}}, "price.amount_minor"),
    ({**MUG, "price": {"amount_minor": True, "currency": "EUR"}}, "price.amount_minor"),
    ({**MUG, "price": {"amount_minor": "1250", "currency": "EUR"}}, "price.amount_minor"),
    ({**MUG, "price": {"amount_minor": 1250, "currency": "eur"}}, "price.currency"),
    ({**MUG, "price": {"amount_minor": 1, "currency": "EUR", "tax": 1}}, "price.tax"),
    ({**MUG, "sku": "mug-001"}, "sku"),
    ({**MUG, "sku": "MU"}, "sku"),
    ({**MUG, "name": "   "}, "name"),
    ({**MUG, "name": "x" * 201}, "name"),
    ({**MUG, "colour": "blue"}, "colour"),
    ({"name": "Mug", "price": MUG["price"]}, "sku"),
]


@pytest.mark.parametrize(("body", "field"), INVALID_BODIES)
async def test_invalid_create_bodies_are_422_with_the_field(
    client: httpx.AsyncClient, assert_problem: ProblemAsserter, body: dict[str, Any], field: str
) -> None:
    response = await client.post("/products", json=body)
    problem = assert_problem(response, 422, "validation_failed")
    assert [error["field"] for error in problem["errors"]] == [field]
    assert all(isinstance(error["message"], str) for error in problem["errors"])
    assert (await client.get("/products")).json() == {"items": []}


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"sku": "MUG-001",', "application/json"),
        (b"", "application/json"),
        (b"[]", "application/json"),
        (b"sku=MUG-001", "application/x-www-form-urlencoded"),
    ],
)
async def test_bodies_that_are_not_a_json_object_are_422(
    client: httpx.AsyncClient, assert_problem: ProblemAsserter, content: bytes, content_type: str
) -> None:
    headers = {"content-type": content_type}
    response = await client.post("/products", content=content, headers=headers)
    problem = assert_problem(response, 422, "validation_failed")
    assert [error["field"] for error in problem["errors"]] == ["body"]
