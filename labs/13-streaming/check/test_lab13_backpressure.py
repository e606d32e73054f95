"""Lab 13 acceptance, backpressure: StreamRecommendations sends from a producer task that looks
items up ahead of the client, but never more than ``stream_buffer`` items ahead (a bounded
``asyncio.Queue``), so a slow reader cannot grow the server's memory.

Each failure names the README step and the TODO(lab 13) to look at."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, cast

import grpc
import recommendations_pb2 as pb
import recommendations_pb2_grpc as pb_grpc

from recommender import model
from recommender.server import start
from recommender.service import RecommendationService
from recommender.settings import Settings
from recommender.token import mint

WHERE = "TODO(lab 13) in python/services/recommender/src/recommender/service.py"


class _NoDeadline:
    """The one thing the servicer reads from a grpc.aio context: no deadline."""

    def time_remaining(self) -> float | None:
        return None


def _stream(service: RecommendationService, max_items: int) -> AsyncIterator[Any]:
    request = pb.StreamRecommendationsRequest(user_id="u-1", language="es", max_items=max_items)
    return cast(
        AsyncIterator[Any], service.StreamRecommendations(request, cast(Any, _NoDeadline()))
    )


async def _loop_turns(turns: int) -> None:
    """Let every ready task run ``turns`` times (no wall-clock time involved)."""
    for _ in range(turns):
        await asyncio.sleep(0)


async def test_a_slow_reader_blocks_the_producer_k_items_ahead() -> None:
    buffer = 3
    service = RecommendationService(Settings(score_delay_s=0, stream_buffer=buffer))
    stream = _stream(service, 8)
    first = await anext(stream)
    assert first.position == 0
    # The reader dawdles. With no lookup delay a producer needs turns of the event loop, not
    # time: give it plenty (an unbounded one would produce all 8 in far fewer).
    await _loop_turns(100)
    stats = service.stats
    assert stats.stream_produced or service.producers, (
        f"step 1: no producer task runs while the client reads — start self._produce(...) with "
        f"asyncio.create_task and add it to self.producers ({WHERE})"
    )
    assert stats.stream_sent == 1
    assert stats.stream_produced == 1 + buffer, (
        f"step 2: with stream_buffer={buffer} and one item sent, the producer must stop "
        f"exactly {1 + buffer} items in, blocked on a full queue; it produced "
        f"{stats.stream_produced} (asyncio.Queue(maxsize=self._settings.stream_buffer); "
        f"count each item in stats.stream_produced) ({WHERE})"
    )
    assert len(service.producers) == 1, (
        "step 1: the producer must be in self.producers while it waits on the full queue"
    )
    await _loop_turns(100)
    assert stats.stream_produced == 1 + buffer, (
        "step 2: the producer went on while nobody read: the queue is not bounded"
    )
    rest = [item async for item in stream]
    received = [first, *rest]
    assert [item.position for item in received] == list(range(8)), (
        "step 3: positions must count 0, 1, 2, ... in the order items are sent"
    )
    assert [item.recommendation.item_id for item in received] == [
        one.item.item_id for one in model.rank("u-1", "es", 8)
    ], "step 3: the stream must be the ranking, in order, every item once"
    assert stats.stream_max_ahead == buffer
    assert not service.producers, "step 3: the producer task must be finished and awaited"


async def test_over_the_wire_a_slow_client_keeps_the_producer_within_its_bound() -> None:
    settings = Settings(score_delay_s=0.005, stream_buffer=2)
    running = await start(settings)
    try:
        token = mint(settings.auth, subject="u-1")
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            stub = pb_grpc.RecommendationServiceStub(channel)
            request = pb.StreamRecommendationsRequest(user_id="u-1", language="es", max_items=8)
            positions = []
            call = stub.StreamRecommendations(
                request, metadata=(("authorization", f"Bearer {token}"),)
            )
            async for item in call:
                positions.append(item.position)
                await asyncio.sleep(0.03)  # a slow client
        assert positions == list(range(8))
        stats = running.service.stats
        assert stats.stream_produced == 8, (
            f"step 2: the producer must count every item it queues ({WHERE})"
        )
        assert 1 <= stats.stream_max_ahead <= 2, (
            f"step 2: the producer ran {stats.stream_max_ahead} items ahead of a slow client; "
            f"the bound is stream_buffer=2 ({WHERE})"
        )
        assert not running.service.producers
    finally:
        await running.server.stop(None)
