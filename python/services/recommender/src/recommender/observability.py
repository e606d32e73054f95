"""Logs and traces of the recommender.

- Logs: structlog, one JSON object per line on stdout. Every line logged while serving a call
  carries ``request_id`` (the caller's ``x-request-id`` metadata when sane, else a new one,
  echoed back in the initial metadata), ``trace_id``, ``span_id`` and ``rpc_method``.
- Traces: an OpenTelemetry SERVER span per call (``recommender.interceptors``), continuing the
  caller's trace from its W3C ``traceparent`` metadata. The server gets its ``TracerProvider``
  (tests pass one with an in-memory exporter); ``python -m recommender`` installs an SDK
  provider so trace ids exist even with no exporter configured. With ``RECOMMENDER_TRACE_FILE``
  set it also appends every finished span to that file, one JSON object per line
  (``JsonLinesSpanExporter``, behind a ``SimpleSpanProcessor``: written and flushed as each span
  ends), which the cross-runtime E2E reads next to the gateway's ``GATEWAY_TRACE_FILE``.
"""

import json
import logging
import re
import sys
import threading
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import structlog
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.trace import INVALID_SPAN_CONTEXT

REQUEST_ID = "x-request-id"
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

logger = structlog.get_logger("recommender")


def configure_logging(version: str | None = None) -> None:
    """JSON lines on stdout with the contextvars bound for the call (idempotent); with
    ``version`` every line carries it (``RECOMMENDER_VERSION``: v1 and v2 side by side)."""

    def add_version(_: Any, __: str, event: structlog.types.EventDict) -> structlog.types.EventDict:
        if version is not None:
            event.setdefault("version", version)
        return event

    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            add_version,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        logger_factory=lambda *_: structlog.PrintLogger(sys.stdout),
        cache_logger_on_first_use=False,
    )


def metadata_value(metadata: Iterable[tuple[str, str | bytes]] | None, name: str) -> str | None:
    for key, value in metadata or ():
        if key.lower() == name and isinstance(value, str):
            return value
    return None


def request_id_from(value: str | None) -> str:
    """The caller's id when it is a sane token, else a new one (ids end up in logs)."""
    if value is not None and _SANE_REQUEST_ID.match(value):
        return value
    return uuid.uuid4().hex


def json_line(record: dict[str, Any]) -> str:
    """``record`` as one compact line of JSON, newline included."""
    return json.dumps(record, separators=(",", ":"), default=str) + "\n"


class JsonLinesSpanExporter(SpanExporter):
    """Appends finished spans to a file, one JSON object per line, visible as each span ends.

    A line: ``service``, ``name``, ``kind`` (``SERVER``, ``CLIENT``, ...), ``trace_id`` (32 hex),
    ``span_id`` (16 hex), ``parent_span_id`` (16 hex, or null for a root), ``start_ns``,
    ``end_ns``, ``status`` (``UNSET``, ``OK``, ``ERROR``), ``status_description`` and the span's
    ``attributes``.
    """

    def __init__(self, path: Path, service: str = "recommender") -> None:
        self._file = path.open("a", encoding="utf-8")
        self._service = service
        self._lock = threading.Lock()

    # lab-region:span-export begin
    def record(self, span: ReadableSpan) -> dict[str, Any]:
        """One span as the JSON object written on its line."""
        context = span.get_span_context() or INVALID_SPAN_CONTEXT
        parent = span.parent
        return {
            "service": self._service,
            "name": span.name,
            "kind": span.kind.name,
            "trace_id": format(context.trace_id, "032x"),
            "span_id": format(context.span_id, "016x"),
            "parent_span_id": format(parent.span_id, "016x") if parent is not None else None,
            "start_ns": span.start_time,
            "end_ns": span.end_time,
            "status": span.status.status_code.name,
            "status_description": span.status.description,
            "attributes": dict(span.attributes or {}),
        }

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        with self._lock:
            if self._file.closed:
                return SpanExportResult.FAILURE
            for span in spans:
                self._file.write(json_line(self.record(span)))
            self._file.flush()
        return SpanExportResult.SUCCESS

    # lab-region:span-export end

    def shutdown(self) -> None:
        with self._lock:
            if not self._file.closed:
                self._file.close()


def tracer_provider(trace_file: Path | None = None) -> TracerProvider:
    """The SDK provider ``python -m recommender`` runs with; spans also go to ``trace_file``.

    Raises ``OSError`` when the file cannot be opened for appending.
    """
    provider = TracerProvider()
    if trace_file is not None:
        provider.add_span_processor(SimpleSpanProcessor(JsonLinesSpanExporter(trace_file)))
    return provider
