"""Request bodies read as strict JSON, the same rules as the Go twin's (``ports/jsonbytes.go``).

FastAPI hands a JSON body to ``json.loads``, which accepts what the contract refuses and fails in
ways its handlers do not map: a UTF-8 byte order mark is skipped (Go refuses it), invalid UTF-8,
10,000 nested ``[`` (``RecursionError``) and a 5,000-digit number (``ValueError``: Python's
int-string limit) became a 400 ``bad_request`` the contract does not have, and ``NaN`` passed.
Here each is a ``json.JSONDecodeError``, which FastAPI turns into the 422 ``validation_failed``
answer naming the field ``body``; a huge integer is kept as a number beyond int64, so the
answer names its field (``price.amount_minor``), as Go's does.

``StrictJsonRoute`` is the route class of every router that reads a body.
"""

import json
from collections.abc import Callable, Coroutine
from typing import Any, Final

from fastapi import Request, Response
from fastapi.routing import APIRoute

#: The deepest nesting of arrays and objects a body may have (a product body has 2): Go's
#: decoder stops at 10,000 and Python's at its recursion limit, so the twins share one bound.
MAX_JSON_DEPTH: Final = 32
#: Integers longer than this are read as "beyond int64" without converting all their digits.
_MAX_INT_DIGITS: Final = 40
_BEYOND_INT64: Final = 1 << 64
_BOM: Final = b"\xef\xbb\xbf"


def _bounded_int(text: str) -> int:
    if len(text) <= _MAX_INT_DIGITS:
        return int(text)
    return -_BEYOND_INT64 if text.startswith("-") else _BEYOND_INT64


def _no_constant(text: str) -> Any:
    raise ValueError(f"{text} is not JSON")


def too_deep(body: bytes) -> bool:
    """Whether arrays and objects nest deeper than ``MAX_JSON_DEPTH``, outside strings."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return False  # every real body: no scan
    depth, in_string, escaped = 0, False, False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


def loads_strict(body: bytes) -> Any:
    """``body`` parsed, or ``json.JSONDecodeError`` saying what is wrong with it."""
    if body.startswith(_BOM):
        raise json.JSONDecodeError("must not start with a byte order mark", "", 0)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise json.JSONDecodeError("must be UTF-8", "", error.start) from None
    if too_deep(body):
        raise json.JSONDecodeError(f"nested deeper than {MAX_JSON_DEPTH} levels", "", 0)
    try:
        return json.loads(text, parse_int=_bounded_int, parse_constant=_no_constant)
    except json.JSONDecodeError:
        raise
    except (ValueError, RecursionError) as error:
        raise json.JSONDecodeError(str(error), "", 0) from None


class StrictJsonRequest(Request):
    """A request whose ``json()`` is ``loads_strict`` of its body."""

    async def json(self) -> Any:
        if not hasattr(self, "_strict_json"):
            self._strict_json = loads_strict(await self.body())
        return self._strict_json


class StrictJsonRoute(APIRoute):
    """A route that reads its JSON body with ``StrictJsonRequest``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(StrictJsonRequest(request.scope, request.receive))

        return strict
