"""``POST /products`` with an ``Idempotency-Key`` (SQLite, the default storage)."""

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

ProblemAsserter = Callable[[httpx.Response, int, str], dict[str, Any]]

MUG: dict[str, Any] = {
    "sku": "MUG-1",
    "name": "Mug",
    "price": {"amount_minor": 1250, "currency": "EUR"},
}


async def post(client: httpx.AsyncClient, body: str, *keys: str) -> httpx.Response:
    headers = [("Content-Type", "application/json"), *(("Idempotency-Key", k) for k in keys)]
    return await client.post("/products", content=body, headers=headers)


async def test_a_retry_gets_the_first_answer(client: httpx.AsyncClient) -> None:
    first = await post(client, json.dumps(MUG), "retry-key-0001")
    # The same request serialized another way: the fingerprint is of the parsed request.
    reordered = (
        '{ "price": {"currency": "EUR", "amount_minor": 1250}, "name": "Mug", "sku": "MUG-1" }'
    )
    again = await post(client, reordered, "retry-key-0001")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.content == first.content
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["content-type"] == "application/json"
    assert len((await client.get("/products")).json()["items"]) == 1


async def test_the_key_with_another_body_is_409(
    client: httpx.AsyncClient, assert_problem: ProblemAsserter
) -> None:
    await post(client, json.dumps(MUG), "retry-key-0002")
    other = {**MUG, "price": {"amount_minor": 1300, "currency": "EUR"}}
    assert_problem(
        await post(client, json.dumps(other), "retry-key-0002"), 409, "idempotency_conflict"
    )


@pytest.mark.parametrize(
    "keys",
    [
        [""],
        ["short"],
        ["k" * 129],
        ["retry key 01"],
        ["retry-key-\x7f"],
        ["retry/key/0005"],
        ["retry-key-0003", "retry-key-0004"],
    ],
    ids=["empty", "too-short", "too-long", "space", "control", "slash", "twice"],
)
async def test_a_malformed_key_is_422_naming_the_header(
    client: httpx.AsyncClient, assert_problem: ProblemAsserter, keys: list[str]
) -> None:
    body = assert_problem(await post(client, json.dumps(MUG), *keys), 422, "validation_failed")
    assert [error["field"] for error in body["errors"]] == ["Idempotency-Key"]


async def test_a_128_character_key_is_fine(client: httpx.AsyncClient) -> None:
    assert (await post(client, json.dumps(MUG), "k" * 128)).status_code == 201


async def test_an_invalid_body_is_not_stored(client: httpx.AsyncClient) -> None:
    bad = {**MUG, "price": {"amount_minor": 1250, "currency": "euro"}}
    assert (await post(client, json.dumps(bad), "retry-key-0006")).status_code == 422
    assert (await post(client, json.dumps(MUG), "retry-key-0006")).status_code == 201


async def test_concurrent_duplicates_make_one_product(client: httpx.AsyncClient) -> None:
    answers = await asyncio.gather(
        *(post(client, json.dumps(MUG), "retry-key-0007") for _ in range(8))
    )
    assert {(a.status_code, a.content) for a in answers} == {(201, answers[0].content)}
    assert len((await client.get("/products")).json()["items"]) == 1
