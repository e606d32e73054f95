"""SIGTERM in a real process: readiness turns 503 (a new request is still served during the
drain delay), the in-flight request finishes, exit 0.

The slow request is real: the catalog's fan-out calls the upstream simulator, which answers
after ``LATENCY_MS``. No test-only route exists in the service.
"""

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import catalog
import upstream_sim

CATALOG_SRC = Path(catalog.__file__).resolve().parents[1]
SIM_SRC = Path(upstream_sim.__file__).resolve().parents[1]
LISTENING = re.compile(r"listening on (http://\S+)$")
LATENCY_MS = 1500
DRAIN_DELAY_MS = 400


def _start(
    module: str, src: Path, args: list[str], env: dict[str, str]
) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", module, "--host", "127.0.0.1", "--port", "0", *args]
    process = subprocess.Popen(
        command,
        env={**os.environ, "PYTHONPATH": str(src), **env},
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    line = process.stderr.readline().rstrip("\n")
    match = LISTENING.search(line)
    if match is None:
        process.kill()
        pytest.fail(f"{module} did not start: {line!r}")
    return process, match.group(1)


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)
    if process.stderr is not None:
        process.stderr.close()


@pytest.fixture
def slow_upstreams() -> Iterator[str]:
    process, url = _start("upstream_sim", SIM_SRC, ["--latency-ms", str(LATENCY_MS)], {})
    try:
        yield url
    finally:
        _stop(process)


def test_sigterm_drains_in_flight_requests_and_exits_zero(slow_upstreams: str) -> None:
    env = {
        "CATALOG_UPSTREAM_URL": slow_upstreams,
        "CATALOG_CALL_TIMEOUT_MS": "5000",
        "CATALOG_DEADLINE_MS": "5000",
        "CATALOG_DRAIN_DELAY_MS": str(DRAIN_DELAY_MS),
        "CATALOG_GRACE_PERIOD_MS": "8000",
    }
    server, base = _start("catalog", CATALOG_SRC, [], env)
    try:
        created = httpx.post(
            f"{base}/products",
            json={
                "sku": "DRAIN-1",
                "name": "Drain",
                "price": {"amount_minor": 100, "currency": "EUR"},
            },
            timeout=5,
        )
        assert created.status_code == 201, created.text
        product = created.json()["id"]
        assert httpx.get(f"{base}/readyz", timeout=5).status_code == 200

        slow: dict[str, object] = {}

        def fetch() -> None:
            try:
                slow["response"] = httpx.get(f"{base}/products/{product}", timeout=15)
            except httpx.HTTPError as error:
                slow["error"] = repr(error)

        worker = threading.Thread(target=fetch)
        worker.start()
        # The request is in flight once the simulator is answering it.
        deadline = time.monotonic() + 5
        while (
            httpx.get(f"{slow_upstreams}/_sim/stats", timeout=5).json()["peak_in_flight_total"] == 0
        ):
            assert time.monotonic() < deadline, "the slow request never reached the upstreams"
            time.sleep(0.02)

        server.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        statuses: list[int] = []
        late: httpx.Response | None = None
        while server.poll() is None and time.monotonic() - signalled < 10:
            try:
                statuses.append(httpx.get(f"{base}/readyz", timeout=1).status_code)
                if late is None and statuses[-1] == 503:
                    # Not ready is a signal to the balancer, not a refusal: a request that
                    # still arrives during the delay is served.
                    late = httpx.post(
                        f"{base}/products",
                        json={
                            "sku": "DRAIN-2",
                            "name": "Late",
                            "price": {"amount_minor": 100, "currency": "EUR"},
                        },
                        timeout=5,
                    )
            except httpx.HTTPError:
                break  # the listener closed: the drain delay is over
            time.sleep(0.05)

        worker.join(timeout=15)
        assert "error" not in slow, f"the in-flight request was dropped: {slow.get('error')}"
        response = slow["response"]
        assert isinstance(response, httpx.Response)
        assert response.status_code == 200, response.text
        assert statuses, "no /readyz answer after SIGTERM: the listener closed at once"
        assert set(statuses) == {503}, f"/readyz after SIGTERM answered {statuses}"
        assert late is not None, "no request could be sent during the drain delay"
        assert late.status_code == 201, f"a request during the drain delay got {late.status_code}"
        assert server.wait(timeout=15) == 0
        assert server.stderr is not None
        assert "Traceback" not in server.stderr.read()
    finally:
        _stop(server)
