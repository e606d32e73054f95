"""Deadlines: work that cannot finish in the caller's remaining time is shed before it starts,
and a cancelled call stops its work."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import grpc
import pytest
import recommendations_pb2 as pb
import recommendations_pb2_grpc as pb_grpc

from recommender import model
from recommender.server import RunningServer
from recommender.service import RecommendationService
from recommender.settings import Settings

Auth = tuple[tuple[str, str], ...]
# 5 items (the default limit) at 50 ms each: 250 ms of work.
SLOW = 0.05
REQUEST = pb.RecommendRequest(user_id="u-1", language="es")


async def _slow_server(settings: Settings, start_server: Any) -> RunningServer:
    running: RunningServer = await start_server(replace(settings, score_delay_s=SLOW))
    return running


async def test_a_call_that_cannot_finish_is_shed_before_any_work(
    settings: Settings,
    start_server: Any,
    auth: Auth,
    error_info: Callable[[grpc.aio.AioRpcError], Any],
) -> None:
    running = await _slow_server(settings, start_server)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        stub = pb_grpc.RecommendationServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await stub.Recommend(REQUEST, metadata=auth, timeout=0.1)
    assert raised.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert running.service.stats.calls_shed == 1
    assert running.service.stats.items_scored == 0
    # The server's answer (not the client's own timer): it says why, with numbers.
    info = error_info(raised.value)
    assert info.reason == "DEADLINE_TOO_SHORT"
    assert int(info.metadata["needed_ms"]) > int(info.metadata["remaining_ms"])


async def test_a_call_with_time_enough_is_served(
    settings: Settings, start_server: Any, auth: Auth
) -> None:
    running = await _slow_server(settings, start_server)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        stub = pb_grpc.RecommendationServiceStub(channel)
        response = await stub.Recommend(REQUEST, metadata=auth, timeout=5)
    assert len(response.recommendations) == 5
    assert running.service.stats.calls_shed == 0
    assert running.service.stats.items_scored == 5


class _HeldAfterTwo(RecommendationService):
    """Scores two items, then holds the call until it is cancelled (``stopped`` says so)."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.holding = asyncio.Event()
        self.stopped = asyncio.Event()

    async def _look_up(self, ranked: model.Ranked) -> None:
        if self.stats.items_scored == 2:
            self.holding.set()
            try:
                await asyncio.Event().wait()  # only a cancellation ends this call
            except asyncio.CancelledError:
                self.stopped.set()
                raise
        await super()._look_up(ranked)


async def test_a_cancelled_call_stops_its_work(
    settings: Settings, start_server: Any, auth: Auth
) -> None:
    # Ordered by events, not sleeps: the call is in flight (two items scored, the third held)
    # when the client cancels, and the handler's lookup sees the cancellation.
    slow = replace(settings, score_delay_s=SLOW)
    service = _HeldAfterTwo(slow)
    running: RunningServer = await start_server(slow, service=service)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        stub = pb_grpc.RecommendationServiceStub(channel)
        call = stub.Recommend(REQUEST, metadata=auth, timeout=5)
        async with asyncio.timeout(10):  # a hang fails this test, not the whole run
            await service.holding.wait()
            call.cancel()
            with pytest.raises(asyncio.CancelledError):
                await call
            await service.stopped.wait()
    assert service.stats.items_scored == 2
