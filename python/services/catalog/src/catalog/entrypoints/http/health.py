"""Liveness and readiness probes, with the same semantics in every service of the kit.

``/healthz``: the process is up and answering (an orchestrator restarts it when this fails).
``/readyz``: it may receive traffic (a load balancer stops routing to it when this fails):
200 ``{"status": "ready"}``, or 503 ``{"status": "not_ready", "reason": ...}`` while the
database cannot answer or the service drains on shutdown (lab 5, ``catalog.entrypoints.drain``).
"""

from typing import Literal

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from catalog.entrypoints.drain import drain_state, readiness

router = APIRouter(tags=["health"])


class HealthStatus(BaseModel):
    status: Literal["ok"]


class ReadinessStatus(BaseModel):
    status: Literal["ready"]


class NotReadyStatus(BaseModel):
    status: Literal["not_ready"]
    reason: str


@router.get("/healthz")
async def healthz() -> HealthStatus:
    return HealthStatus(status="ok")


@router.get(
    "/readyz",
    response_model=ReadinessStatus,
    responses={status.HTTP_503_SERVICE_UNAVAILABLE: {"model": NotReadyStatus}},
)
async def readyz(request: Request) -> ReadinessStatus | JSONResponse:
    reason = await readiness(drain_state(request.app), request.app.state.uow_factory)
    if reason is not None:
        body = NotReadyStatus(status="not_ready", reason=reason)
        return JSONResponse(body.model_dump(), status_code=status.HTTP_503_SERVICE_UNAVAILABLE)
    return ReadinessStatus(status="ready")
