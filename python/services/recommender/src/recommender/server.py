"""Assemble the grpc.aio server: the servicer (v1 or v2 contract) behind the interceptors
(metrics, edge, auth, injected faults when set), the standard health service, server
reflection, an insecure or (m)TLS port, and the HTTP ``/metrics`` server when a port is set.
``drain`` is the graceful stop: health says NOT_SERVING, then in-flight calls get ``grace_s``
to finish; ``close_metrics`` then stops the metrics server.
"""

import asyncio
import socket
from collections.abc import Awaitable
from dataclasses import dataclass, field

import grpc
import recommendations_pb2 as pb
import recommendations_pb2_grpc as pb_grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from opentelemetry import trace

from recommender.faults import FaultInterceptor, faults_configured
from recommender.interceptors import AuthInterceptor, EdgeInterceptor
from recommender.metrics import MetricsInterceptor, MetricsServer, RpcMetrics
from recommender.service import RecommendationService, V1RecommendationService
from recommender.settings import Settings, TlsSettings

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["RecommendationService"].full_name


class BindError(RuntimeError):
    """The port could not be bound (in use, or not ours to take)."""


@dataclass(slots=True)
class RunningServer:
    server: grpc.aio.Server
    port: int
    service: RecommendationService
    health: health.aio.HealthServicer
    settings: Settings
    metrics: RpcMetrics
    #: The HTTP ``/metrics`` server; None when ``settings.metrics_port`` is None.
    metrics_server: MetricsServer | None = None
    _drained: bool = field(default=False)

    async def drain(self, delay: Awaitable[object] | None = None) -> None:
        """NOT_SERVING, wait ``drain_delay_s``, then stop taking calls; wait for in-flight ones.

        ``delay`` replaces the ``drain_delay_s`` sleep: a test holds the NOT_SERVING phase open
        on an event it sets once it has looked, instead of racing the sleep (a health check
        that meets ``server.stop`` ends CANCELLED or UNAVAILABLE, not NOT_SERVING).
        """
        if self._drained:
            return
        self._drained = True
        await self.health.enter_graceful_shutdown()
        if delay is not None:
            await delay
        elif self.settings.drain_delay_s > 0:
            await asyncio.sleep(self.settings.drain_delay_s)
        await self.server.stop(self.settings.grace_s)

    async def stop_now(self) -> None:
        """Stop at once (tests): no NOT_SERVING phase, no grace."""
        await self.server.stop(None)
        await self.close_metrics()

    async def close_metrics(self) -> None:
        """Stop the metrics server, AFTER ``drain``: it stays up while calls drain, so the
        last scrapes still see how they ended."""
        if self.metrics_server is not None:
            await asyncio.to_thread(self.metrics_server.close)


def _check_bindable(host: str, port: int, address: str) -> None:
    """Fail with one clear error before gRPC core logs its own multi-line one."""
    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise BindError(f"cannot listen on {address}: {error.strerror}") from None


def server_credentials(tls: TlsSettings) -> grpc.ServerCredentials:
    client_ca = tls.client_ca.read_bytes() if tls.client_ca else None
    return grpc.ssl_server_credentials(
        [(tls.key.read_bytes(), tls.cert.read_bytes())],
        root_certificates=client_ca,
        require_client_auth=client_ca is not None,
    )


async def start(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 0,
    tracer_provider: trace.TracerProvider | None = None,
    service: RecommendationService | None = None,
) -> RunningServer:
    servicer_class = V1RecommendationService if settings.version == "v1" else RecommendationService
    servicer = service or servicer_class(settings)
    service_methods = tuple(
        f"/{SERVICE_NAME}/{m.name}"
        for m in pb.DESCRIPTOR.services_by_name["RecommendationService"].methods
    )
    metrics = RpcMetrics(settings.version, service_methods)
    interceptors: list[grpc.aio.ServerInterceptor] = [
        MetricsInterceptor(metrics),  # outermost: the final status and the whole call's time
        EdgeInterceptor(tracer_provider),
        AuthInterceptor(settings.auth),
    ]
    if faults_configured(settings):
        interceptors.append(FaultInterceptor(settings, f"/{SERVICE_NAME}/"))
    server = grpc.aio.server(
        interceptors=interceptors,
        # No SO_REUSEPORT: a port another process holds must fail to bind, not be shared.
        options=[("grpc.so_reuseport", 0)],
    )
    pb_grpc.add_RecommendationServiceServicer_to_server(servicer, server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(
        [SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME], server
    )
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    _check_bindable(host, port, address)
    try:
        if settings.tls is None:
            bound = server.add_insecure_port(address)
        else:
            bound = server.add_secure_port(address, server_credentials(settings.tls))
    except RuntimeError as error:
        raise BindError(f"cannot listen on {address}: {error}") from None
    if bound == 0:
        raise BindError(f"cannot listen on {address}")
    metrics_server: MetricsServer | None = None
    if settings.metrics_port is not None:
        metrics_address = (
            f"[{host}]:{settings.metrics_port}"
            if ":" in host
            else f"{host}:{settings.metrics_port}"
        )
        try:
            metrics_server = MetricsServer(metrics.registry, host, settings.metrics_port)
        except OSError as error:
            await server.stop(None)
            raise BindError(
                f"cannot listen on {metrics_address} (RECOMMENDER_METRICS_PORT): {error.strerror}"
            ) from None
    await server.start()
    for name in ("", SERVICE_NAME):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    return RunningServer(
        server, bound, servicer, health_servicer, settings, metrics, metrics_server
    )
