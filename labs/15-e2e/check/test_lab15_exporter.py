"""Lab 15's acceptance tests for the recommender's span file (README steps 1 and 2).

``JsonLinesSpanExporter`` behind a ``SimpleSpanProcessor``, as ``python -m recommender`` runs it
with ``RECOMMENDER_TRACE_FILE``: every finished span is ONE JSON line in the file, readable
while the process still runs (flushed per span), carrying the ids a reader needs to join it to
the gateway's spans (trace id, span id, PARENT span id, as lower-case hex).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from recommender.observability import JsonLinesSpanExporter, tracer_provider

STEP1 = "README step 1 (record, TODO(lab 15) in observability.py)"
STEP2 = "README step 2 (export, TODO(lab 15) in observability.py)"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN_ID = "00f067aa0ba902b7"
FIELDS = {
    "service",
    "name",
    "kind",
    "trace_id",
    "span_id",
    "parent_span_id",
    "start_ns",
    "end_ns",
    "status",
    "status_description",
    "attributes",
}


def _lines(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _provider(path: Path) -> tuple[TracerProvider, JsonLinesSpanExporter]:
    exporter = JsonLinesSpanExporter(path)
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider, exporter


def test_export_each_span_is_one_line_readable_before_shutdown(tmp_path: Path) -> None:
    path = tmp_path / "spans.jsonl"
    provider, _ = _provider(path)
    tracer = provider.get_tracer("lab15")
    with tracer.start_as_current_span("first", kind=SpanKind.SERVER):
        pass
    lines = _lines(path)
    assert len(lines) == 1, (
        f"{STEP2}: after one span ended the file holds {len(lines)} lines, want 1 — is "
        "every span written AND flushed in export()? (a reader must see it while the "
        "service runs; a buffered write shows up only at exit, or never after a kill)"
    )
    with tracer.start_as_current_span("second"):
        pass
    assert len(_lines(path)) == 2, f"{STEP2}: one line per span, appended"
    provider.shutdown()


def test_record_has_every_field_with_hex_ids(tmp_path: Path) -> None:
    path = tmp_path / "spans.jsonl"
    provider, _ = _provider(path)
    tracer = provider.get_tracer("lab15")
    with tracer.start_as_current_span("op", kind=SpanKind.SERVER, attributes={"k": "v"}) as span:
        context = span.get_span_context()
    provider.shutdown()
    lines = _lines(path)
    assert len(lines) == 1, f"{STEP2}: want one line, got {len(lines)}"
    line = lines[0]
    assert set(line) == FIELDS, f"{STEP1}: fields {sorted(line)}, want {sorted(FIELDS)}"
    assert line["trace_id"] == format(context.trace_id, "032x"), (
        f"{STEP1}: trace_id {line['trace_id']!r} must be 32 lower-case hex digits (the W3C form)"
    )
    assert line["span_id"] == format(context.span_id, "016x"), (
        f"{STEP1}: span_id {line['span_id']!r} must be 16 lower-case hex digits"
    )
    assert line["parent_span_id"] is None, f"{STEP1}: a root span has parent_span_id null"
    assert line["kind"] == "SERVER", f"{STEP1}: kind is the SpanKind's name, got {line['kind']!r}"
    assert line["service"] == "recommender"
    assert line["name"] == "op"
    assert line["attributes"] == {"k": "v"}
    assert line["status"] == "UNSET"
    assert isinstance(line["start_ns"], int)
    assert isinstance(line["end_ns"], int)
    assert line["end_ns"] >= line["start_ns"]


def test_record_links_a_child_to_its_parent(tmp_path: Path) -> None:
    path = tmp_path / "spans.jsonl"
    provider, _ = _provider(path)
    tracer = provider.get_tracer("lab15")
    with tracer.start_as_current_span("parent") as parent, tracer.start_as_current_span("child"):
        pass
    provider.shutdown()
    by_name = {line["name"]: line for line in _lines(path)}
    assert set(by_name) == {"parent", "child"}, f"{STEP2}: want both spans, got {sorted(by_name)}"
    parent_id = format(parent.get_span_context().span_id, "016x")
    assert by_name["child"]["parent_span_id"] == parent_id, (
        f"{STEP1}: the child's parent_span_id must be its parent's span_id "
        f"({by_name['parent']['span_id']}), got {by_name['child']['parent_span_id']!r}"
    )
    assert by_name["child"]["trace_id"] == by_name["parent"]["trace_id"]


def test_record_a_remote_parent_from_traceparent_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "spans.jsonl"
    provider, _ = _provider(path)
    carrier = {"traceparent": f"00-{TRACE_ID}-{CALLER_SPAN_ID}-01"}
    parent = TraceContextTextMapPropagator().extract(carrier)
    with provider.get_tracer("lab15").start_as_current_span("call", context=parent) as span:
        span.set_status(Status(StatusCode.ERROR, "DEADLINE_TOO_SHORT"))
    provider.shutdown()
    [line] = _lines(path)
    assert line["trace_id"] == TRACE_ID, f"{STEP1}: the caller's trace id, got {line['trace_id']}"
    assert line["parent_span_id"] == CALLER_SPAN_ID, (
        f"{STEP1}: a span continuing a remote caller has the CALLER's span as parent "
        f"({CALLER_SPAN_ID}); got {line['parent_span_id']!r} — that id is what joins the "
        "recommender's span to the gateway's"
    )
    assert line["status"] == "ERROR"
    assert line["status_description"] == "DEADLINE_TOO_SHORT"


def test_export_after_shutdown_fails_instead_of_raising(tmp_path: Path) -> None:
    path = tmp_path / "spans.jsonl"
    provider, exporter = _provider(path)
    with provider.get_tracer("lab15").start_as_current_span("one"):
        pass
    provider.shutdown()
    late = trace.NonRecordingSpan(trace.INVALID_SPAN_CONTEXT)
    assert exporter.export([late]) is SpanExportResult.FAILURE, (  # type: ignore[list-item]
        f"{STEP2}: after shutdown the file is closed: export() returns FAILURE"
    )
    assert len(_lines(path)) == 1


def test_tracer_provider_writes_only_with_a_file(tmp_path: Path) -> None:
    path = tmp_path / "spans.jsonl"
    with_file = tracer_provider(path)
    with with_file.get_tracer("lab15").start_as_current_span("kept"):
        pass
    assert [line["name"] for line in _lines(path)] == ["kept"], (
        f"{STEP2}: tracer_provider(path) exports every span to the file"
    )
    with_file.shutdown()
    without = tracer_provider(None)
    with without.get_tracer("lab15").start_as_current_span("not kept"):
        pass
    without.shutdown()
    assert [line["name"] for line in _lines(path)] == ["kept"]
