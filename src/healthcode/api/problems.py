"""RFC 9457 problem+json for every refusal: domain errors get their HTTP status only here."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from healthcode.codes.issuing import CodeWithheld
from healthcode.codes.keys import NoSigningKey
from healthcode.kernel.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotAllowed,
    NotAuthenticated,
    NotFound,
    TooManyAttempts,
)
from healthcode.oversight.instance import SystemRetired

PROBLEM_JSON = "application/problem+json"


def problem(
    status: int, title: str, detail: str, *, type_: str = "about:blank", **extra: Any
) -> JSONResponse:
    body = {"type": type_, "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _loc_to_field(loc: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, InvalidInput):
        errors = [{"field": p.field, "message": p.message} for p in exc.problems]
        return problem(422, "Invalid input", str(exc), errors=errors)
    if isinstance(exc, Conflict):
        return problem(
            409, "Conflict", str(exc), errors=[{"field": exc.field, "message": exc.message}]
        )
    if isinstance(exc, NotFound):
        return problem(404, "Not found", str(exc))
    if isinstance(exc, NotAllowed):
        return problem(403, "Forbidden", str(exc))
    if isinstance(exc, NotAuthenticated):
        response = problem(401, "Unauthorized", str(exc))
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    if isinstance(exc, TooManyAttempts):
        response = problem(429, "Too many attempts", str(exc))
        response.headers["Retry-After"] = str(exc.retry_after_seconds)
        return response
    if isinstance(exc, CodeWithheld):
        notices = [n.notice_id for n in exc.notices]
        return problem(403, "Code withheld", str(exc), notices=notices)
    if isinstance(exc, NoSigningKey):
        return problem(503, "Not configured", str(exc))
    if isinstance(exc, SystemRetired):
        return problem(503, "System retired", str(exc))
    return problem(400, "Refused", str(exc))


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, RequestValidationError):
        raise exc
    errors = [{"field": _loc_to_field(tuple(e["loc"])), "message": e["msg"]} for e in exc.errors()]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(422, "Invalid input", detail, errors=errors)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, HTTPException):
        raise exc
    response = problem(exc.status_code, _TITLES.get(exc.status_code, "Error"), str(exc.detail))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    413: "Content too large",
    429: "Too many attempts",
    503: "Service unavailable",
}


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
