"""RecordFeedback with idempotency keys: one key, exactly one effect."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import grpc
import pytest
import recommendations_pb2 as pb
import recommendations_pb2_grpc as pb_grpc

from recommender.server import RunningServer

Auth = tuple[tuple[str, str], ...]


def _event(
    key: str,
    item_id: str = "es-01",
    kind: pb.FeedbackKind.ValueType = pb.FEEDBACK_KIND_CLICKED,
) -> pb.RecordFeedbackRequest:
    return pb.RecordFeedbackRequest(idempotency_key=key, user_id="u-1", item_id=item_id, kind=kind)


async def test_a_retry_returns_the_first_result_as_a_duplicate(
    stub: pb_grpc.RecommendationServiceAsyncStub, auth: Auth, server: RunningServer
) -> None:
    first = await stub.RecordFeedback(_event("key-1"), metadata=auth)
    again = await stub.RecordFeedback(_event("key-1"), metadata=auth)
    assert not first.duplicate
    assert again.duplicate
    assert again.feedback_id == first.feedback_id
    assert len(server.service.feedback.events) == 1


async def test_different_keys_are_different_events(
    stub: pb_grpc.RecommendationServiceAsyncStub, auth: Auth, server: RunningServer
) -> None:
    first = await stub.RecordFeedback(_event("key-1"), metadata=auth)
    second = await stub.RecordFeedback(_event("key-2"), metadata=auth)
    assert first.feedback_id != second.feedback_id
    assert len(server.service.feedback.events) == 2


async def test_the_same_key_with_another_payload_is_refused(
    stub: pb_grpc.RecommendationServiceAsyncStub,
    auth: Auth,
    server: RunningServer,
    error_info: Callable[[grpc.aio.AioRpcError], Any],
) -> None:
    await stub.RecordFeedback(_event("key-1"), metadata=auth)
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.RecordFeedback(_event("key-1", item_id="es-02"), metadata=auth)
    assert raised.value.code() == grpc.StatusCode.ALREADY_EXISTS
    info = error_info(raised.value)
    assert info.reason == "IDEMPOTENCY_KEY_REUSED"
    assert info.metadata["idempotency_key"] == "key-1"
    assert len(server.service.feedback.events) == 1


async def test_concurrent_calls_with_one_key_have_one_effect(
    settings: Any, start_server: Any, auth: Auth
) -> None:
    # A slow store write: every call arrives while the first is still writing.
    from recommender.feedback import FeedbackStore
    from recommender.service import RecommendationService

    service = RecommendationService(settings, FeedbackStore(write_delay_s=0.05))
    running: RunningServer = await start_server(settings, service=service)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        stub = pb_grpc.RecommendationServiceStub(channel)
        answers = await asyncio.gather(
            *(stub.RecordFeedback(_event("same-key"), metadata=auth) for _ in range(10))
        )
    assert len(service.feedback.events) == 1
    assert len({answer.feedback_id for answer in answers}) == 1
    assert sorted(answer.duplicate for answer in answers) == [False] + [True] * 9


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (_event(""), "idempotency_key"),
        (
            pb.RecordFeedbackRequest(
                idempotency_key="k", item_id="es-01", kind=pb.FEEDBACK_KIND_CLICKED
            ),
            "user_id",
        ),
        (_event("k", kind=pb.FEEDBACK_KIND_UNSPECIFIED), "kind"),
    ],
)
async def test_an_incomplete_event_is_invalid(
    request_: Any,
    field: str,
    stub: pb_grpc.RecommendationServiceAsyncStub,
    auth: Auth,
    error_info: Callable[[grpc.aio.AioRpcError], Any],
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.RecordFeedback(request_, metadata=auth)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_info(raised.value).metadata["field"] == field


async def test_an_unknown_item_is_not_found(
    stub: pb_grpc.RecommendationServiceAsyncStub,
    auth: Auth,
    error_info: Callable[[grpc.aio.AioRpcError], Any],
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.RecordFeedback(_event("k", item_id="xx-99"), metadata=auth)
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
    assert error_info(raised.value).reason == "ITEM_NOT_FOUND"


async def test_feedback_changes_the_next_recommendations(
    stub: pb_grpc.RecommendationServiceAsyncStub, auth: Auth
) -> None:
    request = pb.RecommendRequest(user_id="u-1", language="es", limit=20)
    before = await stub.Recommend(request, metadata=auth)
    top = before.recommendations[0].item_id
    await stub.RecordFeedback(
        _event("done", item_id=top, kind=pb.FEEDBACK_KIND_COMPLETED), metadata=auth
    )
    after = await stub.Recommend(request, metadata=auth)
    assert top not in {one.item_id for one in after.recommendations}
    assert len(after.recommendations) == len(before.recommendations) - 1


async def test_the_key_may_come_as_metadata_too(
    stub: pb_grpc.RecommendationServiceAsyncStub,
    auth: Auth,
    server: RunningServer,
    error_info: Callable[[grpc.aio.AioRpcError], Any],
) -> None:
    # As the gateway sends it: field and metadata agree; or the metadata alone.
    first = await stub.RecordFeedback(
        _event("key-m"), metadata=(*auth, ("idempotency-key", "key-m"))
    )
    again = await stub.RecordFeedback(_event(""), metadata=(*auth, ("idempotency-key", "key-m")))
    assert again.duplicate
    assert again.feedback_id == first.feedback_id
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.RecordFeedback(_event("key-a"), metadata=(*auth, ("idempotency-key", "key-b")))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_info(raised.value).metadata["field"] == "idempotency_key"
    assert len(server.service.feedback.events) == 1
