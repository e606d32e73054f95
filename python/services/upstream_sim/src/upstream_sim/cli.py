"""``python -m upstream_sim --host 127.0.0.1 --port 9000 [--config JSON]``.

The start-up configuration is, in order (later wins): the defaults (instant, never fails);
``--latency-ms`` / ``--jitter-ms`` / ``--failure-rate`` for all three upstreams; the JSON in
``UPSTREAM_SIM_CONFIG``; the JSON of ``--config``. ``PUT /_sim/config`` changes it at run time.
Prints one line once listening: ``upstream-sim listening on http://HOST:PORT``.
"""

import argparse
import json
import logging
import os
import socket
import sys
from collections.abc import Mapping, Sequence
from typing import NoReturn

import uvicorn
from pydantic import ValidationError

from upstream_sim.app import create_app
from upstream_sim.config import UPSTREAM_NAMES, SimConfig

logger = logging.getLogger("upstream_sim")
PROG = "python -m upstream_sim"


class _OneLineArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineArgumentParser(prog=PROG, description="Run the upstream simulator.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9000, help="0 picks a free port")
    parser.add_argument("--latency-ms", type=float, help="latency of every upstream")
    parser.add_argument("--jitter-ms", type=float, help="jitter of every upstream")
    parser.add_argument("--failure-rate", type=float, help="failure rate (0-1), every upstream")
    parser.add_argument("--config", help='JSON, e.g. \'{"inventory": {"latency_ms": 800}}\'')
    return parser


def start_config(args: argparse.Namespace, env: Mapping[str, str]) -> SimConfig:
    """The configuration at start; raises ``ValueError`` with a one-line reason."""
    common = {
        key: value
        for key, value in (
            ("latency_ms", args.latency_ms),
            ("jitter_ms", args.jitter_ms),
            ("failure_rate", args.failure_rate),
        )
        if value is not None
    }
    merged: dict[str, object] = {name: dict(common) for name in UPSTREAM_NAMES}
    for source, text in (
        ("UPSTREAM_SIM_CONFIG", env.get("UPSTREAM_SIM_CONFIG")),
        ("--config", args.config),
    ):
        if not text:
            continue
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"{source}: invalid JSON ({error.msg})") from None
        if not isinstance(loaded, dict):
            raise ValueError(f"{source}: must be a JSON object")
        for key, value in loaded.items():
            previous = merged.get(key)
            if isinstance(previous, dict) and isinstance(value, dict):
                merged[key] = {**previous, **value}
            else:
                merged[key] = value
    try:
        return SimConfig.model_validate(merged)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ValueError(f"invalid configuration at {where}: {first['msg']}") from None


class _AnnouncingServer(uvicorn.Server):
    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            port = self.servers[0].sockets[0].getsockname()[1]
            logger.info("upstream-sim listening on http://%s:%d", self.config.host, port)


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        config = start_config(args, os.environ if env is None else env)
    except ValueError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    server_config = uvicorn.Config(
        create_app(config), host=args.host, port=args.port, log_level="warning", access_log=False
    )
    try:
        _AnnouncingServer(server_config).run()
    except KeyboardInterrupt:
        return 130
    return 0
