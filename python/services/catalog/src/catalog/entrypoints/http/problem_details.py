"""Errors become RFC 9457 problem+json responses here, and only here.

Every error response of the catalog has the same envelope, served as
``application/problem+json``::

    {"type": "https://language-tracks.example/problems/<slug>", "title": "...",
     "status": 404, "detail": "...", "code": "<snake_case>"}

plus ``"errors": [{"field": "price.amount_minor", "message": "..."}]`` for a 422. Clients
branch on ``code`` (stable, snake_case); ``title`` and ``detail`` are for humans.

Three kinds of failure arrive:
1. Domain errors (``CatalogError``): looked up in the ``DOMAIN_PROBLEMS`` table.
2. Requests the framework rejects: an invalid body, an unknown route, a wrong method.
3. Anything else is a bug: 500 ``internal`` with a fixed detail. Exception text can hold
   secrets, SQL or file paths, so it goes to the server log, never to the client.
"""

import logging
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Final, TypedDict

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from catalog.domain.errors import (
    CatalogError,
    IdempotencyKeyReusedError,
    ProductNotFoundError,
    SkuAlreadyExistsError,
)

logger = logging.getLogger(__name__)

PROBLEM_TYPE_BASE: Final = "https://language-tracks.example/problems/"
PROBLEM_JSON: Final = "application/problem+json"


@dataclass(frozen=True, slots=True)
class ProblemType:
    """One kind of problem: its HTTP status, its ``code`` and its human title."""

    status: int
    code: str
    title: str

    @property
    def type_uri(self) -> str:
        # The slug is the code in kebab-case: one name, two spellings, never out of sync.
        return PROBLEM_TYPE_BASE + self.code.replace("_", "-")


class FieldError(TypedDict):
    """One entry of a 422's ``errors``: which field (dotted path) and what is wrong."""

    field: str
    message: str


VALIDATION_FAILED: Final = ProblemType(422, "validation_failed", "Validation failed")
NOT_FOUND: Final = ProblemType(404, "not_found", "Not found")
METHOD_NOT_ALLOWED: Final = ProblemType(405, "method_not_allowed", "Method not allowed")
INTERNAL: Final = ProblemType(500, "internal", "Internal server error")

# The mapping table: domain error class -> problem. A subclass inherits its parent's entry;
# a CatalogError that no entry covers is treated as a bug (500).
DOMAIN_PROBLEMS: Final[Mapping[type[CatalogError], ProblemType]] = {
    ProductNotFoundError: ProblemType(404, "product_not_found", "Product not found"),
    SkuAlreadyExistsError: ProblemType(409, "sku_already_exists", "SKU already exists"),
    # Given by the kit (issue 14), not part of lab 1: a key sent again with another request.
    IdempotencyKeyReusedError: ProblemType(409, "idempotency_conflict", "Idempotency key reused"),
}


def problem_for(error: CatalogError) -> ProblemType | None:
    """The entry for the most specific class of ``error`` that the table lists, if any."""
    for cls in type(error).__mro__:
        if issubclass(cls, CatalogError) and cls in DOMAIN_PROBLEMS:
            return DOMAIN_PROBLEMS[cls]
    return None


def problem_response(
    problem: ProblemType,
    detail: str,
    *,
    errors: Sequence[FieldError] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The problem+json response for ``problem``."""
    body: dict[str, object] = {
        "type": problem.type_uri,
        "title": problem.title,
        "status": problem.status,
        "detail": detail,
        "code": problem.code,
    }
    if errors is not None:
        body["errors"] = list(errors)
    return JSONResponse(body, status_code=problem.status, media_type=PROBLEM_JSON, headers=headers)


def internal_error_response() -> JSONResponse:
    return problem_response(INTERNAL, "An unexpected error occurred. It has been logged.")


async def handle_catalog_error(request: Request, exc: CatalogError) -> Response:
    problem = problem_for(exc)
    if problem is None:
        # Raised on purpose but never mapped: a bug at the edge. Nothing re-raises it, so
        # log the traceback here.
        logger.error(
            "unmapped %s on %s %s",
            type(exc).__name__,
            request.method,
            request.url.path,
            exc_info=exc,
        )
        return internal_error_response()
    # Domain messages are written for clients (see CatalogError), so they may be shown.
    return problem_response(problem, str(exc))


def field_errors(exc: RequestValidationError) -> list[FieldError]:
    """Pydantic's errors as ``{"field", "message"}`` pairs with dotted field paths."""
    result: list[FieldError] = []
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ())]
        if error.get("type") == "json_invalid":
            # The location holds a character offset, not a field: the body as a whole is bad.
            ctx = error.get("ctx") or {}
            message = f"Invalid JSON: {ctx.get('error', 'cannot be parsed')}"
            result.append(FieldError(field="body", message=message))
            continue
        # Drop the leading "body" (or "path", "query"): clients name fields, not locations.
        field = ".".join(location[1:]) or (location[0] if location else "body")
        result.append(FieldError(field=field, message=str(error.get("msg", "Invalid value"))))
    return result


async def handle_request_validation_error(
    request: Request, exc: RequestValidationError
) -> Response:
    detail = "The request is not valid; see 'errors' for each field."
    return problem_response(VALIDATION_FAILED, detail, errors=field_errors(exc))


async def handle_http_exception(request: Request, exc: StarletteHTTPException) -> Response:
    """Errors raised by routing itself: an unknown path (404) or a wrong method (405)."""
    if exc.status_code == HTTPStatus.NOT_FOUND:
        problem, detail = NOT_FOUND, f"No route matches {request.url.path}."
    elif exc.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
        problem, detail = METHOD_NOT_ALLOWED, f"{request.method} is not allowed on this path."
        headers = {**(exc.headers or {}), "Allow": allowed_methods(request)}
        return problem_response(problem, detail, headers=headers)
    else:
        try:
            title = HTTPStatus(exc.status_code).phrase
        except ValueError:
            title = "HTTP error"
        code = title.lower().replace(" ", "_").replace("-", "_")
        problem, detail = ProblemType(exc.status_code, code, title), str(exc.detail)
    # Keep the exception's headers: a 405 must say which methods are allowed (``Allow``).
    return problem_response(problem, detail, headers=exc.headers)


def allowed_methods(request: Request) -> str:
    """Every method the API offers for this path, e.g. ``GET, POST`` for ``/products``.

    Starlette's own ``Allow`` names only the first route whose path matched, but a 405 must
    list them all (RFC 9110), so ask the app's OpenAPI description, which FastAPI caches.
    """
    methods: set[str] = set()
    for template, operations in request.app.openapi()["paths"].items():
        path_regex, _, _ = compile_path(template)
        if path_regex.match(request.url.path):
            methods.update(method.upper() for method in operations)
    return ", ".join(sorted(methods))


async def handle_unexpected_error(request: Request, exc: Exception) -> Response:
    # Starlette re-raises the exception after sending this response, so the server logs
    # the traceback; the client only learns that something went wrong.
    return internal_error_response()


ExceptionHandler = Callable[[Request, Any], Coroutine[Any, Any, Response]]


def problem_exception_handlers() -> dict[int | type[Exception], ExceptionHandler]:
    """The handlers ``create_app`` installs: one per kind of failure, nothing elsewhere."""
    return {
        CatalogError: handle_catalog_error,
        RequestValidationError: handle_request_validation_error,
        StarletteHTTPException: handle_http_exception,
        Exception: handle_unexpected_error,
    }
