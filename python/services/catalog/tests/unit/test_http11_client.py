"""The upstream HTTP/1.1 client against a tiny real server (asyncio, one canned answer each)."""

import asyncio
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from catalog.fanout.http11 import Http11Client
from catalog.fanout.upstreams import Http11Upstream

Answer = Callable[[bytes], bytes | None]


class Server:
    """Answers each request with ``answer(request line)``; None: close without answering."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.connections = 0
        self.requests = 0
        #: Connections the server saw end (counted before it closes its side).
        self.ended = 0
        #: Set on each request read: a test waits on it for "the call is in flight".
        self.received = asyncio.Event()
        #: Set: the server closes its side when the client closes; cleared, it lingers.
        self.closes_promptly = asyncio.Event()
        self.closes_promptly.set()
        self.port = 0
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> "Server":
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                self.requests += 1
                self.received.set()
                reply = self.answer(head.split(b"\r\n", 1)[0])
                if reply is None:
                    break
                writer.write(reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            self.ended += 1
            await self.closes_promptly.wait()
        finally:
            writer.close()


def ok(body: bytes, *extra: str) -> bytes:
    headers = "".join(f"{h}\r\n" for h in extra)
    return f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n{headers}\r\n".encode() + body


@pytest.fixture
async def client() -> AsyncIterator[Http11Client]:
    http = Http11Client(max_connections=4)
    yield http
    await http.aclose()


async def test_keep_alive_reuses_one_connection(client: Http11Client) -> None:
    async with Server(lambda _: ok(b'{"a": 1}')) as server:
        for _ in range(3):
            assert await client.get(f"{server.base}/x/1") == (200, b'{"a": 1}')
    assert (server.connections, server.requests) == (1, 3)


async def test_chunked_bodies_are_reassembled(client: Http11Client) -> None:
    chunked = (
        b'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{"a"\r\n4\r\n: 1}\r\n0\r\n\r\n'
    )
    async with Server(lambda _: chunked) as server:
        assert await client.get(f"{server.base}/x") == (200, b'{"a": 1}')
        assert await client.get(f"{server.base}/x") == (200, b'{"a": 1}')
    assert server.connections == 1


async def test_connection_close_is_honoured(client: Http11Client) -> None:
    async with Server(lambda _: ok(b"{}", "Connection: close")) as server:
        await client.get(f"{server.base}/x")
        await client.get(f"{server.base}/x")
    assert server.connections == 2


async def test_a_stale_idle_connection_is_replaced_once(client: Http11Client) -> None:
    answers = iter([ok(b"1"), None, ok(b"2")])
    async with Server(lambda _: next(answers)) as server:
        assert await client.get(f"{server.base}/x") == (200, b"1")
        # The server closes the idle connection on the next request: a fresh one answers.
        assert await client.get(f"{server.base}/x") == (200, b"2")
    assert server.connections == 2


async def test_transport_failures_are_httpx_transport_errors(client: Http11Client) -> None:
    async with Server(lambda _: None) as server:
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get(f"{server.base}/x")
    with pytest.raises(httpx.ConnectError):
        await client.get(f"{server.base}/x")  # the server is gone


async def test_a_non_2xx_answer_is_an_http_status_error(client: Http11Client) -> None:
    answer = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"
    async with Server(lambda _: answer) as server:
        upstream = Http11Upstream("pricing", server.base, client)
        with pytest.raises(httpx.HTTPStatusError) as raised:
            await upstream.fetch("p-1")
    assert raised.value.response.status_code == 503
    assert str(raised.value.request.url) == f"{server.base}/pricing/p-1"


async def test_a_cancelled_call_returns_once_the_upstream_has_let_go(
    client: Http11Client,
) -> None:
    async with Server(lambda _: ok(b"{}")) as server:
        await client.get(f"{server.base}/x")
        server.answer = lambda _: b""  # never answers: the call hangs until cancelled
        server.received.clear()
        call = asyncio.create_task(client.get(f"{server.base}/x"))
        await server.received.wait()  # the call is in flight
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        # The caller's permit is freed only now, and the upstream has already seen the end.
        assert server.ended == 1
        server.answer = lambda _: ok(b'{"b": 2}')
        assert await client.get(f"{server.base}/x") == (200, b'{"b": 2}')
    assert server.connections == 2  # the cancelled call's connection was not reused


async def test_an_upstream_that_never_lets_go_is_closed_after_the_grace(
    client: Http11Client,
) -> None:
    async with Server(lambda _: b"") as server:
        server.closes_promptly.clear()  # it sees the end but keeps its side open
        call = asyncio.create_task(client.get(f"{server.base}/x"))
        await server.received.wait()
        call.cancel()
        async with asyncio.timeout(5):  # returns after LET_GO_GRACE, never hangs
            with pytest.raises(asyncio.CancelledError):
                await call
        server.closes_promptly.set()
