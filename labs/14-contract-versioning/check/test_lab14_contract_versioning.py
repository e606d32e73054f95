"""Lab 14 acceptance: contract v1.1 is a backwards-compatible evolution of v1.

- ``test_breaking_*``: ``buf breaking`` against the FROZEN v1 contract (check/v1, lab 11's
  proto as it shipped) finds nothing, and ``buf lint`` is clean (README step 6).
- ``test_v1_1_*``: the current proto, compiled afresh with grpcio-tools' protoc, has the new
  enum, fields, presence and reservations (README steps 1-4), and the committed generated code
  matches it (``pnpm gen``).
- ``test_old_client_*``: a v1 client (messages built from check/v1 at test time, in their own
  descriptor pool) calls the real, NEW recommender and gets its answers; the v1.1 fields it
  does not know are skipped, and kept (README step 5).
- ``test_new_*``: the new side against old bytes, and ``max_difficulty`` honoured (step 5).

One file on purpose: a conftest.py per lab folder would collide in mypy (labs/*/check are not
packages), so the fixtures live here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TypeAlias

import grpc
import jwt
import pytest
import recommendations_pb2 as pb
import recommendations_pb2_grpc as pb_grpc
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory
from google.protobuf.message import Message

from recommender.server import RunningServer, start
from recommender.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
LAB = "labs/14-contract-versioning"
V1_DIR = f"{LAB}/check/v1"
PROTO = "proto/recommendations.proto"
SERVICE = "python/services/recommender/src/recommender/service.py"
PACKAGE = "languagetracks.recommendations.v1"
RPC = f"/{PACKAGE}.RecommendationService"

FDP = descriptor_pb2.FieldDescriptorProto
FileProto: TypeAlias = descriptor_pb2.FileDescriptorProto
MessageClass: TypeAlias = type[Message]


def todo(step: int, problem: str, where: str = PROTO) -> str:
    """An assertion message pointing at the README step (and so at the TODO) to work on."""
    return f"TODO(lab 14) in {where} (README step {step}): {problem}"


def _buf() -> str:
    buf = shutil.which("buf", path=str(ROOT / "node_modules" / ".bin")) or shutil.which("buf")
    assert buf, "buf not found (node_modules/.bin/buf): run pnpm install --frozen-lockfile"
    return buf


def _compile(proto_dir: str, out: Path) -> FileProto:
    """recommendations.proto in ``proto_dir`` → its FileDescriptorProto (grpcio-tools' protoc)."""
    descriptor_set = out / "contract.binpb"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            f"-I{proto_dir}",
            f"--descriptor_set_out={descriptor_set}",
            "recommendations.proto",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, todo(
        2, f"{proto_dir}/recommendations.proto does not compile:\n{result.stderr}"
    )
    return descriptor_pb2.FileDescriptorSet.FromString(descriptor_set.read_bytes()).file[0]


@pytest.fixture(scope="module")
def current(tmp_path_factory: pytest.TempPathFactory) -> FileProto:
    return _compile("proto", tmp_path_factory.mktemp("lab14-current"))


@pytest.fixture(scope="module")
def v1(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], MessageClass]:
    """The v1 message classes by short name, from the frozen proto, in a pool of their own
    (the process already holds the current contract under the same file and package name)."""
    pool = descriptor_pool.DescriptorPool()
    pool.Add(_compile(V1_DIR, tmp_path_factory.mktemp("lab14-v1")))

    def _class(name: str) -> MessageClass:
        return message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{PACKAGE}.{name}"))

    return _class


def _message(proto: FileProto, name: str, step: int) -> descriptor_pb2.DescriptorProto:
    found = [m for m in proto.message_type if m.name == name]
    assert found, todo(step, f"message {name} is missing")
    return found[0]


def _field(proto: FileProto, message: str, name: str, step: int) -> FDP:
    found = [f for f in _message(proto, message, step).field if f.name == name]
    assert found, todo(step, f"{message}.{name} is missing")
    return found[0]


# --- README step 6: buf breaking against the frozen v1, buf lint ----------------------------


def test_breaking_nothing_against_frozen_v1() -> None:
    result = subprocess.run(
        [_buf(), "breaking", "proto", "--against", V1_DIR],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, todo(
        6,
        f"buf breaking proto --against {V1_DIR} reports:\n{result.stdout}{result.stderr}\n"
        "v1 clients are deployed: never renumber, retype or delete a v1 field, rename an RPC or "
        "renumber an enum value; add new numbers instead (a real break is a v2 package)",
    )


def test_breaking_lint_is_clean() -> None:
    result = subprocess.run(
        [_buf(), "lint", "proto"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, todo(6, f"buf lint proto reports:\n{result.stdout}")


# --- README steps 1-4: the v1.1 contract ------------------------------------------------------


def test_v1_1_difficulty_enum(current: FileProto) -> None:
    enums = {e.name: e for e in current.enum_type}
    assert "Difficulty" in enums, todo(1, "enum Difficulty is missing")
    values = {v.name: v.number for v in enums["Difficulty"].value}
    expected = {
        "DIFFICULTY_UNSPECIFIED": 0,
        "DIFFICULTY_BEGINNER": 1,
        "DIFFICULTY_INTERMEDIATE": 2,
        "DIFFICULTY_ADVANCED": 3,
    }
    assert values == expected, todo(1, f"Difficulty must be {expected}, got {values}")


@pytest.mark.parametrize(
    ("name", "number", "kind", "repeated"),
    [("tags", 5, FDP.TYPE_STRING, True), ("difficulty", 6, FDP.TYPE_ENUM, False)],
)
def test_v1_1_recommendation_field(
    current: FileProto, name: str, number: int, kind: int, repeated: bool
) -> None:
    f = _field(current, "Recommendation", name, 2)
    assert f.number == number, todo(
        2, f"Recommendation.{name} must be field {number}, got {f.number}"
    )
    assert f.type == kind, todo(2, f"Recommendation.{name} must be type {kind}, got {f.type}")
    assert (f.label == FDP.LABEL_REPEATED) == repeated, todo(
        2, f"Recommendation.{name} must {'' if repeated else 'not '}be repeated"
    )
    if kind == FDP.TYPE_ENUM:
        assert f.type_name == f".{PACKAGE}.Difficulty", todo(2, "difficulty is a Difficulty")


def test_v1_1_max_difficulty_has_presence(current: FileProto) -> None:
    f = _field(current, "RecommendRequest", "max_difficulty", 3)
    assert f.number == 5, todo(
        3, f"RecommendRequest.max_difficulty must be field 5, got {f.number}"
    )
    assert f.type_name == f".{PACKAGE}.Difficulty", todo(3, "max_difficulty is a Difficulty")
    assert f.proto3_optional, todo(
        3,
        "max_difficulty needs explicit presence (`optional`): without it an unset field reads "
        "as DIFFICULTY_UNSPECIFIED and the server cannot tell a v1 client from a wrong value",
    )


def test_v1_1_removed_field_is_reserved(current: FileProto) -> None:
    msg = _message(current, "Recommendation", 4)
    numbers = {n for r in msg.reserved_range for n in range(r.start, r.end)}
    assert 7 in numbers, todo(4, "reserve field number 7 (`reserved 7;`) in Recommendation")
    assert "level" in msg.reserved_name, todo(
        4, 'reserve the name too (`reserved "level";`): the JSON mapping uses names'
    )


def test_v1_1_generated_code_matches_the_proto() -> None:
    # The kit's Node (24, runs TypeScript), not whatever `node` the system has.
    node = shutil.which("node", path=str(ROOT / "node_modules" / ".bin")) or shutil.which("node")
    assert node, "node not found (node_modules/.bin/node): run pnpm install --frozen-lockfile"
    result = subprocess.run(
        [node, "tooling/gates/proto-drift.ts"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NODE_NO_WARNINGS": "1"},
    )
    assert result.returncode == 0, todo(
        6, f"run `pnpm gen`: {result.stdout}{result.stderr}", where="go/gen and python/gen"
    )


# --- README step 5: old client, new server (and the other way round) ---------------------


@pytest.fixture
def settings() -> Settings:
    return Settings(score_delay_s=0.001, grace_s=1.0)


@pytest.fixture
async def server(settings: Settings) -> AsyncIterator[RunningServer]:
    running = await start(settings)
    yield running
    await running.server.stop(None)


@pytest.fixture
def metadata(settings: Settings) -> tuple[tuple[str, str], ...]:
    now = int(time.time())
    claims = {
        "sub": "u-1",
        "iss": settings.auth.issuer,
        "aud": settings.auth.audience,
        "iat": now,
        "exp": now + 600,
    }
    token = jwt.encode(claims, settings.auth.secret, algorithm=settings.auth.algorithm)
    return (("authorization", f"Bearer {token}"),)


def _serialize(message: Message) -> bytes:
    return message.SerializeToString()


def _v1_request(v1: Callable[[str], MessageClass], name: str, fields: dict[str, Any]) -> Message:
    return json_format.ParseDict(fields, v1(name)())


async def _v1_recommend(
    server: RunningServer,
    v1: Callable[[str], MessageClass],
    metadata: tuple[tuple[str, str], ...],
    fields: dict[str, Any],
) -> Message:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        call = channel.unary_unary(
            f"{RPC}/Recommend",
            request_serializer=_serialize,
            response_deserializer=v1("RecommendResponse").FromString,
        )
        try:
            response: Message = await call(
                _v1_request(v1, "RecommendRequest", fields), metadata=metadata, timeout=5
            )
        except grpc.aio.AioRpcError as error:
            pytest.fail(
                todo(
                    5,
                    f"a v1 client (no max_difficulty) was refused: {error.code().name} "
                    f"{error.details()}: absent must mean any level",
                    where=SERVICE,
                )
            )
        return response


async def test_old_client_recommend_gets_the_same_items(
    server: RunningServer,
    v1: Callable[[str], MessageClass],
    metadata: tuple[tuple[str, str], ...],
) -> None:
    old = await _v1_recommend(
        server, v1, metadata, {"userId": "u-1", "language": "es", "limit": 20}
    )
    seen = json_format.MessageToDict(old)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        new: pb.RecommendResponse = await pb_grpc.RecommendationServiceStub(channel).Recommend(
            pb.RecommendRequest(user_id="u-1", language="es", limit=20), metadata=metadata
        )
    assert [r["itemId"] for r in seen["recommendations"]] == [
        r.item_id for r in new.recommendations
    ], todo(5, "a v1 client must get the same items as a v1.1 client that sets no cap", SERVICE)
    first = seen["recommendations"][0]
    assert set(first) <= {"itemId", "title", "score", "reason"}, f"v1 fields only: {sorted(first)}"
    assert first["title"], "the v1 client reads the title"
    # The v1 client kept the fields it does not know (unknown fields): a v1 proxy that relays
    # the message passes tags and difficulty through intact.
    relayed = pb.RecommendResponse.FromString(old.SerializeToString())
    assert relayed.recommendations[0].tags == new.recommendations[0].tags
    assert relayed.recommendations[0].difficulty != pb.DIFFICULTY_UNSPECIFIED


async def test_old_client_stream_and_feedback(
    server: RunningServer,
    v1: Callable[[str], MessageClass],
    metadata: tuple[tuple[str, str], ...],
) -> None:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stream = channel.unary_stream(
            f"{RPC}/StreamRecommendations",
            request_serializer=_serialize,
            response_deserializer=v1("StreamRecommendationsResponse").FromString,
        )
        request = _v1_request(
            v1, "StreamRecommendationsRequest", {"userId": "u-1", "language": "fr", "maxItems": 3}
        )
        items = [
            json_format.MessageToDict(item)
            async for item in stream(request, metadata=metadata, timeout=5)
        ]
        assert [item.get("position", 0) for item in items] == [0, 1, 2]
        assert all(item["recommendation"]["itemId"].startswith("fr-") for item in items)
        feedback = channel.unary_unary(
            f"{RPC}/RecordFeedback",
            request_serializer=_serialize,
            response_deserializer=v1("RecordFeedbackResponse").FromString,
        )
        fields = {
            "idempotencyKey": "lab14-k-1",
            "userId": "u-1",
            "itemId": "fr-01",
            "kind": "FEEDBACK_KIND_CLICKED",
        }
        result = json_format.MessageToDict(
            await feedback(
                _v1_request(v1, "RecordFeedbackRequest", fields), metadata=metadata, timeout=5
            )
        )
        assert result["feedbackId"]
        assert not result.get("duplicate", False)


def test_new_client_reads_an_old_server(v1: Callable[[str], MessageClass]) -> None:
    """v1 bytes (an old server's answer) read by v1.1 code: the new fields are their defaults,
    which is why every new field must have a harmless zero value."""
    old = _v1_request(
        v1, "Recommendation", {"itemId": "es-01", "title": "Saludos", "score": 0.5, "reason": "x"}
    )
    new = pb.Recommendation.FromString(old.SerializeToString())
    assert (new.item_id, new.score) == ("es-01", 0.5)
    assert (list(new.tags), new.difficulty) == ([], pb.DIFFICULTY_UNSPECIFIED)
    # And an old server reads a v1.1 request: the cap is an unknown field, skipped.
    request = pb.RecommendRequest(user_id="u", language="es", max_difficulty=pb.DIFFICULTY_BEGINNER)
    as_v1 = json_format.MessageToDict(
        v1("RecommendRequest").FromString(request.SerializeToString())
    )
    assert as_v1 == {"userId": "u", "language": "es"}


async def _recommend(
    server: RunningServer, metadata: tuple[tuple[str, str], ...], request: pb.RecommendRequest
) -> pb.RecommendResponse:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        response: pb.RecommendResponse = await pb_grpc.RecommendationServiceStub(channel).Recommend(
            request, metadata=metadata, timeout=5
        )
        return response


async def test_new_client_max_difficulty_caps_the_level(
    server: RunningServer, metadata: tuple[tuple[str, str], ...]
) -> None:
    everything = await _recommend(
        server, metadata, pb.RecommendRequest(user_id="u-1", language="es", limit=20)
    )
    levels = {r.difficulty for r in everything.recommendations}
    assert pb.DIFFICULTY_ADVANCED in levels, "with no cap, advanced items are recommended"
    assert all(r.tags for r in everything.recommendations), "every item carries its tags"
    capped = await _recommend(
        server,
        metadata,
        pb.RecommendRequest(
            user_id="u-1", language="es", limit=20, max_difficulty=pb.DIFFICULTY_BEGINNER
        ),
    )
    got = {pb.Difficulty.Name(r.difficulty) for r in capped.recommendations}
    assert got == {"DIFFICULTY_BEGINNER"}, todo(
        5, f"max_difficulty=BEGINNER must leave only beginner items, got {sorted(got)}", SERVICE
    )


@pytest.mark.parametrize("value", [pb.DIFFICULTY_UNSPECIFIED, 42], ids=["unspecified", "unknown"])
async def test_new_client_max_difficulty_set_but_meaningless_is_invalid(
    server: RunningServer, metadata: tuple[tuple[str, str], ...], value: int
) -> None:
    request = pb.RecommendRequest(user_id="u-1", language="es")
    request.max_difficulty = value  # type: ignore[assignment]  # 42: a newer client's value
    try:
        await _recommend(server, metadata, request)
    except grpc.aio.AioRpcError as error:
        code = error.code().name
    else:
        code = "OK"
    assert code == "INVALID_ARGUMENT", todo(
        5, f"max_difficulty set to {value} must be INVALID_ARGUMENT, got {code}", SERVICE
    )
