"""Bearer-token check (PyJWT): ``authorization: Bearer <jwt>`` on every call but health and
reflection.

The accepted algorithm list is fixed by configuration (HS256), never read from the token: a
token saying ``alg: none``, RS256 or anything else is refused before its signature is looked
at, so a public key can never be used as an HMAC secret (key confusion). ``exp``, ``iss``,
``aud`` and ``sub`` are required; issuer and audience must match the configured ones.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import jwt

from recommender.errors import TokenExpiredError, TokenInvalidError, TokenMissingError
from recommender.settings import AuthSettings

AUTHORIZATION = "authorization"
BEARER = "bearer "


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str


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
    return Principal(subject=str(claims["sub"]))
