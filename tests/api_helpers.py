"""The app's routes and the action each names, for tests that walk every endpoint."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from healthcode.api.auth import Authorized, Public
from healthcode.oversight.access import Action


def route_actions(route: APIRoute) -> set[Action]:
    """The actions a route names through its dependencies (Authorized / Public)."""
    found: set[Action] = set()
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        call = dependant.call
        if isinstance(call, Authorized | Public):
            found.add(call.action)
        stack.extend(dependant.dependencies)
    return found


def api_routes(routes: Sequence[BaseRoute]) -> Iterator[APIRoute]:
    """Every API route, looking inside included routers."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif (inner := getattr(route, "original_router", None)) is not None:
            yield from api_routes(inner.routes)  # an included router


def operation_actions(app: FastAPI) -> dict[tuple[str, str], Action]:
    """(METHOD, path template) → the one action the route names."""
    found: dict[tuple[str, str], Action] = {}
    for route in api_routes(app.routes):
        actions = route_actions(route)
        assert len(actions) == 1, f"{route.path} names {actions or 'no action'}"
        (action,) = actions
        for method in route.methods:
            found[(method.upper(), route.path)] = action
    return found
