"""The command line: ``python -m catalog --host 127.0.0.1 --port 8000``.

Prints exactly one line once the server listens (``catalog listening on http://HOST:PORT``,
on stderr), with the real port even for ``--port 0``, so scripts and the kit's probes can
start the service on a free port and know where it is. Bad arguments get one line and exit
code 2, never a traceback. SIGTERM drains (``catalog.entrypoints.drain``): readiness turns
503, in-flight requests finish, exit 0. Ctrl-C (SIGINT) stops the same way but exits 130.
With ``CATALOG_BROKER_URL`` (``nats://HOST:PORT``) the outbox relay and the ``product-feed``
consumer run in this process too (``catalog.entrypoints.outbox_runner``), stopped after the
drain; without it, events wait in the outbox for ``python -m catalog.relay``.
"""

import argparse
import logging
import os
import socket
import sys
from collections.abc import Mapping, Sequence
from typing import NoReturn

import uvicorn

from catalog.entrypoints.drain import DrainingServer, drain_settings_from_env, drain_state
from catalog.entrypoints.http.app import create_app
from catalog.entrypoints.http.limits import HEADER_TIMEOUT_S, header_deadline_protocol
from catalog.fanout.settings import SettingsError

logger = logging.getLogger("catalog")

MAX_PORT = 65535


class _OneLineArgumentParser(argparse.ArgumentParser):
    """argparse, but an error is one line (argparse prints the usage block as well)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: not an integer") from None
    if not 0 <= port <= MAX_PORT:
        raise argparse.ArgumentTypeError(f"invalid port {port}: must be 0-{MAX_PORT}")
    return port


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineArgumentParser(
        prog="python -m catalog", description="Run the catalog HTTP service."
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="interface to listen on (default: %(default)s)"
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=8000,
        help="TCP port; 0 picks a free one (default: %(default)s)",
    )
    return parser


class _AnnouncingServer(DrainingServer):
    """A draining server (SIGTERM: readiness 503, delay, drain, exit 0; see
    ``catalog.entrypoints.drain``) that logs one line once its sockets accept connections."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if not self.started:
            return
        port = self.servers[0].sockets[0].getsockname()[1]
        host = self.config.host
        url_host = f"[{host}]" if ":" in host else host
        logger.info("catalog listening on http://%s:%d", url_host, port)


def _header_timeout(env: Mapping[str, str]) -> float:
    """``CATALOG_HEADER_TIMEOUT_S``: seconds a request head may take (default 5)."""
    text = env.get("CATALOG_HEADER_TIMEOUT_S")
    if text is None:
        return HEADER_TIMEOUT_S
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 3600:  # an hour: a sane upper bound
        raise SettingsError(f"CATALOG_HEADER_TIMEOUT_S={text!r}: want seconds, 0 < s <= 3600")
    return seconds


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    try:
        drain_settings = drain_settings_from_env(os.environ)
        header_timeout = _header_timeout(os.environ)
        app = create_app()
    except SettingsError as error:
        # A bad CATALOG_* variable: one line, like a bad argument.
        print(f"python -m catalog: error: {error}", file=sys.stderr)
        return 2
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        # uvicorn's own start-up chatter and access lines would bury the one line above;
        # warnings and errors (a port already in use, a crashed request) still show.
        log_level="warning",
        access_log=False,
        # A request head that is late is cut (slowloris), as the Go twin's ReadHeaderTimeout.
        http=header_deadline_protocol(header_timeout),
    )
    try:
        _AnnouncingServer(config, drain_state(app), drain_settings).run()
    except KeyboardInterrupt:
        # uvicorn shut down cleanly, then re-raised the Ctrl-C: exit quietly, like a signal.
        return 130
    return 0
