"""Shared fixtures: a real grpc.aio server on a free port in this process (with an in-memory
span exporter), an async channel and stub to it, and dev tokens."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc
import pytest
import recommendations_pb2_grpc as pb_grpc
from google.rpc import error_details_pb2, status_pb2  # type: ignore[import-untyped]
from grpc_health.v1 import health_pb2
from hypothesis import settings as hypothesis_settings
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from recommender.server import RunningServer, start
from recommender.settings import Settings
from recommender.token import mint

hypothesis_settings.register_profile("recommender", database=None, deadline=None)
hypothesis_settings.load_profile("recommender")

Metadata = tuple[tuple[str, str], ...]
ServerFactory = Callable[..., Any]


@pytest.fixture
def settings() -> Settings:
    # Fast lookups by default; tests about time set their own.
    return Settings(score_delay_s=0.001, grace_s=1.0)


@pytest.fixture
def spans() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def tracer_provider(spans: InMemorySpanExporter) -> TracerProvider:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    return provider


@pytest.fixture
async def start_server(
    tracer_provider: TracerProvider,
) -> AsyncIterator[Callable[[Settings], Any]]:
    """Start servers with given settings; every one is stopped at the end of the test."""
    started: list[RunningServer] = []

    async def _start(settings: Settings, **kwargs: Any) -> RunningServer:
        running = await start(settings, tracer_provider=tracer_provider, **kwargs)
        started.append(running)
        return running

    yield _start
    for running in started:
        await running.stop_now()


@pytest.fixture
async def server(settings: Settings, start_server: ServerFactory) -> RunningServer:
    running: RunningServer = await start_server(settings)
    return running


@pytest.fixture
async def channel(server: RunningServer) -> AsyncIterator[grpc.aio.Channel]:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as opened:
        yield opened


@pytest.fixture
def stub(channel: grpc.aio.Channel) -> pb_grpc.RecommendationServiceAsyncStub:
    return pb_grpc.RecommendationServiceStub(channel)


@pytest.fixture
def token(settings: Settings) -> str:
    return mint(settings.auth, subject="u-1")


@pytest.fixture
def auth(token: str) -> Metadata:
    return (("authorization", f"Bearer {token}"),)


HEALTH_CHECK = "/grpc.health.v1.Health/Check"


@pytest.fixture
def health_status() -> Callable[[grpc.aio.Channel, str], Awaitable[int]]:
    """The health status of ``service`` ("" = the server): typed, unlike the stock stub."""

    async def _status(channel: grpc.aio.Channel, service: str = "") -> int:
        check = channel.unary_unary(
            HEALTH_CHECK,
            request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
            response_deserializer=health_pb2.HealthCheckResponse.FromString,
        )
        answer: health_pb2.HealthCheckResponse = await check(
            health_pb2.HealthCheckRequest(service=service)
        )
        return answer.status

    return _status


Eventually = Callable[[Callable[[], bool]], Awaitable[None]]


@pytest.fixture
def eventually() -> Eventually:
    """Wait (3 s at most) for a condition the server makes true just after the client returns.

    A call's observation lands when the outermost interceptor unwinds, which can be after the
    client already has its status: reading a metric right after ``await call`` races it.
    """

    async def _wait(condition: Callable[[], bool]) -> None:
        deadline = time.monotonic() + 3.0
        while not condition():
            assert time.monotonic() < deadline, "condition not met in time"
            await asyncio.sleep(0.02)

    return _wait


@pytest.fixture
def error_info() -> Callable[[grpc.aio.AioRpcError], Any]:
    """The ``google.rpc.ErrorInfo`` in a failed call's ``grpc-status-details-bin`` trailer."""

    def _info(error: grpc.aio.AioRpcError) -> Any:
        for key, value in error.trailing_metadata() or ():
            if key == "grpc-status-details-bin" and isinstance(value, bytes):
                status = status_pb2.Status.FromString(value)
                assert status.code == error.code().value[0]
                info = error_details_pb2.ErrorInfo()
                assert status.details[0].Unpack(info)
                return info
        raise AssertionError(f"no status details in {error!r}")

    return _info
