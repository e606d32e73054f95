"""The committed Python stubs in use: mypy --strict checks this file against the generated .pyi,
so a wrong field name or type here is a type error, and the round trip checks the wire format."""

from __future__ import annotations

import recommendations_pb2 as pb


def feedback_request(
    key: str, user_id: str, item_id: str, kind: pb.FeedbackKind.ValueType
) -> pb.RecordFeedbackRequest:
    """Builds a RecordFeedbackRequest; the key makes a retried call safe (one effect)."""
    return pb.RecordFeedbackRequest(
        idempotency_key=key, user_id=user_id, item_id=item_id, kind=kind
    )


def test_feedback_request_round_trips() -> None:
    sent = feedback_request("k-1", "u-1", "item-7", pb.FEEDBACK_KIND_CLICKED)
    received = pb.RecordFeedbackRequest.FromString(sent.SerializeToString())
    assert received == sent
    assert received.idempotency_key == "k-1"
    assert received.kind == pb.FEEDBACK_KIND_CLICKED


def test_default_kind_is_unspecified() -> None:
    assert pb.RecordFeedbackRequest().kind == pb.FEEDBACK_KIND_UNSPECIFIED


def test_streamed_item_nests_a_recommendation() -> None:
    item = pb.StreamRecommendationsResponse(
        recommendation=pb.Recommendation(item_id="a", title="Basics", score=0.9), position=0
    )
    decoded = pb.StreamRecommendationsResponse.FromString(item.SerializeToString())
    assert decoded.recommendation.score == 0.9
