"""Lab 5, steps 1-2: the Dockerfile. No Docker engine in the room, so the image is checked
statically by the kit's linter (scripts/dockerfile-lint.ts, the same rules CI's gate runs) and
its ENTRYPOINT is run here as a plain process: it must start the catalog and stop with exit 0
on SIGTERM — which only works when the command is in exec form (python is PID 1)."""

import json
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import httpx
import pytest

Started = tuple[subprocess.Popen[str], str]

ROOT = Path(__file__).resolve().parents[3]
DOCKERFILE = ROOT / "python/services/catalog/Dockerfile"
TODO = "python/services/catalog/Dockerfile, TODO(lab 5)"
STEP = {
    "DL3006": 1,
    "DL3007": 1,
    "kit-digest-pin": 1,
    "kit-multi-stage": 1,
    "DL3002": 2,
    "kit-nonroot-user": 2,
    "kit-healthcheck": 2,
    "DL3025": 2,
}


def _node() -> str:
    local = ROOT / "node_modules/.bin/node"
    found = str(local) if local.exists() else shutil.which("node")
    if found is None:
        pytest.fail("node not found: run `pnpm install` (the linter is TypeScript)")
    return found


def _instructions() -> list[tuple[str, str]]:
    """(KEYWORD, arguments) per instruction, continuation lines joined, comments dropped."""
    joined: list[str] = []
    current = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        current = f"{current} {line[:-1].strip()}" if line.endswith("\\") else f"{current} {line}"
        if not line.endswith("\\"):
            joined.append(current.strip())
            current = ""
    pairs = [(*part.split(None, 1), "") for part in joined]
    return [(pair[0].upper(), pair[1]) for pair in pairs]


def test_the_dockerfile_passes_the_kit_linter() -> None:
    ran = subprocess.run(
        [_node(), str(ROOT / "scripts/dockerfile-lint.ts"), str(DOCKERFILE)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert ran.returncode != 2, f"the linter could not run: {ran.stdout}{ran.stderr}"
    findings = ran.stdout.strip().splitlines()
    lines = []
    for finding in findings:
        rule = finding.split(" ", 2)[1] if " " in finding else "?"
        where = f"step {STEP[rule]}" if rule in STEP else "README"
        lines.append(f"  {finding.removeprefix(str(ROOT) + '/')}  [{where}]")
    assert ran.returncode == 0, f"{TODO}: the linter found\n" + "\n".join(lines)


def _entrypoint() -> list[str]:
    last: dict[str, str] = {}
    for keyword, args in _instructions():
        if keyword in {"ENTRYPOINT", "CMD"}:
            last[keyword] = args
    argv: list[str] = []
    for keyword in ("ENTRYPOINT", "CMD"):
        if keyword not in last:
            continue
        try:
            parsed = json.loads(last[keyword])
        except json.JSONDecodeError:
            parsed = None
        if not (isinstance(parsed, list) and all(isinstance(p, str) for p in parsed)):
            pytest.fail(
                f"{keyword} {last[keyword]} is in shell form: /bin/sh becomes PID 1 and does not "
                f"pass SIGTERM on, so the catalog never drains ({TODO} step 2)"
            )
        argv += parsed
    assert argv, f"no ENTRYPOINT or CMD ({TODO} step 2)"
    return argv


def _option(argv: Sequence[str], name: str) -> str:
    assert name in argv[:-1], f"the command {argv} has no {name} ({TODO} step 2)"
    return argv[argv.index(name) + 1]


def test_the_image_command_starts_the_catalog_and_drains_on_sigterm(
    start_process: Callable[[Sequence[str], Path, dict[str, str]], Started],
) -> None:
    argv = _entrypoint()
    assert argv[:3] == ["python", "-m", "catalog"], (
        f"the image must run `python -m catalog`: {argv}"
    )
    assert _option(argv, "--host") == "0.0.0.0", "inside a container, listen on 0.0.0.0"
    port = _option(argv, "--port")
    exposed = [args.split() for keyword, args in _instructions() if keyword == "EXPOSE"]
    assert any(port in ports or f"{port}/tcp" in ports for ports in exposed), (
        f"EXPOSE the port the command listens on ({port}); found {exposed}"
    )
    health = " ".join(args for keyword, args in _instructions() if keyword == "HEALTHCHECK")
    assert re.search(rf"127\.0\.0\.1:{port}/healthz|localhost:{port}/healthz", health), (
        f"the HEALTHCHECK must ask /healthz on port {port} ({TODO} step 2): {health!r}"
    )
    # The same command, here: this interpreter, loopback and a free port.
    local = [sys.executable, *argv[1:]]
    local[local.index("--host") + 1] = "127.0.0.1"
    local[local.index("--port") + 1] = "0"
    src = ROOT / "python/services/catalog/src"
    server, base = start_process(local, src, {"CATALOG_DRAIN_DELAY_MS": "0"})
    assert httpx.get(f"{base}/healthz", timeout=5).status_code == 200
    server.send_signal(signal.SIGTERM)
    code = server.wait(timeout=10)
    assert code == 0, (
        f"the image's command exited {code} on SIGTERM (docker stop): expected a drained exit 0 "
        "(catalog/entrypoints/drain.py, TODO(lab 5) step 4)"
    )
