"""``python -m recommender``: one-line errors with exit 2 (bad flags or variables) and 3 (a
port that cannot be bound), and the real process: listening line, health, SIGTERM, exit 0."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2

from recommender.cli import main
from recommender.settings import SettingsError, from_env

SERVICE = Path(__file__).resolve().parents[1]
PYTHONPATH = os.pathsep.join([str(SERVICE / "src"), str(SERVICE.parents[1] / "gen")])


def _spawn(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "recommender", "--host", "127.0.0.1", *args],
        env={**os.environ, "PYTHONPATH": PYTHONPATH, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        yield held.getsockname()[1]


@pytest.mark.parametrize("args", [["--port", "http"], ["--port", "70000"], ["--colour"]])
def test_a_bad_flag_is_one_line_and_exit_2(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_a_bad_variable_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RECOMMENDER_JWT_SECRET", "too-short")
    assert main(["--port", "0"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "RECOMMENDER_JWT_SECRET" in line


@pytest.mark.parametrize(
    "env",
    [
        {"RECOMMENDER_GRACE_MS": "soon"},
        {"RECOMMENDER_STREAM_BUFFER": "0"},
        {"RECOMMENDER_TLS_CERT": "/nope/cert.pem"},
        {"RECOMMENDER_TLS_CLIENT_CA": "/nope/ca.pem"},
    ],
)
def test_bad_settings_are_refused(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError):
        from_env(env)


def test_a_busy_port_is_one_line_and_exit_3(busy_port: int) -> None:
    process = _spawn("--port", str(busy_port))
    _, err = process.communicate(timeout=20)
    assert process.returncode == 3
    assert len(err.strip().splitlines()) == 1
    assert str(busy_port) in err


def test_the_process_serves_health_and_stops_cleanly_on_sigterm() -> None:
    process = _spawn("--port", "0")
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        assert line.startswith("recommender listening on grpc://127.0.0.1:"), line
        port = int(line.rsplit(":", 1)[1])
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            check = channel.unary_unary(
                "/grpc.health.v1.Health/Check",
                request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
                response_deserializer=health_pb2.HealthCheckResponse.FromString,
            )
            answer: health_pb2.HealthCheckResponse = check(
                health_pb2.HealthCheckRequest(), timeout=5
            )
        assert answer.status == health_pb2.HealthCheckResponse.SERVING
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()


@pytest.mark.parametrize(
    "env",
    [
        {"RECOMMENDER_METRICS_PORT": "http"},
        {"RECOMMENDER_METRICS_PORT": "70000"},
        {"RECOMMENDER_VERSION": "v3"},
        {"RECOMMENDER_FAULT_ERROR_RATE": "2"},
        {"RECOMMENDER_FAULT_LATENCY_MS": "-1"},
        {"RECOMMENDER_FAULT_SEED": "x"},
    ],
)
def test_a_bad_rollout_variable_is_one_line_and_exit_2(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["--port", "0"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert next(iter(env)) in line


def test_a_busy_metrics_port_is_one_line_and_exit_3(busy_port: int) -> None:
    process = _spawn("--port", "0", env={"RECOMMENDER_METRICS_PORT": str(busy_port)})
    _, err = process.communicate(timeout=20)
    assert process.returncode == 3
    [line] = err.strip().splitlines()
    assert str(busy_port) in line
    assert "RECOMMENDER_METRICS_PORT" in line


def _health(port: int) -> int:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        check = channel.unary_unary(
            "/grpc.health.v1.Health/Check",
            request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
            response_deserializer=health_pb2.HealthCheckResponse.FromString,
        )
        answer: health_pb2.HealthCheckResponse = check(health_pb2.HealthCheckRequest(), timeout=5)
        return answer.status


def test_sigterm_turns_health_not_serving_before_the_drain_and_stops_metrics() -> None:
    process = _spawn(
        "--port",
        "0",
        env={
            "RECOMMENDER_METRICS_PORT": "0",
            "RECOMMENDER_VERSION": "v1",
            "RECOMMENDER_DRAIN_DELAY_MS": "2500",
        },
    )
    try:
        assert process.stderr is not None
        assert process.stdout is not None
        line = process.stderr.readline()
        match = re.fullmatch(
            r"recommender listening on grpc://127\.0\.0\.1:(\d+), "
            r"metrics on (http://127\.0\.0\.1:(\d+)/metrics)\n",
            line,
        )
        assert match, line
        port, url = int(match[1]), match[2]
        started = json.loads(process.stdout.readline())
        assert (started["event"], started["version"]) == ("started", "v1")
        assert started["metrics_port"] == int(match[3])
        with urllib.request.urlopen(url, timeout=5) as answer:  # nosec B310
            assert 'recommender_build_info{version="v1"} 1.0' in answer.read().decode()
        assert _health(port) == health_pb2.HealthCheckResponse.SERVING
        process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 1.5
        while _health(port) != health_pb2.HealthCheckResponse.NOT_SERVING:
            assert time.monotonic() < deadline, "health still SERVING after SIGTERM"
            time.sleep(0.02)
        assert process.poll() is None  # NOT_SERVING while the drain delay runs
        assert process.wait(timeout=10) == 0
        with pytest.raises(urllib.error.URLError, match="refused"):
            urllib.request.urlopen(url, timeout=2)  # nosec B310
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
