"""Bearer-token check (PyJWT): ``authorization: Bearer <jwt>`` on every call but health and
reflection.

The accepted algorithm list is fixed by configuration (HS256), never read from the token: a
token saying ``alg: none``, RS256 or anything else is refused before its signature is looked
at, so a public key can never be used as an HMAC secret (key confusion). ``exp``, ``iss``,
``aud`` and ``sub`` are required; issuer and audience must match the configured ones.

A valid token is not a licence to act as anyone (OWASP API #1, broken object-level
authorization): ``authorize`` binds the token's subject to the ``user_id`` a request names.
Only a token carrying the scope ``recommendations:any`` (a back-office caller) may name another
user.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import jwt

from recommender.errors import (
    PermissionDeniedError,
    TokenExpiredError,
    TokenInvalidError,
    TokenMissingError,
)
from recommender.settings import AuthSettings

AUTHORIZATION = "authorization"
BEARER = "bearer "
#: The scope that lets a token act for any user (space-separated ``scope`` claim, RFC 8693).
ACT_FOR_ANY_USER = "recommendations:any"


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    scopes: frozenset[str] = frozenset()


def bearer_token(metadata: Iterable[tuple[str, str | bytes]] | None) -> str:
    for key, value in metadata or ():
        if key.lower() == AUTHORIZATION and isinstance(value, str):
            if value[: len(BEARER)].lower() == BEARER and value[len(BEARER) :].strip():
                return value[len(BEARER) :].strip()
            raise TokenInvalidError("authorization is not 'Bearer <token>'", cause="scheme")
    raise TokenMissingError("missing bearer token in 'authorization' metadata")


def verify(token: str, settings: AuthSettings) -> Principal:
    """The token's subject, or an UNAUTHENTICATED error saying why not (``cause``)."""
    try:
        # lab-region:jwt-verify begin
        claims = jwt.decode(
            token,
            key=settings.secret,
            algorithms=[settings.algorithm],
            audience=settings.audience,
            issuer=settings.issuer,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
        # lab-region:jwt-verify end
    except jwt.ExpiredSignatureError:
        raise TokenExpiredError("token expired") from None
    except jwt.InvalidAlgorithmError:
        raise TokenInvalidError("token algorithm not allowed", cause="algorithm") from None
    except jwt.InvalidSignatureError:
        raise TokenInvalidError("token signature does not verify", cause="signature") from None
    except jwt.InvalidAudienceError:
        raise TokenInvalidError("token audience not accepted", cause="audience") from None
    except jwt.InvalidIssuerError:
        raise TokenInvalidError("token issuer not accepted", cause="issuer") from None
    except jwt.MissingRequiredClaimError as error:
        raise TokenInvalidError(f"token lacks the {error.claim!r} claim", cause="claims") from None
    except jwt.InvalidTokenError:
        raise TokenInvalidError("token is malformed", cause="malformed") from None
    scope = claims.get("scope", "")
    if not isinstance(scope, str):
        raise TokenInvalidError("token scope is not a space-separated string", cause="claims")
    return Principal(subject=str(claims["sub"]), scopes=frozenset(scope.split()))


def authorize(principal: Principal, user_id: str) -> None:
    """PERMISSION_DENIED unless the token may act for ``user_id``: its own subject, or any user
    with the ``recommendations:any`` scope. An empty ``user_id`` is left to the request's own
    validation (INVALID_ARGUMENT), which names the field."""
    if not user_id:
        return
    # lab-region:user-binding begin
    if user_id != principal.subject and ACT_FOR_ANY_USER not in principal.scopes:
        raise not_yours(principal)
    # lab-region:user-binding end


def not_yours(principal: Principal) -> PermissionDeniedError:
    """The PERMISSION_DENIED answer (reason ``USER_MISMATCH``), naming the token's subject."""
    return PermissionDeniedError(
        "the token may act only for its own subject", subject=principal.subject
    )
