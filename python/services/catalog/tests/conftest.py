"""Shared fixtures: a fresh app per test, an in-process HTTP client for it, and a real
PostgreSQL server for the session (``postgres_dsn``).

PostgreSQL comes from testcontainers where a Docker engine answers, otherwise from Debian's
binaries (``/usr/lib/postgresql/*/bin``: initdb + pg_ctl, as user postgres when root) on a
free port, started once per session and stopped at its end.
"""

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import settings

from catalog.entrypoints.http.app import create_app

# No example database: a run does not depend on what earlier runs found, so a result on one
# machine is the result on every machine. No deadline: a slow first call on a busy CI
# machine is not a bug.
settings.register_profile("catalog", database=None, deadline=None)
settings.load_profile("catalog")

PROBLEM_TYPE_BASE = "https://language-tracks.example/problems/"

ProblemAsserter = Callable[[httpx.Response, int, str], dict[str, Any]]


@pytest.fixture
def app() -> FastAPI:
    return create_app()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    # raise_app_exceptions=False: Starlette re-raises unexpected errors after sending the 500
    # (so servers log them); the test wants to see the response a client would get.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://catalog.test") as client:
        yield client


def _assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Check the RFC 9457 envelope and return the body for further checks."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == PROBLEM_TYPE_BASE + code.replace("_", "-")
    assert body["status"] == status
    assert body["code"] == code
    assert isinstance(body["title"], str)
    assert body["title"]
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body


@pytest.fixture
def assert_problem() -> ProblemAsserter:
    return _assert_problem


# --- PostgreSQL for the adapter tests -------------------------------------------------


class PostgresUnavailableError(RuntimeError):
    """Neither a Docker engine nor local PostgreSQL binaries could give us a server."""


@dataclass
class RunningPostgres:
    dsn: str
    how: str
    timings: dict[str, float] = field(default_factory=dict)
    stop: Callable[[], None] = lambda: None


def _docker_answers() -> bool:
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if not host.startswith("unix://"):
        return True  # a remote engine: let testcontainers try it
    path = host.removeprefix("unix://")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(1)
        try:
            probe.connect(path)
        except OSError:
            return False
    return True


def _with_testcontainers() -> RunningPostgres:
    from testcontainers.postgres import PostgresContainer  # imported only where Docker runs

    started = time.perf_counter()
    container = PostgresContainer("postgres:16-alpine", driver=None)
    container.start()
    url = container.get_connection_url()
    return RunningPostgres(
        dsn=url,
        how="testcontainers (postgres:16-alpine)",
        timings={"container start": time.perf_counter() - started},
        stop=container.stop,
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _local_binaries() -> Path:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    if not found:
        raise PostgresUnavailableError(
            "no Docker engine answers and no /usr/lib/postgresql/*/bin/initdb "
            "(apt-get install -y postgresql)"
        )
    return Path(found[-1]).parent


def _with_local_binaries() -> RunningPostgres:
    bindir = _local_binaries()
    as_user: list[str] = []
    owner: pwd.struct_passwd | None = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresUnavailableError(
                "running as root and there is no 'postgres' user"
            ) from None
        as_user = ["runuser", "-u", "postgres", "--"]
    folder = Path(tempfile.mkdtemp(prefix="catalog-pg-"))
    data = folder / "data"
    if owner is not None:
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    timings: dict[str, float] = {}

    def run(*args: str) -> None:
        result = subprocess.run(
            [*as_user, *args], capture_output=True, text=True, timeout=60, check=False
        )
        if result.returncode != 0:
            raise PostgresUnavailableError(
                f"{Path(args[0]).name} failed: {result.stderr.strip()[-300:]}"
            )

    started = time.perf_counter()
    run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
    timings["initdb"] = time.perf_counter() - started
    port = _free_port()
    started = time.perf_counter()
    run(
        str(bindir / "pg_ctl"),
        "-D",
        str(data),
        "-l",
        str(folder / "server.log"),
        "-o",
        f"-h 127.0.0.1 -p {port} -k {folder} -F",
        "-w",
        "start",
    )
    timings["start"] = time.perf_counter() - started

    def stop() -> None:
        subprocess.run(
            [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)

    return RunningPostgres(
        dsn=f"postgresql://postgres@127.0.0.1:{port}/postgres",
        how=f"local {bindir.parent.name} via pg_ctl on port {port}",
        timings=timings,
        stop=stop,
    )


def start_postgres() -> RunningPostgres:
    if _docker_answers():
        try:
            return _with_testcontainers()
        except Exception as error:  # any Docker trouble: take the local path
            reason = f"testcontainers failed ({type(error).__name__}); "
        else:  # pragma: no cover
            raise AssertionError
    else:
        reason = ""
    try:
        return _with_local_binaries()
    except PostgresUnavailableError as error:
        raise PostgresUnavailableError(reason + str(error)) from None


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """A real PostgreSQL server for the whole session (started once, stopped at the end).

    testcontainers where a Docker engine answers, else Debian's PostgreSQL on a free port.
    Neither: a visible skip with the reason — but with ``CI=true`` a failure, because CI
    installs postgresql and the real database must run there.
    """
    try:
        server = start_postgres()
    except PostgresUnavailableError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI: {error}")
        pytest.skip(f"no PostgreSQL for the adapter tests: {error}")
    timings = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in server.timings.items())
    print(f"\npostgres_dsn: {server.how} ({timings})", file=sys.stderr)
    try:
        yield server.dsn
    finally:
        server.stop()


# --- NATS JetStream for the broker tests ----------------------------------------------

REPO_ROOT = Path(__file__).resolve().parents[4]


def _nats_binary() -> str | None:
    configured = os.environ.get("NATS_SERVER", "").strip()
    if configured:
        return configured
    bundled = REPO_ROOT / ".tools" / "bin" / "nats-server"
    return str(bundled) if bundled.is_file() else shutil.which("nats-server")


@dataclass
class NatsServer:
    """A real ``nats-server -js`` on a fixed port and store folder: stop, SIGKILL and start
    again keep both, so a restarted server has every message it acknowledged."""

    binary: str
    port: int
    store: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        args = ["-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd", str(self.store)]
        log = (self.store / "server.log").open("ab")
        self.process = subprocess.Popen([self.binary, *args], stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + 15
        while not self._jetstream_answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nats-server did not start: see {self.store}/server.log")
            time.sleep(0.05)

    def _jetstream_answers(self) -> bool:
        # The server's first line to a client is INFO {json}; "jetstream": true once it is on.
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                info = sock.makefile("rb").readline()
        except OSError:
            return False
        return info.startswith(b"INFO ") and b'"jetstream":true' in info.replace(b" ", b"")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def kill(self) -> None:
        """SIGKILL: no shutdown at all, as a crashed machine's broker."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.process = None


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    """A fresh JetStream server per test (its own port and store folder), stopped after.

    No binary: a visible skip with the reason, but with ``CI=true`` a failure (CI bootstraps
    ``.tools/bin/nats-server``), like ``postgres_dsn``.
    """
    binary = _nats_binary()
    if binary is None or not Path(binary).is_file():
        reason = f"no nats-server ({binary or 'set NATS_SERVER or run npm run bootstrap'})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"nats-server is required in CI: {reason}")
        pytest.skip(reason)
    store = tmp_path / "nats"
    store.mkdir()
    server = NatsServer(binary=binary, port=_free_port(), store=store)
    server.start()
    try:
        yield server
    finally:
        server.stop()
