"""``RECOMMENDER_VERSION``: v2 (default) serves contract v1.1, v1 the v1 contract only (the
v1.1 fields empty, ``max_difficulty`` ignored); the version is in the build-info gauge."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import grpc
import pytest
import recommendations_pb2 as pb
import recommendations_pb2_grpc as pb_grpc

from recommender import model
from recommender.server import RunningServer
from recommender.settings import Settings, SettingsError, from_env

Auth = tuple[tuple[str, str], ...]


async def _answers(running: RunningServer, auth: Auth) -> tuple[Any, Any, list[Any]]:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
        stub = pb_grpc.RecommendationServiceStub(channel)
        plain = await stub.Recommend(
            pb.RecommendRequest(user_id="u-1", language="es"), metadata=auth
        )
        capped = await stub.Recommend(
            pb.RecommendRequest(
                user_id="u-1", language="es", max_difficulty=pb.DIFFICULTY_BEGINNER
            ),
            metadata=auth,
        )
        request = pb.StreamRecommendationsRequest(user_id="u-1", language="es", max_items=3)
        streamed = [one async for one in stub.StreamRecommendations(request, metadata=auth)]
    return plain, capped, streamed


def _build_info(running: RunningServer, version: str) -> float | None:
    return running.metrics.registry.get_sample_value("recommender_build_info", {"version": version})


async def test_v2_serves_the_v1_1_fields(server: RunningServer, auth: Auth) -> None:
    plain, capped, streamed = await _answers(server, auth)
    assert all(one.tags and one.difficulty for one in plain.recommendations)
    assert all(item.recommendation.tags for item in streamed)
    assert {one.difficulty for one in capped.recommendations} == {pb.DIFFICULTY_BEGINNER}
    expected = model.rank("u-1", "es", max_level=model.Level.BEGINNER)
    assert [one.item_id for one in capped.recommendations] == [r.item.item_id for r in expected]
    assert _build_info(server, "v2") == 1


async def test_v1_serves_the_v1_contract_only(
    settings: Settings, start_server: Any, auth: Auth
) -> None:
    running: RunningServer = await start_server(replace(settings, version="v1"))
    plain, capped, streamed = await _answers(running, auth)
    for one in [*plain.recommendations, *capped.recommendations]:
        assert (list(one.tags), one.difficulty) == ([], pb.DIFFICULTY_UNSPECIFIED)
    assert all(not item.recommendation.tags for item in streamed)
    assert all(not item.recommendation.difficulty for item in streamed)
    # To a v1 server max_difficulty is an unknown field: the same answer as without it.
    assert [one.item_id for one in capped.recommendations] == [
        one.item_id for one in plain.recommendations
    ]
    assert [one.item_id for one in plain.recommendations] == [
        r.item.item_id for r in model.rank("u-1", "es")
    ]
    assert _build_info(running, "v1") == 1
    assert _build_info(running, "v2") is None


def test_the_version_defaults_to_v2_and_must_be_known() -> None:
    assert from_env({}).version == "v2"
    assert from_env({"RECOMMENDER_VERSION": "v1"}).version == "v1"
    for bad in ("v3", "V1", "1"):
        with pytest.raises(SettingsError, match="RECOMMENDER_VERSION"):
            from_env({"RECOMMENDER_VERSION": bad})


@pytest.mark.parametrize("value", ["http", "-1", "70000", "1.5"])
def test_a_bad_metrics_port_is_refused(value: str) -> None:
    with pytest.raises(SettingsError, match="RECOMMENDER_METRICS_PORT"):
        from_env({"RECOMMENDER_METRICS_PORT": value})


def test_the_metrics_port_is_optional() -> None:
    assert from_env({}).metrics_port is None
    assert from_env({"RECOMMENDER_METRICS_PORT": "0"}).metrics_port == 0
    assert from_env({"RECOMMENDER_METRICS_PORT": "9464"}).metrics_port == 9464
