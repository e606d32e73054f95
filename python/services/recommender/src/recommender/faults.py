"""Fault injection for rollout drills: a bad build on demand, without editing code.

``RECOMMENDER_FAULT_LATENCY_MS`` adds that much sleep before each RecommendationService call
(a deadline still cuts it short), then ``RECOMMENDER_FAULT_ERROR_RATE`` fails that share of
them with ``INTERNAL`` (reason ``INJECTED_FAULT``, a message saying it is injected). Health and
reflection are never touched: a faulty build still looks alive, as real ones do. The draws come
from one ``random.Random`` seeded with ``RECOMMENDER_FAULT_SEED`` (unset = unpredictable), so a
test knows exactly which calls fail. The interceptor is installed only when a fault is set.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import grpc

from recommender.errors import InjectedFaultError
from recommender.interceptors import wrap_handler
from recommender.settings import Settings

if TYPE_CHECKING:
    from recommender.interceptors import Context, Continuation, Handler, Streaming, Unary


def faults_configured(settings: Settings) -> bool:
    return settings.fault_error_rate > 0 or settings.fault_latency_s > 0


class FaultInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, settings: Settings, service_prefix: str) -> None:
        self._rate = settings.fault_error_rate
        self._latency_s = settings.fault_latency_s
        self._random = random.Random(settings.fault_seed)  # nosec B311 - not crypto
        self._prefix = service_prefix

    async def _inject(self) -> None:
        if self._latency_s > 0:
            await asyncio.sleep(self._latency_s)
        if self._rate > 0 and self._random.random() < self._rate:
            raise InjectedFaultError(
                f"injected fault (RECOMMENDER_FAULT_ERROR_RATE={self._rate:g}), not a real error"
            )

    async def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> Handler | None:
        handler = await continuation(handler_call_details)
        if handler is None or not handler_call_details.method.startswith(self._prefix):
            return handler
        inject = self._inject

        def unary(inner: Unary) -> Unary:
            async def behaviour(request: Any, context: Context) -> Any:
                await inject()
                return await inner(request, context)

            return behaviour

        def streaming(inner: Streaming) -> Streaming:
            async def behaviour(request: Any, context: Context) -> AsyncIterator[Any]:
                await inject()
                async for response in inner(request, context):
                    yield response

            return behaviour

        return wrap_handler(handler, unary, streaming)
