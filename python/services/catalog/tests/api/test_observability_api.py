"""Lab 4's telemetry through HTTP: request ids, JSON logs, spans and Prometheus metrics."""

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from catalog.entrypoints.http.app import create_app
from catalog.observability import Telemetry, request_id_from

MUG = {"sku": "MUG-001", "name": "Mug", "price": {"amount_minor": 1250, "currency": "EUR"}}


@pytest.fixture
def spans() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
async def client(spans: InMemorySpanExporter) -> AsyncIterator[httpx.AsyncClient]:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    app = create_app(
        env={"CATALOG_DATABASE_URL": "memory:"}, telemetry=Telemetry(tracer_provider=provider)
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://catalog.test") as client:
        yield client
    await app.state.fan_out.aclose()


async def test_a_sane_request_id_is_honoured_and_echoed(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"


async def test_a_missing_or_unsafe_request_id_is_replaced(client: httpx.AsyncClient) -> None:
    generated = (await client.get("/healthz")).headers["X-Request-ID"]
    assert len(generated) == 32
    unsafe = (await client.get("/healthz", headers={"X-Request-ID": "a b\x7f"})).headers
    assert unsafe["X-Request-ID"] not in {"a b\x7f", generated}
    assert request_id_from("x" * 129) != "x" * 129


async def test_every_log_line_of_a_request_carries_its_id(
    client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    await client.post("/products", json=MUG, headers={"X-Request-ID": "req-1"})
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    request_lines = [line for line in lines if line["event"] == "request"]
    assert request_lines, lines
    assert all(line["request_id"] == "req-1" for line in lines)
    assert request_lines[0] | {"route": "/products", "status": 201} == request_lines[0]


async def test_a_span_per_request_and_per_upstream_call(
    client: httpx.AsyncClient, spans: InMemorySpanExporter
) -> None:
    created = (await client.post("/products", json=MUG)).json()
    spans.clear()
    await client.get(f"/products/{created['id']}")
    finished = spans.get_finished_spans()
    names = sorted(span.name for span in finished)
    assert names == [
        "GET /products/{product_id}",
        "upstream inventory",
        "upstream pricing",
        "upstream reviews",
    ]
    server = next(span for span in finished if span.name.startswith("GET"))
    for span in finished:
        if span is not server:
            assert span.parent is not None
            assert span.parent.span_id == server.context.span_id
            assert span.context.trace_id == server.context.trace_id


async def test_metrics_expose_latency_upstream_errors_breakers_and_outbox_lag(
    client: httpx.AsyncClient,
) -> None:
    await client.post("/products", json=MUG)
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    for threshold in ("0.1", "0.25", "0.5", "1.0"):
        bucket = f'le="{threshold}",method="POST",route="/products",status="201"'
        assert f"catalog_request_duration_seconds_bucket{{{bucket}}} 1.0" in text
    for upstream in ("pricing", "inventory", "reviews"):
        assert f'catalog_breaker_state{{upstream="{upstream}"}} 0.0' in text
    assert "# TYPE catalog_upstream_errors_total counter" in text
    assert "catalog_outbox_lag_messages 1.0" in text


async def test_made_up_methods_share_one_label(client: httpx.AsyncClient) -> None:
    for i in range(30):
        await client.request(f"BREW{i}", "/products")
    metrics = (await client.get("/metrics")).text
    assert "BREW" not in metrics
    other = [
        line
        for line in metrics.splitlines()
        if line.startswith("catalog_request_duration_seconds_count") and 'method="OTHER"' in line
    ]
    assert len(other) == 1, other
    assert other[0].endswith(" 30.0"), other
