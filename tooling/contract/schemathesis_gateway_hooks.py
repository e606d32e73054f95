"""schemathesis hooks for the gateway's run of the gate (tooling/contract/schemathesis.ts).

Two checks. First, a 504 the client asked for: the gateway answers 504 when the budget the
client asked for (``X-Request-Timeout-Ms``) cannot cover the work: spent before the call, shed
by the recommender (``deadline_too_short``), or run out while it worked. That is the contract
(lab 12), not a server error, but schemathesis cannot tell it from a timeout the server caused.
schemathesis.gateway.toml lets the built-in ``not_a_server_error`` accept 504, and this check
takes the exemption back for every request that did not ask for a small budget: a 504 is a
failure unless the request carried ``X-Request-Timeout-Ms`` below ``ASKED_BUDGET_MS`` (100 items
at the recommender's 2 ms each plus the gateway's 50 ms margin is 250 ms; twice that for a
loaded machine). Second, the NDJSON stream's lines, which schemathesis does not read (below).
"""

import json
from typing import Any

import schemathesis

ASKED_BUDGET_MS = 500


def _asked_budget_ms(headers: Any) -> int | None:
    for name, value in (headers or {}).items():
        if name.lower() == "x-request-timeout-ms":
            try:
                return int(str(value))
            except ValueError:
                return None
    return None


@schemathesis.check
def gateway_timeout_only_when_asked(ctx: Any, response: Any, case: Any) -> bool | None:
    if response.status_code != 504:
        return None
    asked = _asked_budget_ms(response.request.headers)
    if asked is None or asked >= ASKED_BUDGET_MS:
        said = "no budget" if asked is None else f"{asked} ms"
        raise AssertionError(
            f"504 for a request that asked for {said}: the gateway may time out only a request"
            f" whose X-Request-Timeout-Ms is below {ASKED_BUDGET_MS}"
        )
    return None


# The stream's 200 is application/x-ndjson, which schemathesis cannot deserialize, so its
# response_schema_conformance skips it. This check reads every line and validates each against
# the document's StreamLine (an item, or the final error line).
_STREAM_LINE_REF = "#/components/schemas/StreamLine"


def _stream_line_validator(raw_schema: dict[str, Any]) -> Any:
    import jsonschema  # type: ignore[import-untyped]

    return jsonschema.Draft202012Validator({**raw_schema, "$ref": _STREAM_LINE_REF})


@schemathesis.check
def ndjson_lines_conform(ctx: Any, response: Any, case: Any) -> bool | None:
    content_type = (response.headers.get("content-type") or [""])[0]
    if response.status_code != 200 or not content_type.startswith("application/x-ndjson"):
        return None
    validator = _stream_line_validator(case.operation.schema.raw_schema)
    lines = response.content.decode("utf-8").split("\n")
    if lines[-1] != "":
        raise AssertionError("the NDJSON stream does not end with a newline")
    for number, line in enumerate(lines[:-1], start=1):
        try:
            value = json.loads(line)
        except ValueError as error:
            raise AssertionError(f"NDJSON line {number} is not JSON: {error}") from None
        errors = sorted(validator.iter_errors(value), key=str)
        if errors:
            raise AssertionError(f"NDJSON line {number} is not a StreamLine: {errors[0].message}")
    return None
