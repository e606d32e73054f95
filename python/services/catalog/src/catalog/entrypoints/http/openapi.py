"""The catalogs' one OpenAPI document, served byte for byte at ``GET /openapi.json``.

Its source is ``tooling/contract/catalog.openapi.json``; this package holds a copy (the
service ships without the rest of the repository), kept byte-equal by a test
(``tooling/contract/openapi.test.ts``). The Go twin embeds its own copy of the same bytes.
FastAPI's generated schema is switched off (``create_app``): it could not say what the contract
says (problem+json errors, exact int64 bounds, the 404/405/409/413 answers).
"""

import json
from functools import cache
from importlib.resources import files
from typing import Any

from fastapi import APIRouter, Response

router = APIRouter(tags=["contract"])


@cache
def document_bytes() -> bytes:
    return files(__package__).joinpath("catalog.openapi.json").read_bytes()


@cache
def document() -> dict[str, Any]:
    """The document parsed (``problem_details.allowed_methods`` reads its paths)."""
    parsed: dict[str, Any] = json.loads(document_bytes())
    return parsed


@router.get("/openapi.json")
async def openapi() -> Response:
    return Response(document_bytes(), media_type="application/json")
