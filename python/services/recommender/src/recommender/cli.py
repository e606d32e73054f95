"""The command line: ``python -m recommender --host 127.0.0.1 --port 50051``.

Prints exactly one line once the server listens (``recommender listening on HOST:PORT``, on
stderr), with the real port even for ``--port 0``; with ``RECOMMENDER_METRICS_PORT`` set the
same line ends ``, metrics on http://HOST:MPORT/metrics`` (the real port again). Bad
arguments or ``RECOMMENDER_*`` variables: one line, exit 2. A port that cannot be bound (gRPC
or metrics): one line, exit 3. SIGTERM or SIGINT: health turns NOT_SERVING, in-flight calls get
the grace period, the metrics server stops, exit 0.
``RECOMMENDER_TRACE_FILE``: finished spans are appended there as JSON lines (flushed on exit).
"""

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from opentelemetry.sdk.trace import TracerProvider

from recommender.observability import configure_logging, logger, tracer_provider
from recommender.server import BindError, start
from recommender.settings import Settings, SettingsError, from_env

PROG = "python -m recommender"
MAX_PORT = 65535
EXIT_USAGE = 2
EXIT_BIND = 3


class _OneLineArgumentParser(argparse.ArgumentParser):
    """argparse, but an error is one line (argparse prints the usage block as well)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: not an integer") from None
    if not 0 <= port <= MAX_PORT:
        raise argparse.ArgumentTypeError(f"invalid port {port}: must be 0-{MAX_PORT}")
    return port


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineArgumentParser(prog=PROG, description="Run the recommender gRPC service.")
    parser.add_argument(
        "--host", default="127.0.0.1", help="interface to listen on (default: %(default)s)"
    )
    parser.add_argument(
        "--port", type=_port, default=50051, help="TCP port; 0 picks a free one (%(default)s)"
    )
    return parser


async def serve(
    settings: Settings, host: str, port: int, provider: TracerProvider | None = None
) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        running = await start(settings, host, port, tracer_provider=provider or TracerProvider())
    except BindError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return EXIT_BIND
    url_host = f"[{host}]" if ":" in host else host
    scheme = "grpc" if settings.tls is None else "grpcs"
    line = f"recommender listening on {scheme}://{url_host}:{running.port}"
    if running.metrics_server is not None:
        line += f", metrics on {running.metrics_server.url}"
    print(line, file=sys.stderr)
    logger.info(
        "started",
        version=settings.version,
        port=running.port,
        metrics_port=running.metrics_server.port if running.metrics_server else None,
        fault_error_rate=settings.fault_error_rate,
        fault_latency_ms=settings.fault_latency_s * 1000,
    )
    await stop.wait()
    logger.info("draining", grace_s=settings.grace_s)
    await running.drain()
    await running.close_metrics()
    logger.info("stopped")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = from_env()
    except SettingsError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    trace_file = os.environ.get("RECOMMENDER_TRACE_FILE")
    try:
        provider = tracer_provider(Path(trace_file) if trace_file else None)
    except OSError as error:
        print(f"{PROG}: error: RECOMMENDER_TRACE_FILE: {error}", file=sys.stderr)
        return EXIT_USAGE
    configure_logging(settings.version)
    try:
        return asyncio.run(serve(settings, args.host, args.port, provider))
    finally:
        provider.shutdown()
