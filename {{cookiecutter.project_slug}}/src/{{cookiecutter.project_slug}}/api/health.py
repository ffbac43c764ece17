"""Liveness and readiness probes for orchestrators and load balancers."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from ..problems import PROBLEM_RESPONSE, ProblemResponse, problem
from ..readiness import Readiness

router = APIRouter(prefix="/health", tags=["health"])


class Health(BaseModel):
    status: Literal["ok"] = "ok"


async def get_readiness(request: Request) -> Readiness:
    readiness: Readiness = request.state.readiness
    return readiness


@router.get("/live", summary="The process is up")
async def live() -> Health:
    """Always 200 while the event loop answers; restart the process when this fails."""
    return Health()


@router.get(
    "/ready",
    summary="The service can handle traffic",
    response_model=Health,
    responses={503: PROBLEM_RESPONSE | {"description": "A readiness check failed."}},
)
async def ready(
    readiness: Annotated[Readiness, Depends(get_readiness)],
) -> Health | ProblemResponse:
    """200 when every registered check passes; 503 naming each failing check otherwise."""
    failures = await readiness.failures()
    if failures:
        return problem(503, "Not ready: " + ", ".join(sorted(failures)), checks=failures)
    return Health()
