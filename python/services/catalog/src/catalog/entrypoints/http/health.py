"""Liveness and readiness probes, with the same semantics in every service of the kit.

``/healthz``: the process is up and answering. ``/readyz``: it may receive traffic. They are
separate because lab 5 makes readiness go false while the service drains on shutdown.
"""

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter(tags=["health"])


class HealthStatus(BaseModel):
    status: Literal["ok"]


class ReadinessStatus(BaseModel):
    status: Literal["ready"]


@router.get("/healthz")
async def healthz() -> HealthStatus:
    return HealthStatus(status="ok")


@router.get("/readyz")
async def readyz() -> ReadinessStatus:
    return ReadinessStatus(status="ready")
