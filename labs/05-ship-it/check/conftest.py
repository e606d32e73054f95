"""Lab 5's checks start real processes: the catalog (``python -m catalog``, as the image's
ENTRYPOINT does) and the upstream simulator, each on a free port, killed after the test if
still running. Fixtures only (test modules cannot import this file under importlib mode)."""

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

import catalog
import upstream_sim

CATALOG_SRC = Path(catalog.__file__).resolve().parents[1]
SIM_SRC = Path(upstream_sim.__file__).resolve().parents[1]
LISTENING = re.compile(r"listening on (http://\S+)$")

Started = tuple[subprocess.Popen[str], str]
"""The process and the base URL it announced."""


@pytest.fixture
def start_process() -> Iterator[Callable[[Sequence[str], Path, dict[str, str]], Started]]:
    started: list[subprocess.Popen[str]] = []

    def start(argv: Sequence[str], src: Path, env: dict[str, str]) -> Started:
        process = subprocess.Popen(
            list(argv),
            env={**os.environ, "PYTHONPATH": str(src), **env},
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        assert process.stderr is not None
        line = process.stderr.readline().rstrip("\n")
        match = LISTENING.search(line)
        if match is None:
            pytest.fail(f"{' '.join(argv)} did not start; it printed {line!r}")
        return process, match.group(1)

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()


@pytest.fixture
def start_catalog(
    start_process: Callable[[Sequence[str], Path, dict[str, str]], Started],
) -> Callable[[dict[str, str]], Started]:
    """``python -m catalog --host 127.0.0.1 --port 0`` with extra environment."""

    def start(env: dict[str, str]) -> Started:
        argv = [sys.executable, "-m", "catalog", "--host", "127.0.0.1", "--port", "0"]
        return start_process(argv, CATALOG_SRC, env)

    return start


@pytest.fixture
def start_simulator(
    start_process: Callable[[Sequence[str], Path, dict[str, str]], Started],
) -> Callable[[int], Started]:
    """The upstream simulator, every upstream answering after ``latency_ms``."""

    def start(latency_ms: int) -> Started:
        argv = [sys.executable, "-m", "upstream_sim", "--host", "127.0.0.1", "--port", "0"]
        return start_process([*argv, "--latency-ms", str(latency_ms)], SIM_SRC, {})

    return start
