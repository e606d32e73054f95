"""One error taxonomy for the service, mapped to a gRPC status in one place (``to_status``).

Use cases raise a ``RecommenderError`` subclass; the edge interceptor
(``recommender.interceptors``) turns it into a status WITH details: a ``google.rpc.Status``
in the ``grpc-status-details-bin`` trailer carrying an ``ErrorInfo`` (reason, domain,
metadata), plus a ``BadRequest`` field violation for an invalid field, so the Go gateway
maps ``reason`` to its error envelope without parsing messages.
"""

from typing import ClassVar

import grpc
from google.protobuf import any_pb2

# googleapis-common-protos has .pyi files but no py.typed, and types-protobuf's google-stubs
# hides them from mypy: these two modules are untyped here (only this file builds them).
from google.rpc import error_details_pb2, status_pb2  # type: ignore[import-untyped]
from grpc_status import rpc_status

DOMAIN = "recommendations.languagetracks.example"


class RecommenderError(Exception):
    """A failure the caller can act on; ``reason`` is the stable, machine-readable part."""

    code: ClassVar[grpc.StatusCode] = grpc.StatusCode.INTERNAL
    reason: ClassVar[str] = "INTERNAL"

    def __init__(self, message: str, **metadata: str) -> None:
        super().__init__(message)
        self.message = message
        self.metadata = metadata


class InvalidArgumentError(RecommenderError):
    code = grpc.StatusCode.INVALID_ARGUMENT
    reason = "INVALID_ARGUMENT"


class UnsupportedLanguageError(RecommenderError):
    code = grpc.StatusCode.INVALID_ARGUMENT
    reason = "UNSUPPORTED_LANGUAGE"


class ItemNotFoundError(RecommenderError):
    code = grpc.StatusCode.NOT_FOUND
    reason = "ITEM_NOT_FOUND"


class IdempotencyKeyReusedError(RecommenderError):
    """The same idempotency key came back with a different payload."""

    code = grpc.StatusCode.ALREADY_EXISTS
    reason = "IDEMPOTENCY_KEY_REUSED"


class DeadlineTooShortError(RecommenderError):
    """The caller's remaining time cannot cover the work: shed it before starting."""

    code = grpc.StatusCode.DEADLINE_EXCEEDED
    reason = "DEADLINE_TOO_SHORT"


class TokenMissingError(RecommenderError):
    code = grpc.StatusCode.UNAUTHENTICATED
    reason = "TOKEN_MISSING"


class TokenExpiredError(RecommenderError):
    code = grpc.StatusCode.UNAUTHENTICATED
    reason = "TOKEN_EXPIRED"


class TokenInvalidError(RecommenderError):
    """Bad signature, disallowed algorithm, wrong audience or issuer; ``cause`` says which."""

    code = grpc.StatusCode.UNAUTHENTICATED
    reason = "TOKEN_INVALID"


class PermissionDeniedError(RecommenderError):
    """A valid token asking for another user's data without the scope to do so."""

    code = grpc.StatusCode.PERMISSION_DENIED
    reason = "USER_MISMATCH"


class InternalError(RecommenderError):
    """Anything unexpected: the message is generic, the details stay in the server log."""


class InjectedFaultError(RecommenderError):
    """A failure injected on purpose (``RECOMMENDER_FAULT_ERROR_RATE``: rollout drills)."""

    code = grpc.StatusCode.INTERNAL
    reason = "INJECTED_FAULT"


def to_status(error: RecommenderError) -> grpc.Status:
    """The gRPC status (code, message, ``google.rpc.Status`` trailer) for ``error``."""
    messages = [
        error_details_pb2.ErrorInfo(reason=error.reason, domain=DOMAIN, metadata=error.metadata)
    ]
    if error.code == grpc.StatusCode.INVALID_ARGUMENT and "field" in error.metadata:
        # The standard shape for "which field": the gateway turns it into its `errors` list.
        violation = error_details_pb2.BadRequest.FieldViolation(
            field=error.metadata["field"], description=error.message
        )
        messages.append(error_details_pb2.BadRequest(field_violations=[violation]))
    details = []
    for message in messages:
        detail = any_pb2.Any()
        detail.Pack(message)
        details.append(detail)
    status = status_pb2.Status(code=error.code.value[0], message=error.message, details=details)
    return rpc_status.to_status(status)
