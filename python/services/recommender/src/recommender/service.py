"""The RecommendationService servicer: requests in, model and feedback store, responses out.

- Ranking is the model's (``recommender.model``, cheap and pure); each ranked item then needs
  a lookup (simulated: ``score_delay_s``) before it can be sent, which is the slow part.
- Deadlines: each call estimates its work (items to look up x per-item cost) and, when the
  caller's remaining time (``context.time_remaining()``) cannot cover it, sheds the call with
  DEADLINE_EXCEEDED before doing any of it. Work runs in awaits, so a cancelled call (client
  gone, deadline passed) stops at the next item.
- Streaming: a producer task looks items up into a bounded ``asyncio.Queue``; the RPC sends
  from it. A slow client blocks the producer ``stream_buffer`` items ahead instead of growing
  memory, and a client that cancels stops the producer (``finally`` cancels and awaits it).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

import grpc
import recommendations_pb2 as pb
import recommendations_pb2_grpc as pb_grpc

from recommender import model
from recommender.errors import (
    DeadlineTooShortError,
    InvalidArgumentError,
    ItemNotFoundError,
    UnsupportedLanguageError,
)
from recommender.feedback import FeedbackEvent, FeedbackStore
from recommender.observability import metadata_value
from recommender.settings import Settings

if TYPE_CHECKING:  # generic in the stubs only
    Context: TypeAlias = grpc.aio.ServicerContext[Any, Any]

FEEDBACK_KINDS = {
    pb.FEEDBACK_KIND_CLICKED: model.Feedback.CLICKED,
    pb.FEEDBACK_KIND_DISMISSED: model.Feedback.DISMISSED,
    pb.FEEDBACK_KIND_COMPLETED: model.Feedback.COMPLETED,
}


#: Contract v1.1: the model's levels on the wire (DIFFICULTY_UNSPECIFIED is "not set").
DIFFICULTIES = {
    model.Level.BEGINNER: pb.DIFFICULTY_BEGINNER,
    model.Level.INTERMEDIATE: pb.DIFFICULTY_INTERMEDIATE,
    model.Level.ADVANCED: pb.DIFFICULTY_ADVANCED,
}
LEVELS = {wire: level for level, wire in DIFFICULTIES.items()}

IDEMPOTENCY_KEY = "idempotency-key"


@dataclass(slots=True)
class Stats:
    """Counters tests and benchmarks read: work done, work shed, stream progress."""

    items_scored: int = 0
    calls_shed: int = 0
    #: Items the stream producers put into their queues / the RPCs took out and sent.
    stream_produced: int = 0
    stream_sent: int = 0
    #: The largest produced-minus-sent gap one stream reached (at most ``stream_buffer``).
    stream_max_ahead: int = 0


@dataclass(slots=True)
class _Progress:
    produced: int = 0
    sent: int = 0


class RecommendationService(pb_grpc.RecommendationServiceServicer):
    def __init__(self, settings: Settings, feedback: FeedbackStore | None = None) -> None:
        self._settings = settings
        self.feedback = feedback or FeedbackStore()
        self.stats = Stats()
        #: Stream producer tasks still running (a cancelled stream must leave none behind).
        self.producers: set[asyncio.Task[None]] = set()

    async def Recommend(  # noqa: N802 - the generated servicer's name
        self, request: pb.RecommendRequest, context: Context
    ) -> pb.RecommendResponse:
        ranked = self._rank(
            request.user_id,
            request.language,
            request.limit,
            "limit",
            request.exclude_item_ids,
            _max_level(request),
        )
        self._shed_if_late(context, len(ranked))
        for one in ranked:
            await self._look_up(one)
        return pb.RecommendResponse(
            recommendations=[_message(one) for one in ranked], model_version=model.MODEL_VERSION
        )

    async def StreamRecommendations(  # noqa: N802 - the generated servicer's name
        self, request: pb.StreamRecommendationsRequest, context: Context
    ) -> AsyncIterator[pb.StreamRecommendationsResponse]:
        ranked = self._rank(request.user_id, request.language, request.max_items, "max_items", ())
        # Each item is sent as soon as it is looked up: shed only when not even one fits.
        self._shed_if_late(context, 1)
        # lab-region:stream-recommendations begin
        # None marks the end of the stream.
        queue: asyncio.Queue[model.Ranked | None] = asyncio.Queue(
            maxsize=self._settings.stream_buffer
        )
        progress = _Progress()
        producer = asyncio.create_task(self._produce(ranked, queue, progress))
        self.producers.add(producer)
        producer.add_done_callback(self.producers.discard)
        try:
            position = 0
            while (one := await queue.get()) is not None:
                progress.sent += 1
                self.stats.stream_sent += 1
                yield pb.StreamRecommendationsResponse(
                    recommendation=_message(one), position=position
                )
                position += 1
            await producer  # re-raises a producer failure
        finally:
            producer.cancel()
            await asyncio.gather(producer, return_exceptions=True)
        # lab-region:stream-recommendations end

    async def RecordFeedback(  # noqa: N802 - the generated servicer's name
        self, request: pb.RecordFeedbackRequest, context: Context
    ) -> pb.RecordFeedbackResponse:
        key = _idempotency_key(request, context)
        if not request.user_id:
            raise InvalidArgumentError("user_id is required", field="user_id")
        kind = FEEDBACK_KINDS.get(request.kind)
        if kind is None:
            raise InvalidArgumentError("kind must be CLICKED, DISMISSED or COMPLETED", field="kind")
        if request.item_id not in model.ITEMS_BY_ID:
            raise ItemNotFoundError(f"no item {request.item_id!r}", item_id=request.item_id)
        recorded = await self.feedback.record(
            key, FeedbackEvent(request.user_id, request.item_id, kind)
        )
        return pb.RecordFeedbackResponse(
            feedback_id=recorded.feedback_id, duplicate=recorded.duplicate
        )

    def _rank(
        self,
        user_id: str,
        language: str,
        limit: int,
        field: str,
        exclude: Collection[str],
        max_level: model.Level | None = None,
    ) -> list[model.Ranked]:
        if not user_id:
            raise InvalidArgumentError("user_id is required", field="user_id")
        if language not in model.CATALOGUE:
            raise UnsupportedLanguageError(
                f"no items for language {language!r}",
                language=language,
                supported=",".join(sorted(model.CATALOGUE)),
            )
        if limit < 0:
            raise InvalidArgumentError(f"{field} must not be negative", field=field)
        return model.rank(
            user_id, language, limit, set(exclude), self.feedback.of_user(user_id), max_level
        )

    def _shed_if_late(self, context: Context, items: int) -> None:
        """Refuse work the caller will not wait for (it would be thrown away)."""
        # lab-region:deadline-shed begin
        remaining = context.time_remaining()
        needed = items * self._settings.score_delay_s
        if remaining is not None and remaining < needed:
            self.stats.calls_shed += 1
            raise DeadlineTooShortError(
                "deadline too short for this request",
                remaining_ms=str(int(remaining * 1000)),
                needed_ms=str(int(needed * 1000)),
            )
        # lab-region:deadline-shed end

    async def _look_up(self, ranked: model.Ranked) -> None:
        # Stands in for a per-item lookup (features, explanation) in another store: the work a
        # deadline is checked against, and the await where a cancellation lands.
        await asyncio.sleep(self._settings.score_delay_s)
        self.stats.items_scored += 1

    # lab-region:stream-producer begin
    async def _produce(
        self,
        ranked: list[model.Ranked],
        queue: asyncio.Queue[model.Ranked | None],
        progress: _Progress,
    ) -> None:
        for one in ranked:
            await self._look_up(one)
            await queue.put(one)  # blocks while the queue is full: backpressure
            progress.produced += 1
            self.stats.stream_produced += 1
            ahead = progress.produced - progress.sent
            self.stats.stream_max_ahead = max(self.stats.stream_max_ahead, ahead)
        await queue.put(None)
        # lab-region:stream-producer end


class V1RecommendationService(RecommendationService):
    """The build that serves contract v1 only (``RECOMMENDER_VERSION=v1``): what a server from
    before lab 14 does. The v1.1 request field ``max_difficulty`` is ignored (to a v1 server it
    is an unknown field) and the v1.1 response fields ``tags`` and ``difficulty`` stay empty."""

    async def Recommend(  # noqa: N802 - the generated servicer's name
        self, request: pb.RecommendRequest, context: Context
    ) -> pb.RecommendResponse:
        request.ClearField("max_difficulty")
        response = await super().Recommend(request, context)
        for recommendation in response.recommendations:
            _as_v1(recommendation)
        return response

    async def StreamRecommendations(  # noqa: N802 - the generated servicer's name
        self, request: pb.StreamRecommendationsRequest, context: Context
    ) -> AsyncIterator[pb.StreamRecommendationsResponse]:
        async for response in super().StreamRecommendations(request, context):
            _as_v1(response.recommendation)
            yield response


def _as_v1(recommendation: pb.Recommendation) -> None:
    recommendation.ClearField("tags")
    recommendation.ClearField("difficulty")


def _idempotency_key(request: pb.RecordFeedbackRequest, context: Context) -> str:
    """The request's key; the gateway also sends it as ``idempotency-key`` metadata (used when
    the field is empty). Both present and different is a client bug, not a new event."""
    header = metadata_value(context.invocation_metadata(), IDEMPOTENCY_KEY)
    if request.idempotency_key and header and header != request.idempotency_key:
        raise InvalidArgumentError(
            "idempotency_key and the idempotency-key metadata differ", field="idempotency_key"
        )
    key = request.idempotency_key or header
    if not key:
        raise InvalidArgumentError("idempotency_key is required", field="idempotency_key")
    return key


def _max_level(request: pb.RecommendRequest) -> model.Level | None:
    """The cap a v1.1 caller set; None when the field is absent (every v1 client). Presence is
    explicit (`optional`), so "absent" and "set to UNSPECIFIED" differ: the latter is a bug."""
    # lab-region:max-difficulty begin
    if not request.HasField("max_difficulty"):
        return None
    level = LEVELS.get(request.max_difficulty)
    if level is None:
        raise InvalidArgumentError(
            "max_difficulty, when set, must be BEGINNER, INTERMEDIATE or ADVANCED",
            field="max_difficulty",
        )
    return level
    # lab-region:max-difficulty end


def _message(ranked: model.Ranked) -> pb.Recommendation:
    return pb.Recommendation(
        item_id=ranked.item.item_id,
        title=ranked.item.title,
        score=ranked.score,
        reason=ranked.reason,
        tags=ranked.item.tags,
        difficulty=DIFFICULTIES[ranked.item.level],
    )
