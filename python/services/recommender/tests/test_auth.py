"""Every way a bearer token can be wrong is UNAUTHENTICATED with its own reason/cause; health
and reflection answer without a token."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import grpc
import jwt
import pytest
import recommendations_pb2 as pb
import recommendations_pb2_grpc as pb_grpc
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from grpc_health.v1 import health_pb2
from grpc_reflection.v1alpha import reflection_pb2

from recommender.errors import DOMAIN
from recommender.server import SERVICE_NAME
from recommender.settings import Settings
from recommender.token import mint

REQUEST = pb.RecommendRequest(user_id="u-1", language="es")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(settings: Settings, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "sub": "u-1",
        "iss": settings.auth.issuer,
        "aud": settings.auth.audience,
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not None}


def _hand_signed(header: dict[str, str], claims: dict[str, Any], key: bytes | None) -> str:
    """A JWT built by hand: for tokens PyJWT refuses to make (alg none, key confusion)."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    if key is None:
        return f"{signing_input}."
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@functools.cache
def _bad_tokens(settings: Settings) -> dict[str, tuple[str, str, str]]:
    """name -> (token, reason, cause) for each way a token is refused."""
    other = "a-different-secret-that-is-long-enough-32"
    rsa_key = _rsa_key()
    public_pem = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    good = _claims(settings)
    return {
        "bad signature": (jwt.encode(good, other, algorithm="HS256"), "TOKEN_INVALID", "signature"),
        "alg none": (
            _hand_signed({"alg": "none", "typ": "JWT"}, good, None),
            "TOKEN_INVALID",
            "algorithm",
        ),
        "RS256 (not the configured algorithm)": (
            jwt.encode(good, rsa_key, algorithm="RS256"),
            "TOKEN_INVALID",
            "algorithm",
        ),
        "HS512 (not the configured algorithm)": (
            jwt.encode(good, settings.auth.secret * 2, algorithm="HS512"),
            "TOKEN_INVALID",
            "algorithm",
        ),
        "key confusion: HS256 signed with an RSA public key": (
            _hand_signed({"alg": "HS256", "typ": "JWT"}, good, public_pem),
            "TOKEN_INVALID",
            "signature",
        ),
        "expired": (
            mint(settings.auth, ttl_s=-60),
            "TOKEN_EXPIRED",
            "",
        ),
        "wrong audience": (
            mint(replace(settings.auth, audience="someone-else")),
            "TOKEN_INVALID",
            "audience",
        ),
        "wrong issuer": (
            mint(replace(settings.auth, issuer="evil-issuer")),
            "TOKEN_INVALID",
            "issuer",
        ),
        "no subject": (
            jwt.encode(_claims(settings, sub=None), settings.auth.secret, algorithm="HS256"),
            "TOKEN_INVALID",
            "claims",
        ),
        "not a JWT": ("not-a-token", "TOKEN_INVALID", "malformed"),
    }


BAD_TOKEN_NAMES = list(_bad_tokens(Settings()))


@pytest.mark.parametrize("name", BAD_TOKEN_NAMES)
async def test_a_bad_token_is_unauthenticated(
    name: str,
    settings: Settings,
    stub: pb_grpc.RecommendationServiceAsyncStub,
    error_info: Callable[[grpc.aio.AioRpcError], Any],
) -> None:
    token, reason, cause = _bad_tokens(settings)[name]
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.Recommend(REQUEST, metadata=(("authorization", f"Bearer {token}"),))
    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED
    info = error_info(raised.value)
    assert (info.reason, info.domain) == (reason, DOMAIN)
    assert info.metadata.get("cause", "") == cause


async def test_a_missing_token_is_unauthenticated(
    stub: pb_grpc.RecommendationServiceAsyncStub,
    error_info: Callable[[grpc.aio.AioRpcError], Any],
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.Recommend(REQUEST)
    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert error_info(raised.value).reason == "TOKEN_MISSING"


async def test_another_scheme_is_unauthenticated(
    stub: pb_grpc.RecommendationServiceAsyncStub,
    token: str,
    error_info: Callable[[grpc.aio.AioRpcError], Any],
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.Recommend(REQUEST, metadata=(("authorization", f"Basic {token}"),))
    assert error_info(raised.value).metadata["cause"] == "scheme"


async def test_every_method_needs_a_token(
    stub: pb_grpc.RecommendationServiceAsyncStub,
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        async for _ in stub.StreamRecommendations(
            pb.StreamRecommendationsRequest(user_id="u-1", language="es")
        ):
            pass
    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.RecordFeedback(
            pb.RecordFeedbackRequest(
                idempotency_key="k", user_id="u-1", item_id="es-01", kind=pb.FEEDBACK_KIND_CLICKED
            )
        )
    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_a_valid_token_is_accepted(
    stub: pb_grpc.RecommendationServiceAsyncStub, auth: tuple[tuple[str, str], ...]
) -> None:
    response = await stub.Recommend(REQUEST, metadata=auth)
    assert response.recommendations


async def test_health_and_reflection_need_no_token(
    channel: grpc.aio.Channel, health_status: Callable[[grpc.aio.Channel, str], Awaitable[int]]
) -> None:
    for service in ("", SERVICE_NAME):
        assert await health_status(channel, service) == health_pb2.HealthCheckResponse.SERVING
    reflect = channel.stream_stream(
        "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
        request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
        response_deserializer=reflection_pb2.ServerReflectionResponse.FromString,
    )
    call = reflect(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
    names: set[str] = set()
    async for answer in call:
        assert isinstance(answer, reflection_pb2.ServerReflectionResponse)
        names |= {service.name for service in answer.list_services_response.service}
    assert SERVICE_NAME in names
    assert "grpc.health.v1.Health" in names


def test_the_dev_token_command_prints_a_token_the_server_accepts(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from recommender.auth import verify
    from recommender.settings import from_env
    from recommender.token import main

    monkeypatch.delenv("RECOMMENDER_JWT_SECRET", raising=False)
    assert main(["--subject", "lab-user", "--ttl", "60"]) == 0
    token = capsys.readouterr().out.strip()
    assert verify(token, from_env().auth).subject == "lab-user"


# Per-user authorization: a valid token acts only for its own subject (OWASP API #1).
def _as(settings: Settings, subject: str, scopes: tuple[str, ...] = ()) -> tuple[tuple[str, str]]:
    return (("authorization", f"Bearer {mint(settings.auth, subject=subject, scopes=scopes)}"),)


async def _call_each_method(
    stub: pb_grpc.RecommendationServiceAsyncStub, user_id: str, metadata: Any
) -> dict[str, grpc.StatusCode]:
    """Each method of the service asked for ``user_id``: its status code (OK when it answered)."""
    calls: dict[str, Callable[[], Awaitable[object]]] = {
        "Recommend": lambda: stub.Recommend(
            pb.RecommendRequest(user_id=user_id, language="es"), metadata=metadata
        ),
        "StreamRecommendations": lambda: _drain(
            stub.StreamRecommendations(
                pb.StreamRecommendationsRequest(user_id=user_id, language="es", max_items=2),
                metadata=metadata,
            )
        ),
        "RecordFeedback": lambda: stub.RecordFeedback(
            pb.RecordFeedbackRequest(
                idempotency_key=f"k-{user_id}-{time.time_ns()}",
                user_id=user_id,
                item_id="es-01",
                kind=pb.FEEDBACK_KIND_DISMISSED,
            ),
            metadata=metadata,
        ),
    }
    codes: dict[str, grpc.StatusCode] = {}
    for name, call in calls.items():
        try:
            await call()
            codes[name] = grpc.StatusCode.OK
        except grpc.aio.AioRpcError as error:
            codes[name] = error.code()
    return codes


async def _drain(stream: Any) -> None:
    async for _ in stream:
        pass


async def test_a_token_acts_only_for_its_own_subject_in_every_method(
    stub: pb_grpc.RecommendationServiceAsyncStub,
    settings: Settings,
    error_info: Callable[[grpc.aio.AioRpcError], Any],
) -> None:
    own = await _call_each_method(stub, "u-1", _as(settings, "u-1"))
    assert set(own.values()) == {grpc.StatusCode.OK}, own
    other = await _call_each_method(stub, "u-2", _as(settings, "u-1"))
    assert set(other.values()) == {grpc.StatusCode.PERMISSION_DENIED}, other
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.Recommend(
            pb.RecommendRequest(user_id="u-2", language="es"), metadata=_as(settings, "u-1")
        )
    info = error_info(raised.value)
    assert (info.reason, info.domain, info.metadata["subject"]) == ("USER_MISMATCH", DOMAIN, "u-1")


async def test_feedback_for_another_user_changes_nothing_of_theirs(
    stub: pb_grpc.RecommendationServiceAsyncStub, settings: Settings
) -> None:
    as_u2 = _as(settings, "u-2")
    before = await stub.Recommend(pb.RecommendRequest(user_id="u-2", language="es"), metadata=as_u2)
    first = before.recommendations[0].item_id
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.RecordFeedback(
            pb.RecordFeedbackRequest(
                idempotency_key="attack-1",
                user_id="u-2",
                item_id=first,
                kind=pb.FEEDBACK_KIND_DISMISSED,
            ),
            metadata=_as(settings, "u-1"),
        )
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED
    after = await stub.Recommend(pb.RecommendRequest(user_id="u-2", language="es"), metadata=as_u2)
    assert [r.item_id for r in after.recommendations] == [r.item_id for r in before.recommendations]


async def test_the_any_user_scope_acts_for_others_and_look_alikes_do_not(
    stub: pb_grpc.RecommendationServiceAsyncStub, settings: Settings
) -> None:
    granted = await _call_each_method(
        stub, "u-2", _as(settings, "backoffice", ("recommendations:any",))
    )
    assert set(granted.values()) == {grpc.StatusCode.OK}, granted
    for scopes in (
        ("recommendations:any-lite",),
        ("recommendations",),
        ("RECOMMENDATIONS:ANY",),
        ("read", "write"),
    ):
        denied = await _call_each_method(stub, "u-2", _as(settings, "backoffice", scopes))
        assert set(denied.values()) == {grpc.StatusCode.PERMISSION_DENIED}, (scopes, denied)


async def test_an_empty_user_is_invalid_not_forbidden(
    stub: pb_grpc.RecommendationServiceAsyncStub, auth: tuple[tuple[str, str], ...]
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.Recommend(pb.RecommendRequest(user_id="", language="es"), metadata=auth)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_a_scope_claim_that_is_not_a_string_is_unauthenticated(
    stub: pb_grpc.RecommendationServiceAsyncStub,
    settings: Settings,
    error_info: Callable[[grpc.aio.AioRpcError], Any],
) -> None:
    claims = _claims(settings, scope=["recommendations:any"])
    token = jwt.encode(claims, settings.auth.secret, algorithm="HS256")
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.Recommend(REQUEST, metadata=(("authorization", f"Bearer {token}"),))
    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert error_info(raised.value).metadata["cause"] == "claims"
