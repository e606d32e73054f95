"""``python -m catalog`` in a real process: the listening line, a real request, Ctrl-C."""

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx

import catalog

SRC = Path(catalog.__file__).resolve().parents[1]
LISTENING = re.compile(r"^catalog listening on (http://127\.0\.0\.1:(\d+))$")


def test_starts_on_a_free_port_answers_and_stops_on_sigint() -> None:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    command = [sys.executable, "-m", "catalog", "--host", "127.0.0.1", "--port", "0"]
    with subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True) as server:
        try:
            assert server.stderr is not None
            line = server.stderr.readline().rstrip("\n")
            match = LISTENING.match(line)
            assert match, f"unexpected first line: {line!r}"
            assert int(match.group(2)) > 0
            response = httpx.get(f"{match.group(1)}/healthz", timeout=5)
            assert response.json() == {"status": "ok"}
            server.send_signal(signal.SIGINT)
            assert server.wait(timeout=10) == 130
            assert server.stderr.read() == ""
        finally:
            if server.poll() is None:
                server.kill()
