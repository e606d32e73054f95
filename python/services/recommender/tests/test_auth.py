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
