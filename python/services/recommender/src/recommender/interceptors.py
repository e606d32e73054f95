"""The edge of the service: every call passes two server interceptors.

1. ``EdgeInterceptor`` (outermost): a SERVER span continuing the caller's W3C trace, the log
   context (trace and correlation ids), and THE one place a ``RecommenderError`` (or anything
   unexpected) becomes a gRPC status with ``google.rpc`` details (``errors.to_status``).
2. ``AuthInterceptor``: a valid bearer JWT on every method but health and reflection.

An interceptor wraps the method's behaviour (unary or server-streaming), so errors raised by
the auth check and by the servicer alike go through the same mapping.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeAlias

import grpc
import structlog
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from recommender.auth import authorize, bearer_token, verify
from recommender.errors import InternalError, RecommenderError, to_status
from recommender.observability import REQUEST_ID, logger, metadata_value, request_id_from
from recommender.settings import AuthSettings

if TYPE_CHECKING:  # the grpc classes are generic in the stubs only
    Context: TypeAlias = grpc.aio.ServicerContext[Any, Any]
    Unary: TypeAlias = Callable[[Any, Context], Awaitable[Any]]
    Streaming: TypeAlias = Callable[[Any, Context], AsyncIterator[Any]]
    Handler: TypeAlias = grpc.RpcMethodHandler[Any, Any]
    Continuation: TypeAlias = Callable[[grpc.HandlerCallDetails], Awaitable[Handler | None]]

#: Reachable without a token: load balancers and stock tools (grpcurl, grpc_health_probe).
PUBLIC_METHOD_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")

_propagator = TraceContextTextMapPropagator()


def wrap_handler(
    handler: Handler, unary: Callable[[Unary], Unary], streaming: Callable[[Streaming], Streaming]
) -> Handler:
    """``handler`` with its unary or server-streaming behaviour wrapped; others unchanged."""
    if handler.unary_unary is not None:
        inner: Any = handler.unary_unary
        return grpc.unary_unary_rpc_method_handler(
            unary(inner), handler.request_deserializer, handler.response_serializer
        )
    if handler.unary_stream is not None:
        inner = handler.unary_stream
        if inspect.iscoroutinefunction(inner):
            # A stream that answers with context.write (grpc's own health Watch): iterating its
            # coroutine would be a TypeError; run it inside a generator that yields nothing.
            inner = _written_stream(inner)
        return grpc.unary_stream_rpc_method_handler(
            streaming(inner), handler.request_deserializer, handler.response_serializer
        )
    return handler


def _written_stream(writer: Callable[[Any, Context], Awaitable[None]]) -> Streaming:
    async def stream(request: Any, context: Context) -> AsyncIterator[Any]:
        await writer(request, context)
        # Its answers went out through context.write; yielding nothing keeps this a generator.
        answers: tuple[Any, ...] = ()
        for answer in answers:
            yield answer

    return stream


class EdgeInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, tracer_provider: trace.TracerProvider | None = None) -> None:
        provider = tracer_provider or trace.get_tracer_provider()
        self._tracer = provider.get_tracer("recommender")

    async def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> Handler | None:
        handler = await continuation(handler_call_details)
        if handler is None:
            return None
        method = handler_call_details.method
        observe, fail = self._observe, self._fail

        def unary(inner: Unary) -> Unary:
            async def behaviour(request: Any, context: Context) -> Any:
                with observe(method, context) as span:
                    try:
                        return await inner(request, context)
                    except BaseException as error:
                        await fail(error, context, span)
                        raise

            return behaviour

        def streaming(inner: Streaming) -> Streaming:
            async def behaviour(request: Any, context: Context) -> AsyncIterator[Any]:
                with observe(method, context) as span:
                    try:
                        async for response in inner(request, context):
                            yield response
                    except BaseException as error:
                        await fail(error, context, span)
                        raise

            return behaviour

        return wrap_handler(handler, unary, streaming)

    @contextmanager
    def _observe(self, method: str, context: Context) -> Iterator[trace.Span]:
        metadata = context.invocation_metadata()
        # lab-region:trace-context begin
        carrier = {key: value for key, value in metadata or () if isinstance(value, str)}
        parent = _propagator.extract(carrier)
        # lab-region:trace-context end
        service, _, name = method.lstrip("/").rpartition("/")
        with self._tracer.start_as_current_span(
            method.lstrip("/"),
            context=parent,
            kind=SpanKind.SERVER,
            attributes={"rpc.system": "grpc", "rpc.service": service, "rpc.method": name},
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            span_context = span.get_span_context()
            request_id = request_id_from(metadata_value(metadata, REQUEST_ID))
            span.set_attribute("request.id", request_id)
            with structlog.contextvars.bound_contextvars(
                request_id=request_id,
                trace_id=format(span_context.trace_id, "032x"),
                span_id=format(span_context.span_id, "016x"),
                rpc_method=method,
            ):
                yield span
                span.set_attribute("rpc.grpc.status_code", grpc.StatusCode.OK.value[0])
                logger.info("rpc_finished", code="OK")

    async def _fail(self, error: BaseException, context: Context, span: trace.Span) -> None:
        """Map ``error`` to a status and abort with it (raises); re-raises what is not ours."""
        if isinstance(error, asyncio.CancelledError):
            span.set_attribute("rpc.grpc.status_code", grpc.StatusCode.CANCELLED.value[0])
            span.set_status(Status(StatusCode.ERROR, "cancelled"))
            logger.info("rpc_cancelled")
            return
        if isinstance(error, grpc.aio.AbortError) or not isinstance(error, Exception):
            return
        if isinstance(error, RecommenderError):
            mapped = error
            logger.info("rpc_failed", code=error.code.name, reason=error.reason)
        else:
            mapped = InternalError("internal error")
            logger.exception("rpc_crashed")
        span.set_attribute("rpc.grpc.status_code", mapped.code.value[0])
        span.set_attribute("error.reason", mapped.reason)
        span.set_status(Status(StatusCode.ERROR, mapped.reason))
        await context.abort_with_status(to_status(mapped))


class AuthInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, settings: AuthSettings) -> None:
        self._settings = settings

    async def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> Handler | None:
        handler = await continuation(handler_call_details)
        if handler is None or handler_call_details.method.startswith(PUBLIC_METHOD_PREFIXES):
            return handler
        settings = self._settings

        def check(request: Any, context: Context) -> None:
            principal = verify(bearer_token(context.invocation_metadata()), settings)
            structlog.contextvars.bind_contextvars(subject=principal.subject)
            # Here, not in each method: every request that names a user is bound to the token,
            # including methods added later.
            user_id = getattr(request, "user_id", "")
            authorize(principal, user_id if isinstance(user_id, str) else "")

        def unary(inner: Unary) -> Unary:
            async def behaviour(request: Any, context: Context) -> Any:
                check(request, context)
                return await inner(request, context)

            return behaviour

        def streaming(inner: Streaming) -> Streaming:
            async def behaviour(request: Any, context: Context) -> AsyncIterator[Any]:
                check(request, context)
                async for response in inner(request, context):
                    yield response

            return behaviour

        return wrap_handler(handler, unary, streaming)
