"""A small HTTP/1.1 client for the upstream GETs: asyncio streams, keep-alive, nothing else.

Why not httpx here (DESIGN.md, 2026-11-25, "Python catalog performance"): httpx (httpcore,
anyio, h11) spent about 0.8 ms of CPU per upstream call on this machine, against 0.07 ms for
these lines; three calls per request made it most of the fan-out's overhead. And a call
given up on (timeout, deadline, client gone) ends on our terms: its connection is half-closed
and the call returns once the upstream has closed its side too, i.e. it has seen the call end
and let go (at most ``LET_GO_GRACE``; DESIGN.md, 2026-12-07, "What the bulkhead bounds").
The aggregator's permit is held around the call, so it is held until then: the bound counts
what the upstream still serves. httpx stays for the tests (its ASGI transport
drives the simulator in process) and is the error vocabulary: failures are raised as
``httpx.TransportError`` and ``httpx.HTTPStatusError``, so lab 4's ``is_transient`` and the
retries treat both clients alike.

Scope, on purpose: ``GET`` only, ``http://`` and ``https://``, bodies with ``Content-Length``,
chunked or up to the close; idle connections are reused (a stale one is replaced once, safe
for a GET); at most ``max_connections`` connections per client, all origins together.
"""

import asyncio
import contextlib
import ssl
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

# Longest status line plus headers accepted (asyncio's StreamReader limit).
MAX_HEAD_BYTES = 64 * 1024

# How long an abandoned call waits for the upstream to close its side after ours. A server
# that watches its connections (uvicorn, Go's net/http) does so within a loop turn; one that
# serves on regardless is let go after this, and the bound can no longer see its work.
LET_GO_GRACE = 0.05

_Origin = tuple[str, str, int]
_Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class _StaleConnectionError(Exception):
    """A reused idle connection was closed by the server before it answered."""


@dataclass(slots=True)
class Http11Client:
    """Keep-alive connections shared by every upstream call; ``aclose`` at shutdown."""

    max_connections: int = 64
    _idle: dict[_Origin, list[_Connection]] = field(default_factory=dict)
    _slots: asyncio.Semaphore | None = None
    _tls: ssl.SSLContext | None = None
    _closed: bool = False

    @property
    def is_closed(self) -> bool:
        return self._closed

    async def get(self, url: str) -> tuple[int, bytes]:
        """``GET url``: the status and the body. A transport failure raises
        ``httpx.TransportError`` (a subclass); the status is the caller's to judge."""
        if self._closed:
            raise RuntimeError("the upstream client is closed")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise httpx.UnsupportedProtocol(f"not an http(s) URL: {url!r}")
        default_port = 443 if parts.scheme == "https" else 80
        origin: _Origin = (parts.scheme, parts.hostname, parts.port or default_port)
        target = parts.path or "/"
        if parts.query:
            target = f"{target}?{parts.query}"
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_connections)
        async with self._slots:
            try:
                return await self._exchange(origin, parts.netloc, target, reuse=True)
            except _StaleConnectionError:
                return await self._exchange(origin, parts.netloc, target, reuse=False)

    async def aclose(self) -> None:
        self._closed = True
        idle = [writer for connections in self._idle.values() for _, writer in connections]
        self._idle.clear()
        for writer in idle:
            writer.close()
        for writer in idle:
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def _exchange(
        self, origin: _Origin, host: str, target: str, *, reuse: bool
    ) -> tuple[int, bytes]:
        connection = self._pop_idle(origin) if reuse else None
        reused = connection is not None
        if connection is None:
            connection = await self._connect(origin, target)
        reader, writer = connection
        keep = False
        done = False
        try:
            writer.write(
                f"GET {target} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\n"
                "User-Agent: catalog\r\n\r\n".encode("latin-1")
            )
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError as error:
                if reused and not error.partial:
                    raise _StaleConnectionError from None
                raise httpx.RemoteProtocolError(f"{target}: connection closed early") from None
            status, length, chunked, keep = _parse_head(head, target)
            body = await _read_body(reader, length, chunked, target)
            done = True
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as error:
            raise httpx.ReadError(f"{target}: {type(error).__name__}: {error}") from None
        finally:
            if done and keep:
                self._idle.setdefault(origin, []).append(connection)
            elif done:
                writer.close()  # answered in full: the upstream has let go already
            else:
                # Given up on (also on cancellation) or broken: never reused, and the caller
                # (holding its permit) waits until the upstream has seen the call end.
                await _let_go(reader, writer)
        return status, body

    def _pop_idle(self, origin: _Origin) -> _Connection | None:
        connections = self._idle.get(origin)
        while connections:
            reader, writer = connections.pop()
            if not reader.at_eof() and not writer.is_closing():
                return reader, writer
            writer.close()
        return None

    async def _connect(self, origin: _Origin, target: str) -> _Connection:
        scheme, hostname, port = origin
        tls: ssl.SSLContext | None = None
        if scheme == "https":
            if self._tls is None:
                self._tls = ssl.create_default_context()
            tls = self._tls
        try:
            return await asyncio.open_connection(hostname, port, ssl=tls, limit=MAX_HEAD_BYTES)
        except OSError as error:
            raise httpx.ConnectError(f"{target}: cannot connect: {error}") from None


async def _let_go(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Half-close, read (and drop) until the upstream closes its side or ``LET_GO_GRACE``
    passes, then close. A cancellation meanwhile waits for the end, then is re-raised: the
    caller's permit must not be freed while the upstream may still serve the call."""
    cancelled = False
    try:
        if writer.can_write_eof() and not writer.is_closing():
            writer.write_eof()
            loop = asyncio.get_running_loop()
            until = loop.time() + LET_GO_GRACE
            while (left := until - loop.time()) > 0:
                try:
                    async with asyncio.timeout(left):
                        if not await reader.read(MAX_HEAD_BYTES):
                            break  # end of stream: the upstream closed its side
                except asyncio.CancelledError:
                    cancelled = True
    except (TimeoutError, OSError, RuntimeError, asyncio.IncompleteReadError):
        pass  # out of grace, or the connection is already gone: close it
    finally:
        writer.close()
    if cancelled:
        raise asyncio.CancelledError


def _parse_head(head: bytes, target: str) -> tuple[int, int | None, bool, bool]:
    """Status, content length (or None), chunked, and whether the connection may be reused."""
    lines = head.decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    code = rest[:3]
    if not version.startswith("HTTP/1.") or not code.isdigit():
        raise httpx.RemoteProtocolError(f"{target}: not an HTTP/1.x answer: {lines[0][:80]!r}")
    length: int | None = None
    chunked = False
    keep = version == "HTTP/1.1"
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        value = value.strip()
        if name == "content-length":
            if not value.isdigit():
                raise httpx.RemoteProtocolError(f"{target}: bad Content-Length {value!r}")
            length = int(value)
        elif name == "transfer-encoding":
            chunked = value.lower().endswith("chunked")
        elif name == "connection":
            keep = value.lower() == "keep-alive" or (keep and value.lower() != "close")
    # A body that ends with the connection cannot leave the connection reusable.
    return int(code), length, chunked, keep and (chunked or length is not None)


async def _read_body(
    reader: asyncio.StreamReader, length: int | None, chunked: bool, target: str
) -> bytes:
    if chunked:
        chunks: list[bytes] = []
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size_text = size_line.split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise httpx.RemoteProtocolError(f"{target}: bad chunk size") from None
            if size == 0:
                # Trailers (usually none), up to the empty line.
                while await reader.readuntil(b"\r\n") != b"\r\n":
                    pass
                return b"".join(chunks)
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
    if length is not None:
        return await reader.readexactly(length)
    return await reader.read()
