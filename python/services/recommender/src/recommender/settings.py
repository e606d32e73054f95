"""Configuration from ``RECOMMENDER_*`` environment variables, checked at start-up.

Dev defaults let ``python -m recommender`` run with no set-up; the JWT secret default is
public (it is in this file), so anything but a workshop laptop must set its own.
"""

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# The documented dev default (public: it is in this file).
DEV_JWT_SECRET = "language-tracks-dev-secret-not-for-production"  # nosec B105
DEV_JWT_ISSUER = "language-tracks-dev"
DEV_JWT_AUDIENCE = "recommender"
MIN_SECRET_BYTES = 32
MAX_PORT = 65535
#: ``RECOMMENDER_VERSION``: v1 serves the v1 contract only (no v1.1 fields), v2 the current one.
VERSIONS = ("v1", "v2")


class SettingsError(ValueError):
    """A bad ``RECOMMENDER_*`` variable; the message names it."""


@dataclass(frozen=True, slots=True)
class AuthSettings:
    secret: str = DEV_JWT_SECRET
    issuer: str = DEV_JWT_ISSUER
    audience: str = DEV_JWT_AUDIENCE
    #: The ONE algorithm accepted; a token saying anything else is refused.
    algorithm: str = "HS256"


@dataclass(frozen=True, slots=True)
class TlsSettings:
    cert: Path
    key: Path
    #: When set, clients must present a certificate signed by this CA (mTLS).
    client_ca: Path | None = None


@dataclass(frozen=True, slots=True)
class Settings:
    auth: AuthSettings = AuthSettings()
    tls: TlsSettings | None = None
    #: In-flight RPCs get this long to finish after SIGTERM.
    grace_s: float = 5.0
    #: NOT_SERVING is reported this long before new calls are refused (lets balancers notice).
    drain_delay_s: float = 0.0
    #: Simulated per-item feature lookup while scoring (the work deadlines are checked against).
    score_delay_s: float = 0.002
    #: Items the stream producer may run ahead of what was sent (backpressure bound).
    stream_buffer: int = 4
    #: The contract this build serves (``RECOMMENDER_VERSION``, one of ``VERSIONS``).
    version: str = "v2"
    #: Port of the HTTP ``/metrics`` server (on the gRPC host); None = no metrics server,
    #: 0 = a free port (the start-up line says which).
    metrics_port: int | None = None
    #: Injected into RecommendationService RPCs only (rollout drills): the share of calls that
    #: fail with INTERNAL, extra latency per call, and the seed of that randomness (None = random).
    fault_error_rate: float = 0.0
    fault_latency_s: float = 0.0
    fault_seed: int | None = None


def _number(env: Mapping[str, str], name: str, default: float, *, integer: bool = False) -> float:
    text = env.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text) if integer else float(text)
    except ValueError:
        raise SettingsError(f"{name}={text!r} is not a number") from None
    if not math.isfinite(value):
        raise SettingsError(f"{name}={text!r} is not a finite number")
    if value < 0:
        raise SettingsError(f"{name}={text!r} must not be negative")
    return value


def from_env(env: Mapping[str, str] | None = None) -> Settings:
    source = os.environ if env is None else env
    secret = source.get("RECOMMENDER_JWT_SECRET") or DEV_JWT_SECRET
    if len(secret.encode()) < MIN_SECRET_BYTES:
        raise SettingsError(f"RECOMMENDER_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes")
    auth = AuthSettings(
        secret=secret,
        issuer=source.get("RECOMMENDER_JWT_ISSUER") or DEV_JWT_ISSUER,
        audience=source.get("RECOMMENDER_JWT_AUDIENCE") or DEV_JWT_AUDIENCE,
    )
    cert, key = source.get("RECOMMENDER_TLS_CERT"), source.get("RECOMMENDER_TLS_KEY")
    client_ca = source.get("RECOMMENDER_TLS_CLIENT_CA")
    tls: TlsSettings | None = None
    if cert or key:
        if not (cert and key):
            raise SettingsError("set both RECOMMENDER_TLS_CERT and RECOMMENDER_TLS_KEY, or neither")
        paths = [cert, key] + ([client_ca] if client_ca else [])
        for path in paths:
            if not Path(path).is_file():
                raise SettingsError(f"TLS file {path!r} does not exist")
        tls = TlsSettings(Path(cert), Path(key), Path(client_ca) if client_ca else None)
    elif client_ca:
        raise SettingsError("RECOMMENDER_TLS_CLIENT_CA needs RECOMMENDER_TLS_CERT and _KEY")
    version = source.get("RECOMMENDER_VERSION") or "v2"
    if version not in VERSIONS:
        raise SettingsError(f"RECOMMENDER_VERSION={version!r} must be one of {', '.join(VERSIONS)}")
    metrics_port: int | None = None
    if source.get("RECOMMENDER_METRICS_PORT"):
        metrics_port = int(_number(source, "RECOMMENDER_METRICS_PORT", 0, integer=True))
        if metrics_port > MAX_PORT:
            raise SettingsError(f"RECOMMENDER_METRICS_PORT={metrics_port} must be 0-{MAX_PORT}")
    error_rate = _number(source, "RECOMMENDER_FAULT_ERROR_RATE", 0)
    if error_rate > 1:
        raise SettingsError(f"RECOMMENDER_FAULT_ERROR_RATE={error_rate} must be between 0 and 1")
    seed_text = source.get("RECOMMENDER_FAULT_SEED")
    try:
        seed = int(seed_text) if seed_text else None
    except ValueError:
        raise SettingsError(f"RECOMMENDER_FAULT_SEED={seed_text!r} is not an integer") from None
    buffer = int(_number(source, "RECOMMENDER_STREAM_BUFFER", 4, integer=True))
    if buffer < 1:
        raise SettingsError("RECOMMENDER_STREAM_BUFFER must be at least 1")
    return Settings(
        auth=auth,
        tls=tls,
        grace_s=_number(source, "RECOMMENDER_GRACE_MS", 5000) / 1000,
        drain_delay_s=_number(source, "RECOMMENDER_DRAIN_DELAY_MS", 0) / 1000,
        score_delay_s=_number(source, "RECOMMENDER_SCORE_DELAY_MS", 2) / 1000,
        stream_buffer=buffer,
        version=version,
        metrics_port=metrics_port,
        fault_error_rate=error_rate,
        fault_latency_s=_number(source, "RECOMMENDER_FAULT_LATENCY_MS", 0) / 1000,
        fault_seed=seed,
    )
