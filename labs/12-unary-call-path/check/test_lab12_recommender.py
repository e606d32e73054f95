"""Lab 12's acceptance tests for the recommender, against a real grpc.aio server on a free port
in the test's event loop (with an in-memory span exporter):

- README step 2 (``test_jwt_*``): the bearer token is VERIFIED (PyJWT, HS256 from
  configuration); every forged or stale token is UNAUTHENTICATED with the reason and cause.
- README step 5 (``test_bind_*``): a valid token acts only for its own subject, in every
  method, unless it carries the ``recommendations:any`` scope (compared as a whole scope).
- README step 3 (``test_shed_*``): a call that cannot finish in the caller's remaining time is
  refused BEFORE any work (DEADLINE_EXCEEDED, reason DEADLINE_TOO_SHORT).
- README step 4 (``test_trace_*``): the server span continues the caller's W3C trace.

One file on purpose: a conftest.py per lab folder would collide in mypy (labs/*/check are not
packages), so the fixtures live here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from typing import Any

import grpc
import pytest
import recommendations_pb2 as pb
import recommendations_pb2_grpc as pb_grpc
from google.rpc import error_details_pb2, status_pb2  # type: ignore[import-untyped]
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from recommender.server import RunningServer, start
from recommender.settings import Settings

Start = Callable[..., Any]
TokenFactory = Callable[..., str]


@pytest.fixture
def settings() -> Settings:
    return Settings(score_delay_s=0.001, grace_s=1.0)


@pytest.fixture
def spans() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
async def start_server(spans: InMemorySpanExporter) -> AsyncIterator[Start]:
    """``await start_server(settings)``: a served recommender, stopped after the test."""
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    started: list[RunningServer] = []

    async def _start(settings: Settings) -> RunningServer:
        running = await start(settings, tracer_provider=provider)
        started.append(running)
        return running

    yield _start
    for running in started:
        await running.server.stop(None)
    provider.shutdown()


@pytest.fixture
async def server(settings: Settings, start_server: Start) -> RunningServer:
    running: RunningServer = await start_server(settings)
    return running


@pytest.fixture
def slow_settings(settings: Settings) -> Settings:
    """50 ms per looked-up item: the default 5 items need 250 ms."""
    return replace(settings, score_delay_s=0.05)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture
def make_token(settings: Settings) -> TokenFactory:
    """A JWT signed by hand (so wrong ones can be made too): ``alg`` (HS256, HS512 or none),
    ``key`` (default: the server's secret) and claim overrides (None drops a claim)."""

    def _make(alg: str = "HS256", key: str | None = None, **overrides: Any) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "sub": "u-1",
            "iss": settings.auth.issuer,
            "aud": settings.auth.audience,
            "iat": now,
            "exp": now + 600,
        }
        claims.update(overrides)
        claims = {name: value for name, value in claims.items() if value is not None}
        header = {"alg": alg, "typ": "JWT"}
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        if alg == "none":
            return f"{signing_input}."
        digest = {"HS256": hashlib.sha256, "HS512": hashlib.sha512}[alg]
        secret = (key if key is not None else settings.auth.secret).encode()
        signature = hmac.new(secret, signing_input.encode(), digest).digest()
        return f"{signing_input}.{_b64(signature)}"

    return _make


@pytest.fixture
def error_info() -> Callable[[grpc.aio.AioRpcError], Any]:
    """The ``google.rpc.ErrorInfo`` of a failed call (``grpc-status-details-bin`` trailer)."""

    def _info(error: grpc.aio.AioRpcError) -> Any:
        for key, value in error.trailing_metadata() or ():
            if key == "grpc-status-details-bin" and isinstance(value, bytes):
                status = status_pb2.Status.FromString(value)
                info = error_details_pb2.ErrorInfo()
                assert status.details[0].Unpack(info)
                return info
        raise AssertionError(f"the error carries no google.rpc details: {error!r}")

    return _info


# --- README step 2: verify the token ------------------------------------------------

REQUEST = pb.RecommendRequest(user_id="u-1", language="es")
JWT_STEP = "README step 2 (auth.py, TODO(lab 12))"


async def _call_with_token(server: RunningServer, token: str) -> pb.RecommendResponse:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = pb_grpc.RecommendationServiceStub(channel)
        response: pb.RecommendResponse = await stub.Recommend(
            REQUEST, metadata=(("authorization", f"Bearer {token}"),), timeout=5
        )
        return response


async def test_jwt_a_valid_token_is_accepted(
    server: RunningServer, make_token: TokenFactory
) -> None:
    response = await _call_with_token(server, make_token())
    assert len(response.recommendations) == 5, f"{JWT_STEP}: a valid HS256 token must be served"


WRONG_TOKENS: list[tuple[str, dict[str, Any], str, str]] = [
    # (case, make_token arguments, reason, cause)
    (
        "signed with another secret",
        {"key": "an-attacker-secret-that-is-long-enough-1234"},  # gitleaks:allow (forged test key)
        "TOKEN_INVALID",
        "signature",
    ),
    ("alg none (no signature at all)", {"alg": "none"}, "TOKEN_INVALID", "algorithm"),
    ("HS512: not the configured algorithm", {"alg": "HS512"}, "TOKEN_INVALID", "algorithm"),
    ("another audience", {"aud": "billing"}, "TOKEN_INVALID", "audience"),
    ("another issuer", {"iss": "https://evil.example"}, "TOKEN_INVALID", "issuer"),
    ("no subject", {"sub": None}, "TOKEN_INVALID", "claims"),
    ("no expiry", {"exp": None}, "TOKEN_INVALID", "claims"),
    ("expired", {"exp": 1_000_000_000}, "TOKEN_EXPIRED", ""),
]


@pytest.mark.parametrize(
    ("case", "arguments", "reason", "cause"), WRONG_TOKENS, ids=[w[0] for w in WRONG_TOKENS]
)
async def test_jwt_a_wrong_token_is_unauthenticated(
    server: RunningServer,
    make_token: TokenFactory,
    error_info: Callable[[grpc.aio.AioRpcError], Any],
    case: str,
    arguments: dict[str, Any],
    reason: str,
    cause: str,
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await _call_with_token(server, make_token(**arguments))
    code = raised.value.code()
    assert code == grpc.StatusCode.UNAUTHENTICATED, (
        f"{JWT_STEP}: a token {case} was answered {code.name}; it must be UNAUTHENTICATED "
        "(verify the signature, the configured algorithm only, aud, iss and required claims)"
    )
    info = error_info(raised.value)
    assert info.reason == reason, f"{JWT_STEP}: a token {case}: reason {info.reason}, want {reason}"
    if cause:
        got = info.metadata["cause"]
        assert got == cause, f"{JWT_STEP}: a token {case}: cause {got!r}, want {cause!r}"


# --- README step 5: bind the token to the user -----------------------------------------

BIND_STEP = "README step 5 (auth.py authorize, TODO(lab 12))"


async def _codes_per_method(server: RunningServer, token: str, user_id: str) -> dict[str, str]:
    """Unary, stream and feedback, each asked for ``user_id`` with ``token``: OK or the code."""
    metadata = (("authorization", f"Bearer {token}"),)
    codes: dict[str, str] = {}
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = pb_grpc.RecommendationServiceStub(channel)

        async def stream() -> None:
            request = pb.StreamRecommendationsRequest(user_id=user_id, language="es", max_items=2)
            async for _ in stub.StreamRecommendations(request, metadata=metadata, timeout=5):
                pass

        calls: dict[str, Callable[[], Awaitable[object]]] = {
            "Recommend": lambda: stub.Recommend(
                pb.RecommendRequest(user_id=user_id, language="es"), metadata=metadata, timeout=5
            ),
            "StreamRecommendations": stream,
            "RecordFeedback": lambda: stub.RecordFeedback(
                pb.RecordFeedbackRequest(
                    idempotency_key=f"lab12-{user_id}-{time.time_ns()}",
                    user_id=user_id,
                    item_id="es-01",
                    kind=pb.FEEDBACK_KIND_CLICKED,
                ),
                metadata=metadata,
                timeout=5,
            ),
        }
        for name, call in calls.items():
            try:
                await call()
                codes[name] = "OK"
            except grpc.aio.AioRpcError as error:
                codes[name] = error.code().name
    return codes


async def test_bind_a_token_for_another_user_is_denied_in_every_method(
    server: RunningServer,
    make_token: TokenFactory,
    error_info: Callable[[grpc.aio.AioRpcError], Any],
) -> None:
    codes = await _codes_per_method(server, make_token(sub="u-1"), "u-2")
    allowed = [name for name, code in codes.items() if code != "PERMISSION_DENIED"]
    assert not allowed, (
        f"{BIND_STEP}: a token for u-1 asked for u-2 and {', '.join(allowed)} answered "
        f"{codes}; every method must be PERMISSION_DENIED (user_id must equal the token's sub)"
    )
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await _call_with_token(server, make_token(sub="u-9"))
    info = error_info(raised.value)
    assert (info.reason, info.metadata["subject"]) == ("USER_MISMATCH", "u-9"), (
        f"{BIND_STEP}: raise not_yours(principal): reason USER_MISMATCH naming the subject, "
        f"got {info.reason} {dict(info.metadata)}"
    )


async def test_bind_a_token_acts_for_its_own_subject(
    server: RunningServer, make_token: TokenFactory
) -> None:
    for user in ("u-1", "u-2"):
        codes = await _codes_per_method(server, make_token(sub=user), user)
        assert set(codes.values()) == {"OK"}, (
            f"{BIND_STEP}: a token for {user} asking for {user} must be served: {codes}"
        )


@pytest.mark.parametrize(
    ("scope", "granted"),
    [
        ("recommendations:any", True),
        ("profile recommendations:any", True),
        ("recommendations:any-lite", False),
        ("recommendations", False),
        ("RECOMMENDATIONS:ANY", False),
        ("read write", False),
    ],
)
async def test_bind_only_the_any_user_scope_acts_for_others(
    server: RunningServer, make_token: TokenFactory, scope: str, granted: bool
) -> None:
    codes = await _codes_per_method(server, make_token(sub="backoffice", scope=scope), "u-2")
    want = {"OK"} if granted else {"PERMISSION_DENIED"}
    assert set(codes.values()) == want, (
        f"{BIND_STEP}: scope {scope!r} acting for u-2 answered {codes}, want {want}; only the "
        "whole scope recommendations:any (one of the space-separated scopes) may act for others"
    )


# --- README step 3: shed late work ----------------------------------------------------

SHED_STEP = "README step 3 (service.py _shed_if_late, TODO(lab 12))"


async def _recommend_within(
    server: RunningServer, token: str, deadline_s: float | None, limit: int = 0
) -> pb.RecommendResponse:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = pb_grpc.RecommendationServiceStub(channel)
        request = pb.RecommendRequest(user_id="u-1", language="es", limit=limit)
        response: pb.RecommendResponse = await stub.Recommend(
            request, metadata=(("authorization", f"Bearer {token}"),), timeout=deadline_s
        )
        return response


async def test_shed_a_call_that_cannot_finish_is_shed_before_any_work(
    slow_settings: Settings,
    start_server: Start,
    make_token: TokenFactory,
    error_info: Callable[[grpc.aio.AioRpcError], Any],
) -> None:
    server: RunningServer = await start_server(slow_settings)
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        # 5 items x 50 ms = 250 ms of work, 100 ms to do it in.
        await _recommend_within(server, make_token(), deadline_s=0.1)
    stats = server.service.stats
    assert raised.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert stats.items_scored == 0, (
        f"{SHED_STEP}: {stats.items_scored} items were looked up for a call that could not finish: "
        "compare context.time_remaining() (seconds) with items x score_delay_s (seconds) first"
    )
    assert stats.calls_shed == 1, f"{SHED_STEP}: count the shed call in stats.calls_shed"
    info = error_info(raised.value)  # the server's answer, not the client's own timer
    assert info.reason == "DEADLINE_TOO_SHORT", f"{SHED_STEP}: raise DeadlineTooShortError"
    remaining, needed = int(info.metadata["remaining_ms"]), int(info.metadata["needed_ms"])
    assert 0 < remaining <= 100, f"{SHED_STEP}: remaining_ms={remaining}; want the ms left (<= 100)"
    assert 240 <= needed <= 260, f"{SHED_STEP}: needed_ms={needed}; want 5 x 50 ms = 250"


async def test_shed_not_a_call_with_time_enough_is_served(
    slow_settings: Settings, start_server: Start, make_token: TokenFactory
) -> None:
    server: RunningServer = await start_server(slow_settings)
    # 2 items x 50 ms = 100 ms of work, 2 s to do it in.
    response = await _recommend_within(server, make_token(), deadline_s=2, limit=2)
    assert len(response.recommendations) == 2
    assert server.service.stats.calls_shed == 0, f"{SHED_STEP}: a call that fits must not be shed"


async def test_shed_not_a_call_without_a_deadline_is_served(
    server: RunningServer, make_token: TokenFactory
) -> None:
    response = await _recommend_within(server, make_token(), deadline_s=None)
    assert len(response.recommendations) == 5, (
        f"{SHED_STEP}: time_remaining() is None when the caller set no deadline: serve the call"
    )
    assert server.service.stats.calls_shed == 0


# --- README step 4: continue the trace -----------------------------------------------

TRACE_STEP = "README step 4 (interceptors.py _observe, TODO(lab 12))"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_SPAN_ID = "00f067aa0ba902b7"


async def _recommend_with_metadata(
    server: RunningServer, metadata: tuple[tuple[str, str], ...]
) -> None:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = pb_grpc.RecommendationServiceStub(channel)
        await stub.Recommend(
            pb.RecommendRequest(user_id="u-1", language="es"), metadata=metadata, timeout=5
        )


def _server_spans(spans: InMemorySpanExporter) -> list[tuple[str, str, str | None]]:
    """(name, trace id, parent span id) of every finished SERVER span."""
    found = []
    for span in spans.get_finished_spans():
        if span.kind == SpanKind.SERVER and span.context is not None:
            parent = format(span.parent.span_id, "016x") if span.parent else None
            found.append((span.name, format(span.context.trace_id, "032x"), parent))
    return found


async def test_trace_the_server_span_continues_the_callers_trace(
    server: RunningServer, spans: InMemorySpanExporter, make_token: TokenFactory
) -> None:
    await _recommend_with_metadata(
        server,
        (
            ("authorization", f"Bearer {make_token()}"),
            ("traceparent", f"00-{TRACE_ID}-{PARENT_SPAN_ID}-01"),
            ("tracestate", "vendor=lab12"),
        ),
    )
    found = _server_spans(spans)
    assert len(found) == 1, f"one SERVER span per call, got {found}"
    name, trace_id, parent = found[0]
    assert trace_id == TRACE_ID, (
        f"{TRACE_STEP}: the span {name!r} started a NEW trace {trace_id}; it must join the "
        f"caller's trace {TRACE_ID} (extract the traceparent metadata with the W3C propagator)"
    )
    assert parent == PARENT_SPAN_ID, (
        f"{TRACE_STEP}: the span's parent is {parent}, want the caller's span {PARENT_SPAN_ID}"
    )


async def test_trace_a_call_without_traceparent_starts_its_own_trace(
    server: RunningServer, spans: InMemorySpanExporter, make_token: TokenFactory
) -> None:
    await _recommend_with_metadata(server, (("authorization", f"Bearer {make_token()}"),))
    found = _server_spans(spans)
    assert len(found) == 1, f"one SERVER span per call, got {found}"
    _, trace_id, parent = found[0]
    assert parent is None, f"a root span (no parent), got {found}"
    assert trace_id != "0" * 32, f"a valid new trace id, got {found}"
