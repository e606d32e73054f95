"""A path with an invalid percent-escape (``/products/%zz``) is a 400 ``bad_request`` problem.

uvicorn passes such a path on undecoded (it would be routed, ``%zz`` read as an id); Go's
net/http refuses it before routing. The twins agree on the refusal: the request target is not
a valid URI (RFC 3986 §2.1).
"""

import re
from typing import Final

from starlette.types import ASGIApp, Receive, Scope, Send

from catalog.entrypoints.http.problem_details import ProblemType, problem_response

BAD_REQUEST: Final = ProblemType(400, "bad_request", "Bad request")
_INVALID_ESCAPE: Final = re.compile(rb"%(?![0-9A-Fa-f]{2})")


class PercentEscapes:
    """Refuses a request whose raw path holds a ``%`` not followed by two hex digits."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw = scope.get("raw_path") or scope["path"].encode()
            if _INVALID_ESCAPE.search(raw.split(b"?", 1)[0]):
                detail = "The path holds an invalid percent-escape."
                response = problem_response(BAD_REQUEST, detail, headers={"Connection": "close"})
                await response(scope, receive, send)
                return
        await self._app(scope, receive, send)
