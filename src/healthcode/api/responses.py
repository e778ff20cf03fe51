"""The refusals the OpenAPI document declares: every 4xx answer is problem+json (RFC 9457).

Most refusals follow from an operation's shape, so they are declared once, here, for every
operation that has that shape (``declare_refusals``):

- a bearer token is required (the operation has ``security``): 401 without valid credentials,
  403 when the access table says no;
- it takes parameters or a body: 422 naming the field and the rule;
- it takes a body: 400 when the body cannot be read (not UTF-8), 413 when it is too large;
- it names something in its path: 404 when that does not exist;
- it is not a health or metrics probe: 503 with ``Retry-After`` when the process is overloaded
  and sheds it before it starts (``api/shedding.py``).

What depends on the use case behind a route is declared by the route with one of the mappings
below (``responses=CONFLICT``, ``responses=LOGIN``…), never spelled out per route. The fuzzing
stage (``tests/fuzz``, docs/fuzzing.md) fails on any answer the document does not declare.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI

from healthcode.api.shedding import Priority, priority_of

PROBLEM_JSON = "application/problem+json"
PROBLEM_REF = "#/components/schemas/Problem"

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details: what was refused and why.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "description": "Each field refused and the rule it broke (422, 409).",
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
        "notices": {
            "description": "The notices that withhold a code (403 Code withheld).",
            "type": "array",
            "items": {"type": "string"},
        },
    },
}

_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
    429: {
        "Retry-After": {
            "description": "Seconds until the next attempt is allowed",
            "schema": {"type": "string"},
        }
    },
}

_DESCRIPTIONS: dict[int, str] = {
    400: "The body cannot be read (not UTF-8, or not the declared form)",
    401: "No valid credentials (missing, unknown, expired or wrong)",
    403: "The caller's role may not do this (or a code is withheld)",
    404: "Not found (or not visible to the caller)",
    409: "Valid, but clashes with what is already recorded",
    413: "The request body is too large",
    422: "Invalid input: each field named with the rule it broke",
    429: "Too many failed attempts: locked for a while (see Retry-After)",
    503: "Not configured yet (e.g. no signing keys)",
}


def refusal(status: int) -> dict[str, Any]:
    """The OpenAPI response object of a refusal with ``status``."""
    declared: dict[str, Any] = {
        "description": _DESCRIPTIONS[status],
        "content": {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}},
    }
    if status in _HEADERS:
        declared["headers"] = _HEADERS[status]
    return declared


def refusals(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """A ``responses=`` mapping declaring each refusal."""
    return {status: refusal(status) for status in statuses}


CONFLICT = refusals(409)
"""The use case refuses what clashes with a stored record (a taken name, a decided proposal)."""

NOT_FOUND = refusals(404)
"""The use case looks up something the body names (a subject, an organisation)."""

LOGIN = refusals(401, 429)
"""Logging in: wrong credentials, and locked after too many failures."""

SIGN_UP_CODE = refusals(429)
"""Asking for a sign-up code: throttled per address and per phone."""

SIGN_UP = refusals(401, 429)
"""Signing up with a code: any code not the phone's live one; throttled per address."""

ACCOUNT_LOOKUP = refusals(404, 409)
"""Confirming an identity: the account the body names, and a clash with what is recorded."""

SIGNED = refusals(503)
"""Needs this jurisdiction's signing keys (``healthcode keys init``)."""

NOT_READY: dict[int | str, dict[str, Any]] = {
    503: {**refusal(503), "description": "Not ready: the database cannot be reached"}
}
"""A readiness check: a service the API needs does not answer."""


OVERLOADED: dict[str, Any] = {
    "description": "Overloaded: refused before any work started; send it again after Retry-After",
    "content": {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}},
    "headers": {
        "Retry-After": {
            "description": "Seconds to wait before sending the request again",
            "schema": {"type": "string"},
        }
    },
}


def declare_refusals(document: dict[str, Any]) -> None:
    """Add to every operation of ``document`` the refusals its shape implies (in place)."""
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in _implied(operation):
                responses[str(status)] = refusal(status)
            if priority_of(method.upper(), path) is not Priority.EXEMPT:
                _declare_overload(responses)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    # FastAPI's own 422 answer shape is never sent: the problem handler replaces it
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)


def _declare_overload(responses: dict[str, Any]) -> None:
    """503 when shed; an operation whose use case answers 503 too keeps both reasons."""
    declared = responses.get("503")
    if declared is None:
        responses["503"] = OVERLOADED
        return
    responses["503"] = {
        **declared,
        "description": f"{declared['description']}; or {OVERLOADED['description']}",
        "headers": OVERLOADED["headers"],
    }


def _implied(operation: Mapping[str, Any]) -> list[int]:
    parameters = operation.get("parameters", [])
    has_body = "requestBody" in operation
    implied: list[int] = []
    if operation.get("security"):
        implied += [401, 403]
    if any(p.get("in") == "path" for p in parameters):
        implied.append(404)
    if has_body:
        implied += [400, 413]
    if parameters or has_body:
        implied.append(422)
    return implied


def install(app: FastAPI) -> None:
    """Serve the app's OpenAPI document with every refusal declared."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build()
            declare_refusals(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
