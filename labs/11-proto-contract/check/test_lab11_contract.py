"""Lab 11 acceptance: the CURRENT proto/recommendations.proto, compiled afresh, is the contract.

The proto is compiled into a temporary folder with grpcio-tools' protoc (the same compiler
`pnpm gen` uses); the tests read the descriptors it produced, so they check field numbers,
types and streaming flags, not the spelling of the file. Every message names the README step.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import TypeAlias

import pytest
from google.protobuf import descriptor_pb2

ROOT = Path(__file__).resolve().parents[3]
PROTO = "proto/recommendations.proto"
TODO = f"TODO(lab 11) in {PROTO}"


def todo(step: int, problem: str) -> str:
    """An assertion message pointing at the README step (and so at the TODO) to work on."""
    return f"{TODO} (README step {step}): {problem}"


FDP = descriptor_pb2.FieldDescriptorProto
FileProto = descriptor_pb2.FileDescriptorProto
FieldType: TypeAlias = descriptor_pb2.FieldDescriptorProto.Type.ValueType
T_STRING = FDP.TYPE_STRING
T_INT32 = FDP.TYPE_INT32
T_DOUBLE = FDP.TYPE_DOUBLE
T_BOOL = FDP.TYPE_BOOL
T_MESSAGE = FDP.TYPE_MESSAGE
T_ENUM = FDP.TYPE_ENUM
REPEATED = FDP.LABEL_REPEATED

# (message, field, number, type, repeated, README step): the wire contract labs 12-15 rely on.
FIELDS: list[tuple[str, str, int, FieldType, bool, int]] = [
    ("RecommendRequest", "user_id", 1, T_STRING, False, 2),
    ("RecommendRequest", "language", 2, T_STRING, False, 2),
    ("RecommendRequest", "limit", 3, T_INT32, False, 2),
    ("RecommendRequest", "exclude_item_ids", 4, T_STRING, True, 2),
    ("Recommendation", "item_id", 1, T_STRING, False, 2),
    ("Recommendation", "title", 2, T_STRING, False, 2),
    ("Recommendation", "score", 3, T_DOUBLE, False, 2),
    ("Recommendation", "reason", 4, T_STRING, False, 2),
    ("RecommendResponse", "recommendations", 1, T_MESSAGE, True, 2),
    ("RecommendResponse", "model_version", 2, T_STRING, False, 2),
    ("StreamRecommendationsRequest", "user_id", 1, T_STRING, False, 3),
    ("StreamRecommendationsRequest", "language", 2, T_STRING, False, 3),
    ("StreamRecommendationsRequest", "max_items", 3, T_INT32, False, 3),
    ("StreamRecommendationsResponse", "recommendation", 1, T_MESSAGE, False, 3),
    ("StreamRecommendationsResponse", "position", 2, T_INT32, False, 3),
    ("RecordFeedbackRequest", "idempotency_key", 1, T_STRING, False, 4),
    ("RecordFeedbackRequest", "user_id", 2, T_STRING, False, 4),
    ("RecordFeedbackRequest", "item_id", 3, T_STRING, False, 4),
    ("RecordFeedbackRequest", "kind", 4, T_ENUM, False, 4),
    ("RecordFeedbackResponse", "feedback_id", 1, T_STRING, False, 4),
    ("RecordFeedbackResponse", "duplicate", 2, T_BOOL, False, 4),
]


@pytest.fixture(scope="module")
def proto_file(tmp_path_factory: pytest.TempPathFactory) -> FileProto:
    """Compiles the current proto (Python codegen + descriptor set) into a temporary folder."""
    out = tmp_path_factory.mktemp("lab11-gen")
    descriptor_set = out / "contract.binpb"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            "-Iproto",
            f"--python_out={out}",
            f"--grpc_python_out={out}",
            f"--descriptor_set_out={descriptor_set}",
            "recommendations.proto",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"{TODO}: the proto does not compile:\n{result.stderr}"
    assert (out / "recommendations_pb2.py").exists(), f"{TODO}: no Python code was generated"
    file_set = descriptor_pb2.FileDescriptorSet.FromString(descriptor_set.read_bytes())
    return file_set.file[0]


def _message(
    proto: descriptor_pb2.FileDescriptorProto, name: str, step: int
) -> descriptor_pb2.DescriptorProto:
    found = [m for m in proto.message_type if m.name == name]
    assert found, todo(step, f"message {name} is missing")
    return found[0]


def _method(
    proto: descriptor_pb2.FileDescriptorProto, name: str, step: int
) -> descriptor_pb2.MethodDescriptorProto:
    services = [s for s in proto.service if s.name == "RecommendationService"]
    assert services, todo(2, "service RecommendationService is missing")
    found = [m for m in services[0].method if m.name == name]
    assert found, todo(step, f"rpc {name} is missing from RecommendationService")
    return found[0]


def test_package_is_versioned(proto_file: FileProto) -> None:
    assert proto_file.package == "languagetracks.recommendations.v1", todo(
        1, f"package must be languagetracks.recommendations.v1, got {proto_file.package!r}"
    )
    assert proto_file.options.go_package.startswith(
        "languagetracks.example/go/gen/recommendations/v1"
    ), todo(1, "option go_package must point into the go/gen module")


@pytest.mark.parametrize(("message", "field", "number", "kind", "repeated", "step"), FIELDS)
def test_field_number_and_type(
    proto_file: FileProto,
    message: str,
    field: str,
    number: int,
    kind: FieldType,
    repeated: bool,
    step: int,
) -> None:
    msg = _message(proto_file, message, step)
    found = [f for f in msg.field if f.name == field]
    assert found, todo(step, f"{message}.{field} is missing")
    f = found[0]
    type_name = FDP.Type.Name(f.type)
    assert f.number == number, todo(
        step,
        f"{message}.{field} must be field number {number}, got {f.number}"
        " (a renumbered field is a different field on the wire)",
    )
    assert f.type == kind, todo(
        step, f"{message}.{field} must be {FDP.Type.Name(kind)}, got {type_name}"
    )
    assert (f.label == REPEATED) == repeated, todo(
        step, f"{message}.{field} must {'' if repeated else 'not '}be repeated"
    )


def test_recommend_is_unary(proto_file: FileProto) -> None:
    rpc = _method(proto_file, "Recommend", 2)
    assert rpc.input_type.endswith(".RecommendRequest"), todo(2, "Recommend takes RecommendRequest")
    assert rpc.output_type.endswith(".RecommendResponse"), todo(
        2, "Recommend returns RecommendResponse"
    )
    assert not rpc.client_streaming, todo(2, "Recommend is unary")
    assert not rpc.server_streaming, todo(2, "Recommend is unary")


def test_stream_recommendations_is_server_streaming(
    proto_file: FileProto,
) -> None:
    rpc = _method(proto_file, "StreamRecommendations", 3)
    assert rpc.input_type.endswith(".StreamRecommendationsRequest"), todo(
        3, "StreamRecommendations takes StreamRecommendationsRequest"
    )
    assert rpc.output_type.endswith(".StreamRecommendationsResponse"), todo(
        3, "StreamRecommendations returns a stream of StreamRecommendationsResponse"
    )
    assert rpc.server_streaming, todo(3, "StreamRecommendations must return a `stream`")
    assert not rpc.client_streaming, todo(3, "the request of StreamRecommendations is one message")


def test_record_feedback_is_unary_with_key(proto_file: FileProto) -> None:
    rpc = _method(proto_file, "RecordFeedback", 4)
    assert rpc.input_type.endswith(".RecordFeedbackRequest"), todo(
        4, "RecordFeedback takes RecordFeedbackRequest"
    )
    assert rpc.output_type.endswith(".RecordFeedbackResponse"), todo(
        4, "RecordFeedback returns RecordFeedbackResponse"
    )
    assert not rpc.client_streaming, todo(4, "RecordFeedback is unary")
    assert not rpc.server_streaming, todo(4, "RecordFeedback is unary")


def test_feedback_kind_enum(proto_file: FileProto) -> None:
    enums = {e.name: e for e in proto_file.enum_type}
    assert "FeedbackKind" in enums, todo(4, "enum FeedbackKind is missing")
    values = {v.name: v.number for v in enums["FeedbackKind"].value}
    expected = {
        "FEEDBACK_KIND_UNSPECIFIED": 0,
        "FEEDBACK_KIND_CLICKED": 1,
        "FEEDBACK_KIND_DISMISSED": 2,
        "FEEDBACK_KIND_COMPLETED": 3,
    }
    assert values == expected, todo(5, f"FeedbackKind must be {expected}, got {values}")


def test_buf_lint_is_clean() -> None:
    buf = shutil.which("buf", path=str(ROOT / "node_modules" / ".bin")) or shutil.which("buf")
    assert buf, "buf not found (node_modules/.bin/buf): run pnpm install --frozen-lockfile"
    result = subprocess.run(
        [buf, "lint", "proto"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, todo(
        5, f"buf lint proto reports:\n{result.stdout}{result.stderr}"
    )
