"""The same-framework gRPC baseline of ``pnpm bench polyglot``: a bare ``grpc.aio`` server (the
recommender's framework, no interceptors, no auth, no work) answering ``Recommend`` with one
canned ``RecommendResponse``, plus the standard health service. Behind the gateway, its
requests/s are what any Python grpc.aio service can reach on this machine's core split.

``PYTHONPATH=python/gen python tooling/bench/baselines/grpc_canned_aio.py --port 50051``
"""

import argparse
import asyncio

import grpc
import recommendations_pb2 as pb
import recommendations_pb2_grpc as pb_grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

TITLES = [
    "Ser y estar",
    "Pretérito indefinido",
    "En el mercado",
    "Por y para",
    "Subjuntivo presente",
]
REPLY = pb.RecommendResponse(
    model_version="canned-1",
    recommendations=[
        pb.Recommendation(
            item_id=f"es-{i + 1:03d}",
            title=title,
            score=0.9 - i * 0.1,
            reason="popular with learners at your level",
        )
        for i, title in enumerate(TITLES)
    ],
)


class Canned(pb_grpc.RecommendationServiceServicer):
    async def Recommend(  # noqa: N802 - the generated servicer's name
        self, request: pb.RecommendRequest, context: grpc.aio.ServicerContext[object, object]
    ) -> pb.RecommendResponse:
        return REPLY


async def serve(host: str, port: int) -> None:
    server = grpc.aio.server()
    # Only Recommend is benchmarked; the other methods stay the generated UNIMPLEMENTED ones.
    servicer = Canned()  # type: ignore[abstract]
    pb_grpc.add_RecommendationServiceServicer_to_server(servicer, server)
    health_servicer = health.aio.HealthServicer()
    await health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    server.add_insecure_port(f"{host}:{port}")
    await server.start()
    await server.wait_for_termination()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=50051)
    args = parser.parse_args()
    asyncio.run(serve(args.host, args.port))


if __name__ == "__main__":
    main()
