"""Operations: is the process up (``/healthz``), can it serve (``/readyz``), and its metrics
(``/metrics``, Prometheus text format; see ``api.metrics``). Public, with no personal data."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Response
from prometheus_client import generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError

from healthcode.api.auth import Public
from healthcode.api.deps import ContainerDep, MetricsDep
from healthcode.api.responses import NOT_READY
from healthcode.db.engine import ping
from healthcode.oversight.access import Action

router = APIRouter(tags=["operations"], dependencies=[Depends(Public(Action.READ_HEALTH))])


class Health(BaseModel):
    """The process answers (and, for readiness, the database too)."""

    status: Literal["ok"] = "ok"


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process is up and answering (nothing else is checked: a liveness probe)."""
    return Health()


@router.get("/readyz", response_model=Health, responses=NOT_READY)
def readyz(container: ContainerDep) -> Health:
    """The API can serve: its database answers (a readiness probe; 503 while it does not)."""
    try:
        ping(container.engine)
    except SQLAlchemyError:
        raise HTTPException(503, "the database cannot be reached") from None
    return Health()


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {
            "description": "Metrics in the Prometheus text exposition format",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        }
    },
)
def metrics(observed: MetricsDep) -> Response:
    """Requests, latency, codes issued, verifications and the job queue, for Prometheus."""
    # the classic text format (0.0.4): every name here is plain ASCII, and Prometheus 2 reads it
    return Response(generate_latest(observed.registry), media_type=CONTENT_TYPE_PLAIN_0_0_4)
