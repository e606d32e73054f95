"""Lab 5, steps 4-6: SIGTERM drains. Readiness turns 503 first and stays 503 for the drain
delay, every request already in flight gets its 200, then the process exits 0.

The slow requests are real: the catalog's fan-out waits on the upstream simulator."""

import signal
import subprocess
import threading
import time
from collections.abc import Callable

import httpx

Started = tuple[subprocess.Popen[str], str]

TODO = "catalog/entrypoints/drain.py, TODO(lab 5)"
LATENCY_MS = 1500
DRAIN_DELAY_MS = 600
IN_FLIGHT = 4


def _create_product(base: str, sku: str) -> str:
    created = httpx.post(
        f"{base}/products",
        json={"sku": sku, "name": "Drain", "price": {"amount_minor": 100, "currency": "EUR"}},
        timeout=5,
    )
    assert created.status_code == 201, f"POST /products (labs 1-3): {created.text}"
    product_id = created.json()["id"]
    assert isinstance(product_id, str)
    return product_id


def test_sigterm_under_load_loses_no_request_and_readiness_goes_503(
    start_simulator: Callable[[int], Started], start_catalog: Callable[[dict[str, str]], Started]
) -> None:
    _, sim = start_simulator(LATENCY_MS)
    server, base = start_catalog(
        {
            "CATALOG_UPSTREAM_URL": sim,
            "CATALOG_CALL_TIMEOUT_MS": "6000",
            "CATALOG_DEADLINE_MS": "6000",
            "CATALOG_DRAIN_DELAY_MS": str(DRAIN_DELAY_MS),
            "CATALOG_GRACE_PERIOD_MS": "10000",
        }
    )
    product = _create_product(base, "LAB5-DRAIN")
    ready = httpx.get(f"{base}/readyz", timeout=5)
    assert ready.status_code == 200, f"/readyz before SIGTERM: {ready.text} ({TODO} step 3)"

    results: list[int | str] = []
    lock = threading.Lock()

    def fetch() -> None:
        try:
            outcome: int | str = httpx.get(f"{base}/products/{product}", timeout=20).status_code
        except httpx.HTTPError as error:
            outcome = f"{type(error).__name__}: {error}"
        with lock:
            results.append(outcome)

    workers = [threading.Thread(target=fetch) for _ in range(IN_FLIGHT)]
    for worker in workers:
        worker.start()
    # In flight for sure: the simulator is answering every one of them.
    deadline = time.monotonic() + 5
    while httpx.get(f"{sim}/_sim/stats", timeout=5).json()["peak_in_flight_total"] < IN_FLIGHT:
        assert time.monotonic() < deadline, "the slow requests never reached the upstreams"
        time.sleep(0.02)

    server.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    readiness: list[tuple[float, int]] = []
    while server.poll() is None and time.monotonic() - signalled < 10:
        try:
            status = httpx.get(f"{base}/readyz", timeout=1).status_code
        except httpx.HTTPError:
            break  # the listener closed: the drain delay is over
        readiness.append((time.monotonic() - signalled, status))
        time.sleep(0.05)

    for worker in workers:
        worker.join(timeout=20)
    statuses = [status for _, status in readiness]
    assert 200 not in statuses, (
        f"/readyz answered 200 after SIGTERM ({statuses}): readiness must turn 503 first "
        f"({TODO} steps 3-4)"
    )
    assert readiness, (
        "/readyz did not answer at all after SIGTERM: the server stopped at once instead of "
        f"beginning the drain ({TODO} step 4)"
    )
    last_answer = readiness[-1][0]
    assert last_answer >= DRAIN_DELAY_MS / 1000 / 2, (
        f"the listener closed {last_answer:.2f} s after SIGTERM: the pre-stop delay is "
        f"{DRAIN_DELAY_MS} ms (CATALOG_DRAIN_DELAY_MS, {TODO} step 5)"
    )
    assert results == [200] * IN_FLIGHT, (
        f"in-flight requests during the drain: {results}; every one must get its 200 "
        f"(the grace period, {TODO} step 6)"
    )
    code = server.wait(timeout=15)
    assert code == 0, (
        f"exit code {code} after SIGTERM: a drained stop is a clean exit 0 "
        f"(uvicorn re-raises a SIGTERM it handled itself: {TODO} step 4)"
    )


def test_sigterm_when_idle_exits_zero_promptly(
    start_catalog: Callable[[dict[str, str]], Started],
) -> None:
    server, base = start_catalog({"CATALOG_DRAIN_DELAY_MS": "0"})
    assert httpx.get(f"{base}/healthz", timeout=5).status_code == 200
    started = time.monotonic()
    server.send_signal(signal.SIGTERM)
    code = server.wait(timeout=10)
    assert code == 0, f"exit code {code} after SIGTERM with nothing in flight ({TODO} step 4)"
    assert time.monotonic() - started < 3, "an idle service must stop within a second or two"
