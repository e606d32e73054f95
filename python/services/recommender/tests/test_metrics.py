"""``recommender_rpc_duration_seconds{method,code}``: one observation per call with the code it
ended with (OK, a mapped error, an abort, a passed deadline, a client that cancels, a stream
when it ends), health checks included; ``recommender_build_info``; the HTTP ``/metrics``
server (free port, Prometheus text, stopped on drain)."""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from typing import Any

import grpc
import pytest
import recommendations_pb2 as pb
import recommendations_pb2_grpc as pb_grpc
from prometheus_client.parser import text_string_to_metric_families

from recommender.metrics import _ended_by
from recommender.server import SERVICE_NAME, RunningServer
from recommender.service import RecommendationService
from recommender.settings import Settings

Auth = tuple[tuple[str, str], ...]
Eventually = Callable[[Callable[[], bool]], Awaitable[None]]  # the conftest fixture
HISTOGRAM = "recommender_rpc_duration_seconds"
RECOMMEND = f"/{SERVICE_NAME}/Recommend"
STREAM = f"/{SERVICE_NAME}/StreamRecommendations"
HEALTH_CHECK = "/grpc.health.v1.Health/Check"


def count(running: RunningServer, method: str, code: str) -> float:
    value = running.metrics.registry.get_sample_value(
        f"{HISTOGRAM}_count", {"method": method, "code": code}
    )
    return value or 0.0


def scrape(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as answer:  # nosec B310 - test URL
        assert answer.status == 200
        assert answer.headers["Content-Type"].startswith("text/plain")
        text: str = answer.read().decode()
        return text


@pytest.fixture
async def metered(settings: Settings, start_server: Any) -> RunningServer:
    running: RunningServer = await start_server(replace(settings, metrics_port=0))
    return running


@pytest.fixture
async def metered_stub(
    metered: RunningServer,
) -> AsyncIterator[pb_grpc.RecommendationServiceAsyncStub]:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{metered.port}") as channel:
        yield pb_grpc.RecommendationServiceStub(channel)


async def test_metrics_are_served_over_http_with_the_contracts_series(
    metered: RunningServer,
    metered_stub: pb_grpc.RecommendationServiceAsyncStub,
    auth: Auth,
    health_status: Callable[[grpc.aio.Channel, str], Awaitable[int]],
) -> None:
    await metered_stub.Recommend(pb.RecommendRequest(user_id="u-1", language="es"), metadata=auth)
    with pytest.raises(grpc.aio.AioRpcError):
        await metered_stub.Recommend(pb.RecommendRequest(user_id="u-1", language="es"))
    async with grpc.aio.insecure_channel(f"127.0.0.1:{metered.port}") as channel:
        await health_status(channel, "")
    assert metered.metrics_server is not None
    text = await asyncio.to_thread(scrape, metered.metrics_server.url)
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }

    def sample(name: str, **labels: str) -> float | None:
        return samples.get((name, tuple(sorted(labels.items()))))

    assert sample(f"{HISTOGRAM}_count", method=RECOMMEND, code="OK") == 1
    assert sample(f"{HISTOGRAM}_count", method=RECOMMEND, code="UNAUTHENTICATED") == 1
    assert sample(f"{HISTOGRAM}_count", method=HEALTH_CHECK, code="OK") == 1
    assert sample("recommender_build_info", version="v2") == 1
    # Every service method's OK and server-side series exist at 0 before any such call, so the
    # canary's error-rate ratio has data while the candidate serves without errors.
    assert sample(f"{HISTOGRAM}_count", method=RECOMMEND, code="INTERNAL") == 0
    assert sample(f"{HISTOGRAM}_count", method=STREAM, code="OK") == 0
    assert sample(f"{HISTOGRAM}_count", method=STREAM, code="UNAVAILABLE") == 0
    # The SLO's threshold is a bucket edge, printed exactly as the rules select it.
    assert f'{HISTOGRAM}_bucket{{code="OK",le="0.25",method="{RECOMMEND}"}} 1.0' in text


async def test_metrics_stay_up_through_the_drain_then_stop(metered: RunningServer) -> None:
    assert metered.metrics_server is not None
    url = metered.metrics_server.url
    await metered.drain()
    assert "recommender_build_info" in await asyncio.to_thread(scrape, url)
    await metered.close_metrics()
    with pytest.raises(urllib.error.URLError, match="refused"):
        await asyncio.to_thread(scrape, url)


async def test_no_metrics_port_means_no_metrics_server(server: RunningServer) -> None:
    assert server.metrics_server is None


async def test_mapped_errors_are_observed_with_their_code(
    metered: RunningServer,
    metered_stub: pb_grpc.RecommendationServiceAsyncStub,
    auth: Auth,
    eventually: Eventually,
) -> None:
    with pytest.raises(grpc.aio.AioRpcError):
        await metered_stub.Recommend(
            pb.RecommendRequest(user_id="u-1", language="xx"), metadata=auth
        )
    # The client has the status before the server's outermost interceptor has observed it.
    await eventually(lambda: count(metered, RECOMMEND, "INVALID_ARGUMENT") == 1)
    assert count(metered, RECOMMEND, "OK") == 0


async def test_a_crash_is_observed_as_internal(
    settings: Settings,
    start_server: Any,
    auth: Auth,
    eventually: Eventually,
) -> None:
    class Crashing(RecommendationService):
        async def Recommend(self, request: Any, context: Any) -> Any:  # noqa: N802
            raise RuntimeError("a bug")

    running: RunningServer = await start_server(settings, service=Crashing(settings))
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        stub = pb_grpc.RecommendationServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError):
            await stub.Recommend(pb.RecommendRequest(user_id="u-1", language="es"), metadata=auth)
    await eventually(lambda: count(running, RECOMMEND, "INTERNAL") == 1)


async def test_a_shed_call_is_deadline_exceeded(
    settings: Settings,
    start_server: Any,
    auth: Auth,
    eventually: Eventually,
) -> None:
    running: RunningServer = await start_server(replace(settings, score_delay_s=1.0))
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        stub = pb_grpc.RecommendationServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError):
            await stub.Recommend(
                pb.RecommendRequest(user_id="u-1", language="es"), metadata=auth, timeout=0.5
            )
    await eventually(lambda: count(running, RECOMMEND, "DEADLINE_EXCEEDED") == 1)


async def test_a_deadline_passing_mid_call_is_deadline_exceeded(
    settings: Settings,
    start_server: Any,
    auth: Auth,
    eventually: Eventually,
) -> None:
    # 1 item x 20 ms fits the 150 ms budget when the call starts; the injected 400 ms does not.
    running: RunningServer = await start_server(
        replace(settings, score_delay_s=0.02, fault_latency_s=0.4)
    )
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        stub = pb_grpc.RecommendationServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await stub.Recommend(
                pb.RecommendRequest(user_id="u-1", language="es", limit=1),
                metadata=auth,
                timeout=0.15,
            )
    assert raised.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    await eventually(lambda: count(running, RECOMMEND, "DEADLINE_EXCEEDED") == 1)
    assert count(running, RECOMMEND, "CANCELLED") == 0


async def test_a_client_that_cancels_is_cancelled(
    settings: Settings,
    start_server: Any,
    auth: Auth,
    eventually: Eventually,
) -> None:
    running: RunningServer = await start_server(replace(settings, score_delay_s=0.1))
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        stub = pb_grpc.RecommendationServiceStub(channel)
        call = stub.Recommend(pb.RecommendRequest(user_id="u-1", language="es"), metadata=auth)
        await eventually(lambda: running.service.stats.items_scored >= 1)  # the handler runs
        call.cancel()
        await eventually(lambda: count(running, RECOMMEND, "CANCELLED") == 1)
    assert count(running, RECOMMEND, "OK") == 0


async def test_a_stream_is_observed_once_when_it_ends(
    metered: RunningServer,
    metered_stub: pb_grpc.RecommendationServiceAsyncStub,
    auth: Auth,
    eventually: Eventually,
) -> None:
    request = pb.StreamRecommendationsRequest(user_id="u-1", language="es", max_items=6)
    received = [item async for item in metered_stub.StreamRecommendations(request, metadata=auth)]
    assert len(received) == 6
    await eventually(lambda: count(metered, STREAM, "OK") == 1)
    await asyncio.sleep(0.05)
    assert count(metered, STREAM, "OK") == 1


async def test_a_stream_the_client_cancels_is_cancelled(
    settings: Settings,
    start_server: Any,
    auth: Auth,
    eventually: Eventually,
) -> None:
    running: RunningServer = await start_server(replace(settings, score_delay_s=0.05))
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        stub = pb_grpc.RecommendationServiceStub(channel)
        request = pb.StreamRecommendationsRequest(user_id="u-1", language="es", max_items=10)
        call = stub.StreamRecommendations(request, metadata=auth)
        await call.read()
        call.cancel()
        await eventually(lambda: count(running, STREAM, "CANCELLED") == 1)
    assert count(running, STREAM, "OK") == 0


class _Context:
    def __init__(self, code: grpc.StatusCode | None, remaining: float | None) -> None:
        self._code, self._remaining = code, remaining

    def code(self) -> grpc.StatusCode | None:
        return self._code

    def time_remaining(self) -> float | None:
        return self._remaining


@pytest.mark.parametrize(
    ("error", "code", "remaining", "expected"),
    [
        (grpc.aio.AbortError(), grpc.StatusCode.NOT_FOUND, None, "NOT_FOUND"),
        (grpc.aio.AbortError(), None, None, "UNKNOWN"),
        (grpc.aio.AbortError(), None, 0.001, "DEADLINE_EXCEEDED"),
        (asyncio.CancelledError(), None, 0.0, "DEADLINE_EXCEEDED"),
        # grpc.aio's timer fired; this clock still sees 3 ms: the deadline ended it.
        (asyncio.CancelledError(), None, 0.003, "DEADLINE_EXCEEDED"),
        (asyncio.CancelledError(), None, 0.05, "CANCELLED"),
        (asyncio.CancelledError(), None, 3.0, "CANCELLED"),
        (asyncio.CancelledError(), None, None, "CANCELLED"),
        (GeneratorExit(), None, 0.0, "DEADLINE_EXCEEDED"),
        (ValueError("escaped the edge"), None, None, "UNKNOWN"),
        (ValueError("broke after the deadline"), None, -0.01, "DEADLINE_EXCEEDED"),
    ],
)
def test_the_code_a_raising_call_ends_with(
    error: BaseException, code: grpc.StatusCode | None, remaining: float | None, expected: str
) -> None:
    assert _ended_by(error, _Context(code, remaining)) == expected  # type: ignore[arg-type]


def test_an_unknown_end_is_logged_with_its_cause(capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    code = _ended_by(RuntimeError("boom"), _Context(None, 2.0), "/svc/Method")  # type: ignore[arg-type]
    assert code == "UNKNOWN"
    out = capsys.readouterr().out
    assert "rpc_ended_unknown" in out
    assert "RuntimeError" in out
    assert "boom" in out
    assert "/svc/Method" in out
