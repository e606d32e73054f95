"""Lab 13 acceptance, cancellation: a stream that ends early (the client cancels, the
generator is closed) cancels its producer and awaits it, promptly, leaving no task behind —
and the producer does not swallow the cancellation and carry on.

Each failure names the README step and the TODO(lab 13) to look at."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator
from typing import Any, cast

import grpc
import recommendations_pb2 as pb
import recommendations_pb2_grpc as pb_grpc

from recommender.server import start
from recommender.service import RecommendationService
from recommender.settings import Settings
from recommender.token import mint

WHERE = "TODO(lab 13) in python/services/recommender/src/recommender/service.py"
DELAY = 0.05  # per-item lookup: the producer is mid-lookup when the stream ends


class _NoDeadline:
    def time_remaining(self) -> float | None:
        return None


def _producer_tasks() -> list[asyncio.Task[Any]]:
    """Every live task running a stream producer, whoever started it."""
    return [
        task
        for task in asyncio.all_tasks()
        if not task.done()
        and getattr(task.get_coro(), "__qualname__", "") == "RecommendationService._produce"
    ]


async def _scoring_stopped(service: RecommendationService) -> None:
    scored = service.stats.items_scored
    await asyncio.sleep(3 * DELAY)
    assert service.stats.items_scored == scored, (
        f"step 3: items were still looked up after the stream ended ({scored} → "
        f"{service.stats.items_scored}): the producer caught the cancellation and carried on. "
        "Let CancelledError propagate (never `except CancelledError: continue`/`pass`)"
    )


async def test_closing_the_stream_cancels_and_awaits_the_producer() -> None:
    service = RecommendationService(Settings(score_delay_s=DELAY, stream_buffer=4))
    request = pb.StreamRecommendationsRequest(user_id="u-1", language="es", max_items=8)
    stream = cast(
        AsyncGenerator[Any, None],
        service.StreamRecommendations(request, cast(Any, _NoDeadline())),
    )
    first = await anext(stream)
    assert first.position == 0
    producers = set(service.producers)
    assert len(producers) == 1, (
        f"step 1: no producer task runs while the client reads — start self._produce(...) with "
        f"asyncio.create_task and add it to self.producers ({WHERE})"
    )
    started = time.monotonic()
    try:
        await asyncio.wait_for(stream.aclose(), timeout=1.0)
    except TimeoutError:
        raise AssertionError(
            "step 3: closing the stream did not finish within 1 s: its `finally` waits for a "
            "producer that was never cancelled (or that swallowed the cancellation) and is "
            f"blocked on a full queue — call producer.cancel() before awaiting it ({WHERE})"
        ) from None
    closed_in = time.monotonic() - started
    assert all(task.done() for task in producers), (
        f"step 3: the producer outlived its stream: cancel it and await it in `finally` ({WHERE})"
    )
    assert closed_in < 0.5
    assert not service.producers
    assert not _producer_tasks(), "step 3: a producer task is still running"
    await _scoring_stopped(service)


async def test_a_client_that_cancels_mid_stream_stops_the_producer_promptly() -> None:
    settings = Settings(score_delay_s=DELAY, stream_buffer=4)
    running = await start(settings)
    service = running.service
    try:
        token = mint(settings.auth, subject="u-1")
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            stub = pb_grpc.RecommendationServiceStub(channel)
            request = pb.StreamRecommendationsRequest(user_id="u-1", language="es", max_items=8)
            call = stub.StreamRecommendations(
                request, metadata=(("authorization", f"Bearer {token}"),)
            )
            first = await call.read()
            assert isinstance(first, pb.StreamRecommendationsResponse)
            producers = set(service.producers)
            assert len(producers) == 1, (
                f"step 1: no producer task runs while the client reads — start "
                f"self._produce(...) with asyncio.create_task and add it to self.producers "
                f"({WHERE})"
            )
            call.cancel()
            cancelled_at = time.monotonic()
            await asyncio.wait(producers, timeout=1.0)
            stopped_in = time.monotonic() - cancelled_at
        assert all(task.done() for task in producers), (
            "step 3: the client cancelled, but the producer was still running 1 s later: the "
            "RPC's `finally` must cancel it and await it, and the producer must let "
            f"CancelledError propagate ({WHERE})"
        )
        assert stopped_in < 0.5, f"step 3: the producer took {stopped_in:.2f} s to stop"
        assert not service.producers
        assert not _producer_tasks(), "step 3: a producer task is still running"
        assert service.stats.items_scored < 8, "the whole ranking was looked up anyway"
        await _scoring_stopped(service)
    finally:
        await running.server.stop(None)
