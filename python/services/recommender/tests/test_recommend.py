"""Recommend over the wire: the model's ranking, bad requests with details, the one mapping
of unexpected errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
import pytest
import recommendations_pb2 as pb
import recommendations_pb2_grpc as pb_grpc
from google.rpc import error_details_pb2, status_pb2  # type: ignore[import-untyped]

from recommender import model
from recommender.errors import DOMAIN
from recommender.server import RunningServer
from recommender.service import RecommendationService
from recommender.settings import Settings

Auth = tuple[tuple[str, str], ...]


async def test_recommend_answers_the_models_ranking(
    stub: pb_grpc.RecommendationServiceAsyncStub, auth: Auth
) -> None:
    request = pb.RecommendRequest(user_id="u-1", language="fr", limit=3, exclude_item_ids=["fr-01"])
    response = await stub.Recommend(request, metadata=auth)
    expected = model.rank("u-1", "fr", 3, {"fr-01"})
    assert [one.item_id for one in response.recommendations] == [
        one.item.item_id for one in expected
    ]
    assert [one.score for one in response.recommendations] == [one.score for one in expected]
    assert response.model_version == model.MODEL_VERSION


async def test_an_unsupported_language_is_invalid_with_details(
    stub: pb_grpc.RecommendationServiceAsyncStub,
    auth: Auth,
    error_info: Callable[[grpc.aio.AioRpcError], Any],
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.Recommend(pb.RecommendRequest(user_id="u-1", language="xx"), metadata=auth)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    info = error_info(raised.value)
    assert (info.reason, info.domain) == ("UNSUPPORTED_LANGUAGE", DOMAIN)
    assert info.metadata["language"] == "xx"
    assert "es" in info.metadata["supported"].split(",")


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (pb.RecommendRequest(language="es"), "user_id"),
        (pb.RecommendRequest(user_id="u-1", language="es", limit=-1), "limit"),
    ],
)
async def test_a_bad_request_is_invalid(
    request_: Any,
    field: str,
    stub: pb_grpc.RecommendationServiceAsyncStub,
    auth: Auth,
    error_info: Callable[[grpc.aio.AioRpcError], Any],
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.Recommend(request_, metadata=auth)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_info(raised.value).metadata["field"] == field
    [violation] = _bad_request(raised.value).field_violations
    assert violation.field == field


def _bad_request(error: grpc.aio.AioRpcError) -> Any:
    """The ``google.rpc.BadRequest`` detail (the gateway's per-field errors)."""
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin" and isinstance(value, bytes):
            for detail in status_pb2.Status.FromString(value).details:
                bad_request = error_details_pb2.BadRequest()
                if detail.Unpack(bad_request):
                    return bad_request
    raise AssertionError("no BadRequest detail")


class _Crashing(RecommendationService):
    async def Recommend(self, request: Any, context: Any) -> Any:  # noqa: N802
        raise RuntimeError("secret detail: db password is hunter2")


async def test_an_unexpected_error_is_internal_without_its_details(
    settings: Settings,
    start_server: Any,
    auth: Auth,
    error_info: Callable[[grpc.aio.AioRpcError], Any],
) -> None:
    running: RunningServer = await start_server(settings, service=_Crashing(settings))
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        stub = pb_grpc.RecommendationServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await stub.Recommend(pb.RecommendRequest(user_id="u-1", language="es"), metadata=auth)
    assert raised.value.code() == grpc.StatusCode.INTERNAL
    assert "hunter2" not in (raised.value.details() or "")
    assert error_info(raised.value).reason == "INTERNAL"
