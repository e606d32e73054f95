"""StreamRecommendations: the ranking item by item, a bounded producer (a slow reader blocks
it ``stream_buffer`` items ahead), and a client that cancels stops the producer promptly."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from typing import Any, cast

import grpc
import pytest
import recommendations_pb2 as pb
import recommendations_pb2_grpc as pb_grpc

from recommender import model
from recommender.server import RunningServer
from recommender.service import RecommendationService
from recommender.settings import Settings

Auth = tuple[tuple[str, str], ...]


async def test_the_stream_is_the_ranking_in_order(
    stub: pb_grpc.RecommendationServiceAsyncStub, auth: Auth, server: RunningServer
) -> None:
    request = pb.StreamRecommendationsRequest(user_id="u-1", language="es", max_items=6)
    received = [item async for item in stub.StreamRecommendations(request, metadata=auth)]
    assert [item.position for item in received] == list(range(6))
    assert [item.recommendation.item_id for item in received] == [
        one.item.item_id for one in model.rank("u-1", "es", 6)
    ]
    assert not server.service.producers


class _FakeContext:
    """What the servicer reads from a grpc.aio context, for driving it without a network."""

    def time_remaining(self) -> float | None:
        return None


async def _loop_turns(turns: int) -> None:
    """Let every ready task run ``turns`` times (no wall-clock time involved)."""
    for _ in range(turns):
        await asyncio.sleep(0)


async def test_a_slow_reader_blocks_the_producer_k_items_ahead(settings: Settings) -> None:
    buffer = 2
    service = RecommendationService(replace(settings, score_delay_s=0, stream_buffer=buffer))
    request = pb.StreamRecommendationsRequest(user_id="u-1", language="es", max_items=8)
    stream = cast(Any, service.StreamRecommendations(request, cast(Any, _FakeContext())))
    first = await anext(stream)
    assert first.position == 0
    # The reader dawdles. With no lookup delay the producer only needs turns of the event
    # loop, not time: give it plenty, then it must sit blocked on the full queue.
    await _loop_turns(100)
    stats = service.stats
    assert stats.stream_sent == 1
    assert stats.stream_produced == 1 + buffer
    await _loop_turns(100)
    assert stats.stream_produced == 1 + buffer  # still blocked: memory does not grow
    rest = [item async for item in stream]
    assert len(rest) == 7
    assert stats.stream_max_ahead == buffer
    assert not service.producers


async def test_over_the_wire_the_producer_stays_within_its_bound(
    settings: Settings, start_server: Any, auth: Auth
) -> None:
    running: RunningServer = await start_server(replace(settings, score_delay_s=0, stream_buffer=2))
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        stub = pb_grpc.RecommendationServiceStub(channel)
        request = pb.StreamRecommendationsRequest(user_id="u-1", language="es", max_items=8)
        count = 0
        async for _ in stub.StreamRecommendations(request, metadata=auth):
            count += 1
            await asyncio.sleep(0.02)
    assert count == 8
    assert running.service.stats.stream_max_ahead <= 2


async def test_a_client_that_cancels_stops_the_producer_promptly(
    settings: Settings, start_server: Any, auth: Auth
) -> None:
    running: RunningServer = await start_server(replace(settings, score_delay_s=0.05))
    service = running.service
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        stub = pb_grpc.RecommendationServiceStub(channel)
        request = pb.StreamRecommendationsRequest(user_id="u-1", language="es", max_items=8)
        call = stub.StreamRecommendations(request, metadata=auth)
        first = await call.read()
        assert not isinstance(first, type(grpc.aio.EOF))
        producers = set(service.producers)
        assert len(producers) == 1
        call.cancel()
        cancelled_at = time.monotonic()
        await asyncio.wait(producers, timeout=1)
        stopped_in = time.monotonic() - cancelled_at
    assert not service.producers
    assert all(task.done() for task in producers)
    assert stopped_in < 0.3
    # Only the producer scores stream items, and it has ended: no waiting needed to see that
    # nothing more is scored.
    assert service.stats.items_scored < 8


async def test_a_stream_without_time_for_one_item_is_shed(
    settings: Settings, start_server: Any, auth: Auth
) -> None:
    running: RunningServer = await start_server(replace(settings, score_delay_s=0.5))
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        stub = pb_grpc.RecommendationServiceStub(channel)
        request = pb.StreamRecommendationsRequest(user_id="u-1", language="es")
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            async for _ in stub.StreamRecommendations(request, metadata=auth, timeout=0.2):
                pass
    assert raised.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert running.service.stats.calls_shed == 1
    assert not running.service.producers
