"""The contract's odd requests, answered as the Go twin answers them (issue 14).

Each odd body is one 422 ``validation_failed`` error about the field Go names too; a path with
an invalid percent-escape is a 400 ``bad_request``; the OpenAPI document is the committed one.
"""

from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import httpx
import pytest

from catalog.entrypoints.http.json_body import MAX_JSON_DEPTH, loads_strict, too_deep

ProblemAsserter = Callable[[httpx.Response, int, str], dict[str, Any]]

VALID = b'{"sku": "ABC-1", "name": "x", "price": {"amount_minor": 1, "currency": "EUR"}}'
JSON = {"content-type": "application/json"}
REPO = Path(__file__).resolve().parents[5]


@pytest.mark.parametrize(
    ("what", "body", "headers", "field", "message"),
    [
        ("no Content-Type", VALID, {}, "body", None),
        ("a byte order mark", b"\xef\xbb\xbf" + VALID, JSON, "body", "must not start with a byte"),
        ("invalid UTF-8", VALID.replace(b'"x"', b'"\xff"'), JSON, "body", "must be UTF-8"),
        ("10,000 [", b"[" * 10_000, JSON, "body", f"nested deeper than {MAX_JSON_DEPTH}"),
        (
            "a 5,000-digit amount",
            VALID.replace(b": 1,", b": " + b"9" * 5000 + b","),
            JSON,
            "price.amount_minor",
            None,
        ),
        ("NaN", VALID.replace(b": 1,", b": NaN,"), JSON, "body", None),
    ],
)
async def test_odd_bodies_are_422_about_one_field(
    client: httpx.AsyncClient,
    assert_problem: ProblemAsserter,
    what: str,
    body: bytes,
    headers: dict[str, str],
    field: str,
    message: str | None,
) -> None:
    response = await client.post("/products", content=body, headers=headers)
    problem = assert_problem(response, 422, "validation_failed")
    assert [e["field"] for e in problem["errors"]] == [field], what
    if message is not None:
        assert message in problem["errors"][0]["message"], what


async def test_an_invalid_percent_escape_is_400_bad_request(
    client: httpx.AsyncClient, assert_problem: ProblemAsserter
) -> None:
    response = await client.get(httpx.URL("/products/%zz"))
    assert_problem(response, 400, "bad_request")
    # A valid escape is routed as before.
    assert_problem(await client.get("/products/%41"), 404, "product_not_found")


async def test_the_openapi_document_is_the_committed_one(client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    committed = (REPO / "tooling/contract/catalog.openapi.json").read_bytes()
    packaged = files("catalog.entrypoints.http").joinpath("catalog.openapi.json").read_bytes()
    assert response.content == committed == packaged
    for gone in ("/docs", "/redoc"):
        assert (await client.get(gone)).status_code == 404


def test_depth_counts_brackets_outside_strings_only() -> None:
    assert not too_deep(b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH)
    assert too_deep(b"[" * (MAX_JSON_DEPTH + 1))
    assert not too_deep(b'{"name": "' + b"[{" * 100 + b'\\"[["}')
    assert loads_strict(b'{"n": ' + b"1" * 41 + b"}") == {"n": 1 << 64}
