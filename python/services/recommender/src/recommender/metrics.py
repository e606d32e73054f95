"""Prometheus metrics of the recommender (the SLO contract in tooling/rollout/README.md).

- ``recommender_rpc_duration_seconds{method,code}``: a histogram, one observation per RPC (a
  server stream when it ends). ``method`` is the full gRPC method (health checks included, as
  ``/grpc.health.v1.Health/Check``); ``code`` the ``grpc.StatusCode`` name the call ended with:
  the handler's return is ``OK`` (or what it ``set_code``), an abort its code, a cancellation
  ``DEADLINE_EXCEEDED`` when the deadline had passed (within ``DEADLINE_SLACK_S``) and
  ``CANCELLED`` otherwise (the client went away, or a drain ran out of grace); any other way a
  call ends after its deadline is ``DEADLINE_EXCEEDED`` too, and one that is none of these is
  ``UNKNOWN`` (what grpc.aio sends) with a warning line naming its cause.
  Methods the server does not know are not observed (their names are the caller's to choose).
- ``recommender_build_info{version}`` = 1: which contract this build serves.

``MetricsInterceptor`` is the OUTERMOST interceptor, so it sees the status the edge mapped
(auth failures included) and times the whole call. Each server has its own registry (tests run
several in one process); ``MetricsServer`` serves it as Prometheus text over HTTP from a thread.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import grpc
import structlog
from prometheus_client import CollectorRegistry, Gauge, Histogram, make_wsgi_app

from recommender.interceptors import wrap_handler

if TYPE_CHECKING:
    from recommender.interceptors import Context, Continuation, Handler, Streaming, Unary

logger = structlog.get_logger("recommender.metrics")

#: grpc.aio cancels a handler on ITS timer, then this clock may still see a hair of time left
#: (under load, a few milliseconds): a call that ends this close to its deadline ended by it.
DEADLINE_SLACK_S = 0.005

# The catalogs' edges: the SLO threshold 0.25 s is one and prints as "0.25" in every client.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.8, 1.0, 2.5, 5.0)
_OK = grpc.StatusCode.OK.name
# The codes the SLO counts as the server's fault (tooling/rollout/slo/recommender.json).
SERVER_SIDE_CODES = (
    "UNKNOWN",
    "DEADLINE_EXCEEDED",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
)


class RpcMetrics:
    """The registry of one server and its series; ``observe`` is on every call's path."""

    def __init__(self, version: str, methods: tuple[str, ...] = ()) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.rpc_duration = Histogram(
            "recommender_rpc_duration_seconds",
            "gRPC calls served, by full method and status code (a stream when it ends).",
            ("method", "code"),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        build_info = Gauge(
            "recommender_build_info",
            "Always 1; `version` is the contract this build serves (RECOMMENDER_VERSION).",
            ("version",),
            registry=self.registry,
        )
        build_info.labels(version=version).set(1)
        # labels() hashes and locks on every call: keep each (method, code) child once.
        self._children: dict[tuple[str, str], Any] = {}
        # Series exist from the start at 0 for each method's OK and server-side codes: a ratio
        # SLI then has data before the first error, and Prometheus sees the first error as an
        # increase (a series born at 1 has no earlier sample, so rate() misses its first count).
        for method in methods:
            for code in (_OK, *SERVER_SIDE_CODES):
                self._children[(method, code)] = self.rpc_duration.labels(method, code)

    def observe(self, method: str, code: str, seconds: float) -> None:
        key = (method, code)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = self.rpc_duration.labels(method, code)
        child.observe(seconds)


def _deadline_passed(context: Context) -> bool:
    remaining = context.time_remaining()
    return remaining is not None and remaining <= DEADLINE_SLACK_S


def _ended_by(error: BaseException, context: Context, method: str = "") -> str:
    """The status name a call raising ``error`` ends with."""
    code = context.code() if isinstance(error, grpc.aio.AbortError) else None
    if code is not None:
        return code.name
    if isinstance(error, (asyncio.CancelledError, GeneratorExit)):
        # grpc.aio cancels the handler both when the deadline passes and when the client
        # cancels; only the clock tells them apart. (A stream's generator left unfinished is
        # closed with GeneratorExit: the same two causes.)
        if _deadline_passed(context):
            return grpc.StatusCode.DEADLINE_EXCEEDED.name
        return grpc.StatusCode.CANCELLED.name
    if _deadline_passed(context):
        # Whatever broke after the deadline (an abort on a call grpc already ended, say), the
        # deadline ended the call: that is what the client saw.
        return grpc.StatusCode.DEADLINE_EXCEEDED.name
    logger.warning(
        "rpc_ended_unknown",
        rpc_method=method,
        error_type=type(error).__name__,
        error=str(error)[:200],
    )
    return grpc.StatusCode.UNKNOWN.name


def _returned(context: Context) -> str:
    code = context.code()
    return _OK if code is None else code.name


class MetricsInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, metrics: RpcMetrics) -> None:
        self._metrics = metrics

    async def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> Handler | None:
        handler = await continuation(handler_call_details)
        if handler is None:
            return None
        method = handler_call_details.method
        observe = self._metrics.observe
        clock = time.perf_counter

        def unary(inner: Unary) -> Unary:
            async def behaviour(request: Any, context: Context) -> Any:
                start = clock()
                try:
                    response = await inner(request, context)
                except BaseException as error:
                    observe(method, _ended_by(error, context, method), clock() - start)
                    raise
                observe(method, _returned(context), clock() - start)
                return response

            return behaviour

        def streaming(inner: Streaming) -> Streaming:
            async def behaviour(request: Any, context: Context) -> AsyncIterator[Any]:
                start = clock()
                try:
                    async for response in inner(request, context):
                        yield response
                except BaseException as error:
                    observe(method, _ended_by(error, context, method), clock() - start)
                    raise
                observe(method, _returned(context), clock() - start)

            return behaviour

        return wrap_handler(handler, unary, streaming)


class _SilentHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Scrapes are not worth a line each."""


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _ThreadingServer6(_ThreadingServer):
    address_family = socket.AF_INET6


class MetricsServer:
    """``GET /metrics`` (Prometheus text) of ``registry`` on ``host:port``, served by a thread.

    ``port`` 0 picks a free one (``self.port`` is the real one). Raises ``OSError`` when the
    port cannot be bound. ``close`` stops it and waits for the thread (idempotent).
    """

    def __init__(self, registry: CollectorRegistry, host: str, port: int) -> None:
        server_class = _ThreadingServer6 if ":" in host else _ThreadingServer
        self._httpd = make_server(
            host, port, make_wsgi_app(registry), server_class, handler_class=_SilentHandler
        )
        self.host = host
        self.port: int = self._httpd.server_port
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="recommender-metrics",
            daemon=True,
        )
        self._thread.start()
        self._closed = False

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/metrics"

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()
