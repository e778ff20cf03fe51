"""Who is calling. Development seam: citizens present the bearer token issued at registration.

This module is the only place that knows how a citizen is authenticated; the identity issue
replaces it with channel assertions and logins without touching the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from healthcode.api.deps import ContainerDep
from healthcode.services.profile import authenticate_dev_token
from healthcode.services.registration import hash_token

_bearer = HTTPBearer(auto_error=False, description="Development token issued at registration")


def current_subject(
    container: ContainerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None:
        raise HTTPException(401, "a bearer token is required", headers=challenge)
    subject = authenticate_dev_token(
        uow=container.uow(), token_hash=hash_token(credentials.credentials)
    )
    if subject is None:
        raise HTTPException(401, "the bearer token is not valid", headers=challenge)
    return subject


CurrentSubject = Annotated[str, Depends(current_subject)]
