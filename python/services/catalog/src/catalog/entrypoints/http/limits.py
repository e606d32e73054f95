"""The edge's limits on what a client may send and how slowly: the same as the Go twin's.

- ``BodyLimit`` (ASGI middleware): a body is read before the app sees it, at most
  ``MAX_BODY_BYTES`` of it. A declared ``Content-Length`` over the limit is a 413 at once,
  without reading; a body that grows past it while being read (chunked, or lying about its
  length) is a 413 as soon as it does, so memory stays bounded whatever a client sends. A body
  that does not arrive within ``body_timeout_s`` is a 408. Both answers are the problem+json
  envelope and close the connection. Before a 413, the rest of the body is read and dropped
  for a while (``LINGER_S``, ``LINGER_BYTES``: a lingering close, as Go's net/http and nginx
  do): closing with unread data resets the connection, and a client still writing would read
  the reset instead of the 413.
- ``header_deadline_protocol``: uvicorn's HTTP/1.1 protocol with a deadline on the request
  head. uvicorn has none: a client that sends its headers a byte at a time (slowloris) holds a
  connection forever. Here the connection is closed when the head is not complete
  ``timeout_s`` after its first byte (or after the connection opened), like Go's
  ``ReadHeaderTimeout``. Health checks keep answering: they use other connections. A head h11
  cannot parse is a 400 ``bad_request`` problem, not uvicorn's text/plain.
"""

import asyncio
from collections.abc import Iterator, Sequence
from typing import Any, Final

import h11
from starlette.routing import BaseRoute, Match, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from catalog.entrypoints.http.percent import BAD_REQUEST
from catalog.entrypoints.http.problem_details import PROBLEM_JSON, ProblemType, problem_response

#: The largest body accepted (the Go twin's ``maxBodyBytes``): a product is far smaller.
MAX_BODY_BYTES: Final = 1 << 20
#: How long a whole request body may take to arrive once the head is in.
BODY_TIMEOUT_S: Final = 10.0
#: How long the request head (request line and headers) may take (Go: ReadHeaderTimeout 5 s).
HEADER_TIMEOUT_S: Final = 5.0
#: Before a 413: how long, and how much, of the rest of the body is read and dropped.
LINGER_S: Final = 2.0
LINGER_BYTES: Final = 64 << 20

PAYLOAD_TOO_LARGE: Final = ProblemType(413, "payload_too_large", "Payload too large")
REQUEST_TIMEOUT: Final = ProblemType(408, "request_timeout", "Request timeout")
#: nginx's 499 (as at the gateway): the client left mid-body. Nobody reads it; it keeps the
#: request out of the server-error series (the telemetry would otherwise count a 500).
CLIENT_CLOSED: Final = ProblemType(499, "client_closed_request", "Client closed request")


class _TooLargeError(Exception):
    pass


class BodyLimit:
    """Reads the body first, bounded in size and time, then hands it to the app."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int = MAX_BODY_BYTES,
        body_timeout_s: float = BODY_TIMEOUT_S,
        router: Router | None = None,
    ) -> None:
        self._app = app
        self._max = max_bytes
        self._timeout = body_timeout_s
        self._router = router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        has_body, declared = _body_headers(scope) if scope["type"] == "http" else (False, None)
        if not has_body:
            await self._app(scope, receive, send)
            return
        if declared is not None and declared > self._max:
            await _linger(receive)
            await self._refuse(scope, receive, send, PAYLOAD_TOO_LARGE, self._too_large())
            return
        try:
            async with asyncio.timeout(self._timeout):
                body = await self._read(receive)
        except _TooLargeError:
            await _linger(receive)
            await self._refuse(scope, receive, send, PAYLOAD_TOO_LARGE, self._too_large())
            return
        except TimeoutError:
            detail = f"The request body did not arrive within {self._timeout:g} s."
            await self._refuse(scope, receive, send, REQUEST_TIMEOUT, detail)
            return
        if body is None:  # the client went away while sending it
            detail = "The client closed the connection before the body was in."
            await self._refuse(scope, receive, send, CLIENT_CLOSED, detail)
            return
        await self._app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive) -> bytes | None:
        chunks = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunks += message.get("body", b"")
            if len(chunks) > self._max:
                raise _TooLargeError
            if not message.get("more_body", False):
                return bytes(chunks)

    def _too_large(self) -> str:
        return f"The request body must be at most {self._max} bytes."

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, problem: ProblemType, detail: str
    ) -> None:
        # Labelled with its route, as if routed (the telemetry middleware reads scope["route"]).
        for route in _flat(self._router.routes if self._router is not None else []):
            if route.matches(scope)[0] is not Match.NONE:
                scope["route"] = route
                break
        # Connection: close — the unread rest of the body must not be taken for a next request.
        response = problem_response(problem, detail, headers={"Connection": "close"})
        await response(scope, receive, send)


def _flat(routes: Sequence[BaseRoute]) -> Iterator[BaseRoute]:
    """The routes, those of included routers in place (FastAPI wraps each included router)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _flat(inner.routes)
        else:
            yield route


async def _linger(receive: Receive) -> None:
    """Read and drop what is left of the body, for ``LINGER_S`` and ``LINGER_BYTES`` at most."""
    dropped = 0
    try:
        async with asyncio.timeout(LINGER_S):
            while dropped < LINGER_BYTES:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                dropped += len(message.get("body", b""))
                if not message.get("more_body", False):
                    return
    except TimeoutError:
        return


def _body_headers(scope: Scope) -> tuple[bool, int | None]:
    """Whether the request has a body (a length or a transfer coding), and its declared length;
    one pass over the headers, as this runs on every request."""
    has_body, declared = False, None
    for name, value in scope["headers"]:
        if name == b"content-length":
            has_body = True
            try:
                declared = int(value)
            except ValueError:
                declared = None  # the HTTP parser refuses a non-numeric length before this
        elif name == b"transfer-encoding":
            has_body = True
    return has_body, declared


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body once, as one message; then the real ``receive`` (a disconnect, later)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def header_deadline_protocol(timeout_s: float = HEADER_TIMEOUT_S) -> type[H11Protocol]:
    """uvicorn's h11 protocol, closing a connection whose request head is late."""

    class HeaderDeadlineProtocol(H11Protocol):
        _head_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            # Still waiting for (the rest of) a head: the deadline runs from its first byte.
            # Past the head (body, response) or closed: no deadline of this kind.
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                if self._head_timer is None:
                    self._arm()
            else:
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            # Idle between requests is uvicorn's keep-alive timeout; the head deadline starts
            # again with the next request's first byte (data_received).
            self._disarm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._head_timer = self.loop.call_later(timeout_s, self._head_late)

        def _disarm(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def send_400_response(self, msg: str) -> None:
            # uvicorn answers a request h11 cannot parse (a malformed request line or header)
            # in text/plain; the envelope instead, as the Go twin's ProblemListener does.
            detail = "The request line or a header cannot be parsed."
            body = bytes(problem_response(BAD_REQUEST, detail).body)
            headers = [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ]
            for event in (
                h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
                h11.Data(data=body),
                h11.EndOfMessage(),
            ):
                self.transport.write(self.conn.send(event))
            self.transport.close()

        def _head_late(self) -> None:
            self._head_timer = None
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                self.transport.close()

    return HeaderDeadlineProtocol
