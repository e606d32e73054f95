"""Logs and traces of the recommender.

- Logs: structlog, one JSON object per line on stdout. Every line logged while serving a call
  carries ``request_id`` (the caller's ``x-request-id`` metadata when sane, else a new one,
  echoed back in the initial metadata), ``trace_id``, ``span_id`` and ``rpc_method``.
- Traces: an OpenTelemetry SERVER span per call (``recommender.interceptors``), continuing the
  caller's trace from its W3C ``traceparent`` metadata. The server gets its ``TracerProvider``
  (tests pass one with an in-memory exporter); ``python -m recommender`` installs an SDK
  provider so trace ids exist even with no exporter configured.
"""

import logging
import re
import sys
import uuid
from collections.abc import Iterable

import structlog

REQUEST_ID = "x-request-id"
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

logger = structlog.get_logger("recommender")


def configure_logging() -> None:
    """JSON lines on stdout with the contextvars bound for the call (idempotent)."""
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
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
