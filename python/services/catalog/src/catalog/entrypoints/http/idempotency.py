"""The HTTP half of ``Idempotency-Key`` on ``POST /products`` (``catalog.idempotency`` holds
the use case): reading the header, the request's fingerprint, and the bytes of a 201.

A key breaks the rule the gateway already applies to its own Idempotency-Key — 8 to 128
characters from ``A-Z a-z 0-9 . _ ~ : -``, sent once — and both catalogs answer it the way
they answer a bad field: 422 ``validation_failed`` naming ``Idempotency-Key``.
"""

import hashlib
import json
import re
from typing import Final

from fastapi import Request, Response, status
from fastapi.exceptions import RequestValidationError

from catalog.domain.product import Product
from catalog.entrypoints.http.schemas import CreateProductRequest, ProductResponse
from catalog.idempotency import StoredAnswer

HEADER: Final = "Idempotency-Key"
_KEY: Final = re.compile(r"[A-Za-z0-9._~:-]{8,128}")
_RULE: Final = "must be one value of 8 to 128 characters from A-Z a-z 0-9 . _ ~ : -"


def idempotency_key(request: Request) -> str | None:
    """The request's key, None without one; a key breaking the rule is a 422."""
    values = request.headers.getlist(HEADER)
    if not values:
        return None
    if len(values) > 1 or _KEY.fullmatch(values[0]) is None:
        raise RequestValidationError(
            [{"loc": ("header", HEADER), "msg": _RULE, "type": "value_error"}]
        )
    return values[0]


def fingerprint(body: CreateProductRequest) -> str:
    """SHA-256 of the PARSED request in one canonical JSON form (sorted members, no spaces):
    a client that re-serializes the same request differently on a retry (member order,
    spacing, escapes) still sends the same request."""
    canonical = json.dumps(
        body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def render_created(product: Product) -> StoredAnswer:
    """The 201 of a create, as bytes: the first answer and every replay are the same bytes."""
    body = ProductResponse.from_domain(product).model_dump_json().encode()
    return StoredAnswer(
        status=status.HTTP_201_CREATED, location=f"/products/{product.id}", body=body
    )


def stored_response(answer: StoredAnswer) -> Response:
    headers = {"Location": answer.location} if answer.location else None
    return Response(
        answer.body, status_code=answer.status, media_type="application/json", headers=headers
    )
