"""Injected faults: INTERNAL saying it is injected, at the configured (seeded) rate, extra
latency, RecommendationService calls only (health never), and bad values refused."""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import grpc
import pytest
import recommendations_pb2 as pb
import recommendations_pb2_grpc as pb_grpc
from grpc_health.v1 import health_pb2

from recommender.server import SERVICE_NAME, RunningServer
from recommender.settings import Settings, SettingsError, from_env

Auth = tuple[tuple[str, str], ...]
Eventually = Callable[[Callable[[], bool]], Awaitable[None]]  # the conftest fixture
RECOMMEND = f"/{SERVICE_NAME}/Recommend"
STREAM = f"/{SERVICE_NAME}/StreamRecommendations"
HealthStatus = Callable[[grpc.aio.Channel, str], Awaitable[int]]


def count(running: RunningServer, method: str, code: str) -> float:
    labels = {"method": method, "code": code}
    value = running.metrics.registry.get_sample_value(
        "recommender_rpc_duration_seconds_count", labels
    )
    return value or 0.0


async def test_every_call_fails_internal_at_rate_1_and_health_still_serves(
    settings: Settings,
    start_server: Any,
    auth: Auth,
    health_status: HealthStatus,
    error_info: Callable[[grpc.aio.AioRpcError], Any],
    eventually: Eventually,
) -> None:
    running: RunningServer = await start_server(replace(settings, fault_error_rate=1.0))
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        stub = pb_grpc.RecommendationServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await stub.Recommend(pb.RecommendRequest(user_id="u-1", language="es"), metadata=auth)
        assert raised.value.code() == grpc.StatusCode.INTERNAL
        assert "injected" in (raised.value.details() or "")
        assert error_info(raised.value).reason == "INJECTED_FAULT"
        request = pb.StreamRecommendationsRequest(user_id="u-1", language="es")
        with pytest.raises(grpc.aio.AioRpcError) as streamed:
            _ = [one async for one in stub.StreamRecommendations(request, metadata=auth)]
        assert streamed.value.code() == grpc.StatusCode.INTERNAL
        assert await health_status(channel, "") == health_pb2.HealthCheckResponse.SERVING
        assert await health_status(channel, SERVICE_NAME) == health_pb2.HealthCheckResponse.SERVING
    # Observations land as the server unwinds, which can be after the client has its status.
    await eventually(lambda: count(running, "/grpc.health.v1.Health/Check", "OK") == 2)
    await eventually(lambda: count(running, STREAM, "INTERNAL") == 1)
    assert count(running, RECOMMEND, "INTERNAL") == 1


async def test_a_seeded_rate_fails_exactly_the_calls_its_draws_say(
    settings: Settings, start_server: Any, auth: Auth, eventually: Eventually
) -> None:
    running: RunningServer = await start_server(
        replace(settings, score_delay_s=0, fault_error_rate=0.5, fault_seed=7)
    )
    draws = random.Random(7)
    expected = [draws.random() < 0.5 for _ in range(20)]
    codes = []
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        stub = pb_grpc.RecommendationServiceStub(channel)
        for _ in range(20):
            call = stub.Recommend(pb.RecommendRequest(user_id="u-1", language="es"), metadata=auth)
            codes.append(await call.code())
    assert set(codes) == {grpc.StatusCode.OK, grpc.StatusCode.INTERNAL}
    failed = [code == grpc.StatusCode.INTERNAL for code in codes]
    assert failed == expected
    assert 0 < sum(failed) < 20
    ended = ("OK", "INTERNAL")
    await eventually(lambda: sum(count(running, RECOMMEND, code) for code in ended) == 20)
    assert count(running, RECOMMEND, "INTERNAL") == sum(failed)


async def test_injected_latency_slows_service_calls_but_not_health(
    settings: Settings,
    start_server: Any,
    auth: Auth,
    health_status: HealthStatus,
    eventually: Eventually,
) -> None:
    running: RunningServer = await start_server(
        replace(settings, score_delay_s=0, fault_latency_s=0.6)
    )
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        stub = pb_grpc.RecommendationServiceStub(channel)
        started = time.monotonic()
        await stub.Recommend(pb.RecommendRequest(user_id="u-1", language="es"), metadata=auth)
        assert time.monotonic() - started >= 0.6
        started = time.monotonic()
        await health_status(channel, "")
        assert time.monotonic() - started < 0.4
    # The Recommend observation includes the injected time: above the SLO's 0.25 s edge.
    await eventually(lambda: count(running, RECOMMEND, "OK") == 1)
    bucket = running.metrics.registry.get_sample_value(
        "recommender_rpc_duration_seconds_bucket",
        {"method": RECOMMEND, "code": "OK", "le": "0.25"},
    )
    assert bucket == 0


def test_no_fault_variables_means_no_faults() -> None:
    settings = from_env({})
    assert (settings.fault_error_rate, settings.fault_latency_s, settings.fault_seed) == (
        0,
        0,
        None,
    )
    configured = from_env(
        {
            "RECOMMENDER_FAULT_ERROR_RATE": "0.25",
            "RECOMMENDER_FAULT_LATENCY_MS": "150",
            "RECOMMENDER_FAULT_SEED": "42",
        }
    )
    assert (configured.fault_error_rate, configured.fault_latency_s) == (0.25, 0.15)
    assert configured.fault_seed == 42


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("RECOMMENDER_FAULT_ERROR_RATE", "1.5"),
        ("RECOMMENDER_FAULT_ERROR_RATE", "-0.1"),
        ("RECOMMENDER_FAULT_ERROR_RATE", "nan"),
        ("RECOMMENDER_FAULT_ERROR_RATE", "often"),
        ("RECOMMENDER_FAULT_LATENCY_MS", "-5"),
        ("RECOMMENDER_FAULT_LATENCY_MS", "inf"),
        ("RECOMMENDER_FAULT_LATENCY_MS", "slow"),
        ("RECOMMENDER_FAULT_SEED", "lucky"),
    ],
)
def test_bad_fault_values_are_refused_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        from_env({name: value})
