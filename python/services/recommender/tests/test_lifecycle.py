"""Health while draining, in-flight calls finishing within the grace, and traces and logs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import grpc
import pytest
import recommendations_pb2 as pb
import recommendations_pb2_grpc as pb_grpc
import structlog
from grpc_health.v1 import health_pb2
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from recommender import model
from recommender.server import SERVICE_NAME, RunningServer
from recommender.service import RecommendationService
from recommender.settings import Settings

Auth = tuple[tuple[str, str], ...]
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"


class _HeldLookups(RecommendationService):
    """The real service, whose lookups signal that a call is in flight and then wait until
    the test lets them go on: the call cannot end before the test is ready for it to."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.looking_up = asyncio.Event()
        self.go_on = asyncio.Event()

    async def _look_up(self, ranked: model.Ranked) -> None:
        self.looking_up.set()
        await self.go_on.wait()
        await super()._look_up(ranked)


async def test_draining_reports_not_serving_and_lets_in_flight_calls_finish(
    settings: Settings,
    start_server: Any,
    auth: Auth,
    health_status: Callable[[grpc.aio.Channel, str], Awaitable[int]],
) -> None:
    # Ordered by events, not sleeps: the call is in flight once its first lookup began (and
    # stays so until go_on); the drain has said NOT_SERVING once it reaches its pre-stop
    # delay, which lasts until the test has looked (a health check that races `server.stop`
    # ends CANCELLED, the flake of issue 23).
    slow = replace(settings, score_delay_s=0.06, grace_s=2.0)
    service = _HeldLookups(slow)
    running: RunningServer = await start_server(slow, service=service)
    in_delay = asyncio.Event()
    looked = asyncio.Event()

    async def pre_stop_delay() -> None:
        in_delay.set()
        await looked.wait()

    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        stub = pb_grpc.RecommendationServiceStub(channel)
        in_flight = asyncio.ensure_future(
            stub.Recommend(pb.RecommendRequest(user_id="u-1", language="es"), metadata=auth)
        )
        async with asyncio.timeout(10):  # a hang fails this test, not the whole run
            await service.looking_up.wait()
            drain = asyncio.ensure_future(running.drain(delay=pre_stop_delay()))
            await in_delay.wait()
            for name in ("", SERVICE_NAME):
                status = await health_status(channel, name)
                assert status == health_pb2.HealthCheckResponse.NOT_SERVING
            assert not in_flight.done()
            service.go_on.set()
            looked.set()
            response = await in_flight
            await drain
    assert len(response.recommendations) == 5


async def _until_recorded(condition: Callable[[], bool]) -> None:
    """The client has its answer before the server's interceptors finish the call (span end,
    last log line): wait for that status, not a fixed time."""
    deadline = time.monotonic() + 5.0
    while not condition():
        assert time.monotonic() < deadline, "the server never finished recording the call"
        await asyncio.sleep(0.005)


def _rpc_spans(spans: InMemorySpanExporter) -> list[Any]:
    return [s for s in spans.get_finished_spans() if s.name.endswith("/Recommend")]


async def test_a_server_span_continues_the_callers_trace(
    stub: pb_grpc.RecommendationServiceAsyncStub, auth: Auth, spans: InMemorySpanExporter
) -> None:
    metadata = (
        *auth,
        ("traceparent", f"00-{TRACE_ID}-{PARENT_ID}-01"),
        ("x-request-id", "req-42"),
    )
    with structlog.testing.capture_logs(
        processors=[structlog.contextvars.merge_contextvars]
    ) as logs:
        await stub.Recommend(pb.RecommendRequest(user_id="u-1", language="es"), metadata=metadata)
        await _until_recorded(
            lambda: bool(_rpc_spans(spans)) and any(e["event"] == "rpc_finished" for e in logs)
        )
    [span] = _rpc_spans(spans)
    assert span.kind == SpanKind.SERVER
    assert format(span.context.trace_id, "032x") == TRACE_ID
    assert span.parent is not None
    assert format(span.parent.span_id, "016x") == PARENT_ID
    assert span.attributes is not None
    assert span.attributes["rpc.system"] == "grpc"
    assert span.attributes["rpc.grpc.status_code"] == 0
    [finished] = [entry for entry in logs if entry["event"] == "rpc_finished"]
    assert finished["trace_id"] == TRACE_ID
    assert finished["request_id"] == "req-42"
    assert finished["subject"] == "u-1"


async def test_a_failed_call_has_an_error_span_and_a_fresh_request_id(
    stub: pb_grpc.RecommendationServiceAsyncStub, spans: InMemorySpanExporter
) -> None:
    with structlog.testing.capture_logs(
        processors=[structlog.contextvars.merge_contextvars]
    ) as logs:
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await stub.Recommend(pb.RecommendRequest(user_id="u-1", language="es"))
        await _until_recorded(
            lambda: bool(_rpc_spans(spans)) and any(e["event"] == "rpc_failed" for e in logs)
        )
    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED
    [span] = _rpc_spans(spans)
    assert span.attributes is not None
    assert span.attributes["error.reason"] == "TOKEN_MISSING"
    assert not span.status.is_ok
    [failed] = [entry for entry in logs if entry["event"] == "rpc_failed"]
    assert failed["reason"] == "TOKEN_MISSING"
    assert len(failed["request_id"]) == 32
    assert failed["trace_id"] == format(span.context.trace_id, "032x")


async def test_the_standard_health_watch_streams_serving_then_not_serving_on_drain(
    settings: Settings, start_server: Any
) -> None:
    """grpc's health Watch answers with context.write, not by yielding: the interceptors must
    pass it through (it was a TypeError)."""
    running: RunningServer = await start_server(replace(settings, grace_s=1.0))
    in_delay = asyncio.Event()
    seen_not_serving = asyncio.Event()

    async def pre_stop_delay() -> None:
        in_delay.set()
        await seen_not_serving.wait()

    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        watch = channel.unary_stream(
            "/grpc.health.v1.Health/Watch",
            request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
            response_deserializer=health_pb2.HealthCheckResponse.FromString,
        )
        call = watch(health_pb2.HealthCheckRequest(service=SERVICE_NAME))
        async with asyncio.timeout(10):
            first = await call.read()
            assert isinstance(first, health_pb2.HealthCheckResponse)
            assert first.status == health_pb2.HealthCheckResponse.SERVING
            drain = asyncio.ensure_future(running.drain(delay=pre_stop_delay()))
            await in_delay.wait()
            second = await call.read()
            assert isinstance(second, health_pb2.HealthCheckResponse)
            assert second.status == health_pb2.HealthCheckResponse.NOT_SERVING
            seen_not_serving.set()
            call.cancel()
            await drain
