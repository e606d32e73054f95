"""Dev tokens for probes and labs: ``python -m recommender.token [--subject S] [--ttl SECONDS]
[--scope SCOPE]`` prints an HS256 JWT the server (with the same ``RECOMMENDER_JWT_*``
environment) accepts."""

import argparse
import sys
import time
from collections.abc import Sequence

import jwt

from recommender.settings import AuthSettings, SettingsError, from_env


def mint(
    settings: AuthSettings,
    subject: str = "dev-user",
    ttl_s: float = 3600,
    now: float | None = None,
    scopes: Sequence[str] = (),
) -> str:
    issued = time.time() if now is None else now
    claims: dict[str, object] = {
        "sub": subject,
        "iss": settings.issuer,
        "aud": settings.audience,
        "iat": int(issued),
        "exp": int(issued + ttl_s),
    }
    if scopes:
        claims["scope"] = " ".join(scopes)
    return jwt.encode(claims, settings.secret, algorithm=settings.algorithm)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m recommender.token", description=__doc__)
    parser.add_argument("--subject", default="dev-user", help="the sub claim (default: dev-user)")
    parser.add_argument("--ttl", type=float, default=3600, help="seconds of validity (3600)")
    parser.add_argument(
        "--scope",
        action="append",
        default=[],
        help="a scope to grant, e.g. recommendations:any (acts for any user); repeatable",
    )
    args = parser.parse_args(argv)
    try:
        settings = from_env()
    except SettingsError as error:
        print(f"python -m recommender.token: error: {error}", file=sys.stderr)
        return 2
    print(mint(settings.auth, args.subject, args.ttl, scopes=args.scope))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
