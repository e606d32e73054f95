"""Telemetry of the catalog (lab 4): JSON logs, traces and Prometheus metrics.

- Logs: structlog, one JSON object per line on stdout (stderr stays for the start-up line and
  real failures). Each request binds ``request_id`` through contextvars, so every line logged
  while serving it carries the id: the ``X-Request-ID`` header when the client sent a sane one,
  else a fresh one. The response echoes it back.
- Traces: OpenTelemetry; a span per request (``ObserveRequests``) and one per upstream call
  (``catalog.resilience.upstream``). The app gets its ``TracerProvider`` (tests pass one with
  an in-memory exporter); by default the global one, a no-op until something configures it.
- Metrics: prometheus-client, one registry per ``Telemetry`` (each test app has its own),
  served at ``GET /metrics``.

Logs say what happened to one request, traces where its time went, metrics how the whole
service behaves (rates, latency distribution) at a cost independent of the traffic.
"""

import logging
import re
import sys
import time
import uuid
from dataclasses import dataclass, field

import structlog
from fastapi import FastAPI, Response
from opentelemetry import trace
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from catalog.ports import UnitOfWorkFactory

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# The SLO thresholds of GET /products/{id} (p99 under the 0.8 s deadline) are bucket edges.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.8, 1.0, 2.5, 5.0)
BREAKER_STATE_VALUE = {"closed": 0.0, "half_open": 1.0, "open": 2.0}
OUTBOX_LAG_LIMIT = 10_000

logger = structlog.get_logger("catalog")


def configure_logging() -> None:
    """JSON lines on stdout with the contextvars bound for the request (idempotent)."""
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        # sys.stdout looked up per line: a test runner may swap it between tests.
        logger_factory=lambda *_: structlog.PrintLogger(sys.stdout),
        cache_logger_on_first_use=False,
    )


def request_id_from(header: str | None) -> str:
    """The client's id when it is a sane token, else a new one (ids end up in logs)."""
    if header is not None and _SANE_REQUEST_ID.match(header):
        return header
    return uuid.uuid4().hex


@dataclass(slots=True)
class Telemetry:
    """Everything the app and its upstream adapters record into."""

    tracer_provider: trace.TracerProvider = field(default_factory=trace.get_tracer_provider)
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    request_latency: Histogram = field(init=False)
    upstream_errors: Counter = field(init=False)
    breaker_state: Gauge = field(init=False)
    outbox_lag: Gauge = field(init=False)

    def __post_init__(self) -> None:
        self.request_latency = Histogram(
            "catalog_request_duration_seconds",
            "Time to answer an HTTP request.",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.upstream_errors = Counter(
            "catalog_upstream_errors",
            "Upstream calls that failed, by upstream and reason.",
            ["upstream", "reason"],
            registry=self.registry,
        )
        self.breaker_state = Gauge(
            "catalog_breaker_state",
            "Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open.",
            ["upstream"],
            registry=self.registry,
        )
        self.outbox_lag = Gauge(
            "catalog_outbox_lag_messages",
            f"Outbox messages not yet relayed (counted up to {OUTBOX_LAG_LIMIT}).",
            registry=self.registry,
        )

    _tracer: trace.Tracer | None = field(default=None, init=False, repr=False)

    @property
    def tracer(self) -> trace.Tracer:
        # Asked once: get_tracer costs a lookup per call (a proxy tracer still follows a
        # provider configured later).
        if self._tracer is None:
            self._tracer = self.tracer_provider.get_tracer("catalog")
        return self._tracer

    def breaker_changed(self, upstream: str, state: str) -> None:
        self.breaker_state.labels(upstream).set(BREAKER_STATE_VALUE[state])
        logger.info("breaker_state_changed", upstream=upstream, state=state)


#: The methods a metric label may name; any other (it comes from the client) is ``OTHER``, as
#: at the gateway: labels from raw methods let a client add series without bound (500 made-up
#: methods made ~7,000 series).
METRIC_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def metric_method(method: str) -> str:
    """``method`` as a metric label and span name: one of ``METRIC_METHODS`` or ``OTHER``."""
    return method if method in METRIC_METHODS else "OTHER"


class ObserveRequests:
    """Pure ASGI middleware: request id, the request span, the latency metric, one log line.

    Not ``@app.middleware("http")`` (Starlette's ``BaseHTTPMiddleware``): that one runs the rest
    of the app in a second task and streams the response through a memory channel, which cost
    more per request than the catalog's own work (DESIGN.md, 2026-11-25, "Python catalog
    performance"). Same behaviour: the id is echoed on the response's first message, the
    span is current while the app runs (upstream spans are its children), and an exception
    the app raises goes up unlogged and unmeasured, to the server's error handler.
    """

    def __init__(self, app: ASGIApp, telemetry: Telemetry) -> None:
        self._app = app
        self._telemetry = telemetry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        method = metric_method(scope["method"])
        header = Headers(scope=scope).get(REQUEST_ID_HEADER)
        request_id = request_id_from(header)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        echoed = (REQUEST_ID_HEADER.lower().encode("latin-1"), request_id.encode("latin-1"))
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), echoed]
            await send(message)

        started = time.perf_counter()
        with self._telemetry.tracer.start_as_current_span(
            f"{method} {scope['path']}", kind=trace.SpanKind.SERVER
        ) as span:
            span.set_attribute("http.request.method", method)
            span.set_attribute("catalog.request_id", request_id)
            await self._app(scope, receive, send_with_id)
            route = getattr(scope.get("route"), "path", "unmatched")
            span.update_name(f"{method} {route}")
            span.set_attribute("http.route", route)
            span.set_attribute("http.response.status_code", status)
        elapsed = time.perf_counter() - started
        if route != "/metrics":
            self._telemetry.request_latency.labels(method, route, str(status)).observe(elapsed)
        logger.info(
            "request",
            method=method,
            route=route,
            status=status,
            duration_ms=round(elapsed * 1000, 2),
        )


def install(app: FastAPI, telemetry: Telemetry, uow_factory: UnitOfWorkFactory) -> None:
    """Add the request middleware and ``GET /metrics`` to ``app``."""
    app.add_middleware(ObserveRequests, telemetry=telemetry)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        async with uow_factory() as uow:
            pending = await uow.outbox.pending(OUTBOX_LAG_LIMIT)
        telemetry.outbox_lag.set(len(pending))
        return Response(generate_latest(telemetry.registry), media_type=CONTENT_TYPE_LATEST)
