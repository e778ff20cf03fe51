"""Request dependencies: the container built by the app's lifespan, the app's metrics."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from healthcode.api.metrics import Metrics
from healthcode.container import Container


async def get_container(request: Request) -> Container:
    # async: a plain attribute read, not worth a hop to the thread pool on every request
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


async def get_metrics(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics


MetricsDep = Annotated[Metrics, Depends(get_metrics)]
