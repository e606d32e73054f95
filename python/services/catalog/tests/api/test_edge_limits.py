"""The edge's limits (``catalog.entrypoints.http.limits``): oversized bodies are a 413 read no
further than the limit, slow bodies a 408, slow request heads are cut — and the service keeps
answering everyone else. The same limits as the Go twin."""

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from starlette.types import Message, Receive, Scope, Send

import catalog
from catalog.entrypoints.http.app import create_app
from catalog.entrypoints.http.limits import LINGER_BYTES, MAX_BODY_BYTES, BodyLimit

MUG = {"sku": "MUG-001", "name": "Mug", "price": {"amount_minor": 1250, "currency": "EUR"}}
PROBLEM_JSON = "application/problem+json"


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(env={"CATALOG_DATABASE_URL": "memory:"})
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://catalog.test") as client:
        yield client
    await app.state.fan_out.aclose()


def _assert_problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body = response.json()
    assert (body["status"], body["code"]) == (status, code), body


async def test_a_declared_length_over_the_limit_is_413_and_the_rest_only_dropped(
    client: httpx.AsyncClient,
) -> None:
    """Refused by its declared length, never buffered; what follows is read and dropped for a
    bounded time and size (the lingering close), then the connection closes."""
    read = 0

    async def huge() -> AsyncIterator[bytes]:
        nonlocal read
        for _ in range(1024):  # 1 GiB declared and offered
            read += 1 << 20
            yield b" " * (1 << 20)

    headers = {"content-type": "application/json", "content-length": str(1 << 30)}
    response = await client.post("/products", content=huge(), headers=headers)
    _assert_problem(response, 413, "payload_too_large")
    assert read <= LINGER_BYTES + (1 << 20), f"{read} bytes were read of a refused body"
    metrics = (await client.get("/metrics")).text
    assert 'method="POST",route="/products",status="413"' in metrics  # its route, not unmatched
    assert (await client.get("/products")).json()["items"] == []


async def test_a_body_that_grows_past_the_limit_is_413_and_nothing_is_stored(
    client: httpx.AsyncClient,
) -> None:
    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: chunked
        yield b'{"sku": "BIG-1", "name": "'
        for _ in range(3):
            yield b"x" * (1 << 20)
        yield b'"}'

    response = await client.post(
        "/products", content=chunked(), headers={"content-type": "application/json"}
    )
    _assert_problem(response, 413, "payload_too_large")
    assert response.headers["connection"] == "close"
    assert (await client.get("/products")).json()["items"] == []


async def test_a_body_at_the_limit_reaches_the_app(client: httpx.AsyncClient) -> None:
    padded = b'{"pad": "' + b"x" * (MAX_BODY_BYTES - 11) + b'"}'
    assert len(padded) == MAX_BODY_BYTES
    response = await client.post(
        "/products", content=padded, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text  # read whole, then validated
    assert (await client.post("/products", json=MUG)).status_code == 201


async def test_a_body_that_arrives_too_slowly_is_408() -> None:
    answered: list[Message] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        raise AssertionError("the app must not see a body that never arrived")

    async def trickle() -> Message:
        await asyncio.sleep(0.05)
        return {"type": "http.request", "body": b"x", "more_body": True}

    async def send(message: Message) -> None:
        answered.append(message)

    scope: Scope = {
        "type": "http",
        "method": "POST",
        "path": "/products",
        "headers": [(b"content-length", b"100")],
    }
    started = time.monotonic()
    await BodyLimit(app, body_timeout_s=0.3)(scope, trickle, send)
    assert time.monotonic() - started < 1.0
    assert answered[0]["status"] == 408
    assert b'"code":"request_timeout"' in answered[1]["body"]


async def test_a_client_that_leaves_mid_body_is_a_499_not_a_server_error() -> None:
    answered: list[Message] = []
    messages: list[Message] = [
        {"type": "http.request", "body": b"{", "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        raise AssertionError("the app must not see a body that never arrived")

    async def receive() -> Message:
        return messages.pop(0)

    async def send(message: Message) -> None:
        answered.append(message)

    scope: Scope = {
        "type": "http",
        "method": "PUT",
        "path": "/x",
        "headers": [(b"content-length", b"9")],
    }
    await BodyLimit(app)(scope, receive, send)
    assert answered[0]["status"] == 499


# --- the real server: slow heads ---------------------------------------------------------

SRC = Path(catalog.__file__).resolve().parents[1]
LISTENING = re.compile(r"^catalog listening on http://127\.0\.0\.1:(\d+)$")
HEAD_TIMEOUT_S = 0.5


@pytest.fixture(scope="module")
def server_port() -> Iterator[int]:
    """One real server for the module's tests (they close what they open): one start-up."""
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "CATALOG_HEADER_TIMEOUT_S": str(HEAD_TIMEOUT_S),
        "CATALOG_DATABASE_URL": "memory:",
    }
    command = [sys.executable, "-m", "catalog", "--host", "127.0.0.1", "--port", "0"]
    with subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True) as server:
        try:
            assert server.stderr is not None
            match = LISTENING.match(server.stderr.readline().rstrip("\n"))
            assert match, "the server did not announce its port"
            yield int(match.group(1))
        finally:
            server.kill()
            server.wait(timeout=10)


def _closed_by_peer(sock: socket.socket, within_s: float) -> bool:
    sock.settimeout(within_s)
    try:
        return sock.recv(1) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def test_slow_request_heads_are_cut_and_health_keeps_answering(server_port: int) -> None:
    sockets = []
    for _ in range(50):
        sock = socket.create_connection(("127.0.0.1", server_port), timeout=5)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: catalog\r\n")  # never the blank line
        sockets.append(sock)
    try:
        started = time.monotonic()
        # Meanwhile the service answers: the held sockets take no worker from anyone else.
        health = httpx.get(f"http://127.0.0.1:{server_port}/healthz", timeout=5)
        assert health.status_code == 200
        still_open = [s for s in sockets if not _closed_by_peer(s, HEAD_TIMEOUT_S * 4)]
        assert not still_open, f"{len(still_open)} of 50 slow heads held past the deadline"
        assert time.monotonic() - started < HEAD_TIMEOUT_S * 6
    finally:
        for sock in sockets:
            sock.close()


def test_a_head_sent_a_byte_at_a_time_is_cut_at_the_deadline(server_port: int) -> None:
    with socket.create_connection(("127.0.0.1", server_port), timeout=5) as sock:
        started = time.monotonic()
        head = b"GET /healthz HTTP/1.1\r\nHost: catalog\r\nX-Slow: " + b"a" * 200
        try:
            for byte in head:
                sock.sendall(bytes([byte]))
                time.sleep(0.02)
        except (BrokenPipeError, ConnectionResetError):
            pass
        assert _closed_by_peer(sock, 2.0)
        assert time.monotonic() - started < HEAD_TIMEOUT_S + 1.5


def test_a_client_still_writing_a_large_body_reads_the_413_not_a_reset(server_port: int) -> None:
    """Before a 413 the rest of the body is read and dropped for a while (a lingering close):
    closing with unread data would reset the connection under a client still writing."""
    body = b"x" * (8 << 20)
    for _ in range(5):
        response = httpx.post(
            f"http://127.0.0.1:{server_port}/products",
            content=body,
            headers={"content-type": "application/json"},
            timeout=10,
        )
        _assert_problem(response, 413, "payload_too_large")


def test_a_head_within_the_deadline_is_served_and_kept_alive(server_port: int) -> None:
    with httpx.Client(base_url=f"http://127.0.0.1:{server_port}", timeout=5) as client:
        assert client.get("/healthz").status_code == 200
        time.sleep(HEAD_TIMEOUT_S * 1.5)  # idle between requests: uvicorn's keep-alive rules
        assert client.get("/healthz").status_code == 200


def test_a_head_h11_cannot_parse_is_a_400_problem_not_text(server_port: int) -> None:
    with socket.create_connection(("127.0.0.1", server_port), timeout=5) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: catalog\r\nbad header\r\n\r\n")
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 "), head
    assert b"content-type: application/problem+json" in head.lower(), head
    problem = json.loads(body)
    assert (problem["status"], problem["code"]) == (400, "bad_request")
