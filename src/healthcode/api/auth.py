"""Who is calling, and may they do this. The only place the API knows how actors log in.

- Citizens: a channel's OAuth2 access token (``Authorization: Bearer``) plus a signed identity
  assertion for the channel's user (``X-Identity-Assertion``), or a website session token.
- Officials, supervisors, auditors, admins: a session token from password + TOTP login.
- Channels: their OAuth2 client-credentials access token.

Every route names its action: ``Authorized(Action.X)`` (401 without valid credentials, 403 when
the role × action × purpose table says no) or ``Public(Action.X)`` for the few public actions.
A purpose may be stated with ``X-Purpose``; otherwise the role's only allowed purpose is used.
The matrix test walks every route and fails on one that names no action.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from healthcode.api.deps import ContainerDep
from healthcode.identity.authn import authenticate
from healthcode.kernel.errors import InvalidInput, NotAuthenticated
from healthcode.oversight.access import PUBLIC_ACTIONS, Action, Principal, Purpose
from healthcode.oversight.authz import require

ASSERTION_HEADER = "X-Identity-Assertion"
PURPOSE_HEADER = "X-Purpose"
CHALLENGE = {"WWW-Authenticate": "Bearer"}

_bearer = HTTPBearer(
    auto_error=False,
    description="A session token (website or official login) or a channel's access token",
)
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
AssertionDep = Annotated[
    str | None,
    Header(
        alias=ASSERTION_HEADER,
        description="A channel's signed assertion for one of its users (JWT)",
    ),
]
PurposeDep = Annotated[
    str | None, Header(alias=PURPOSE_HEADER, description="Why: the purpose of this request")
]


def authenticated(
    container: ContainerDep, credentials: BearerDep, assertion: AssertionDep = None
) -> Principal:
    """The caller, or 401."""
    if credentials is None:
        raise HTTPException(401, "a bearer token is required", headers=CHALLENGE)
    try:
        return authenticate(
            uow=container.uow(),
            clock=container.clock,
            token=credentials.credentials,
            jurisdiction=container.settings.jurisdiction,
            assertion=assertion,
        )
    except NotAuthenticated as refused:
        raise HTTPException(401, str(refused), headers=CHALLENGE) from None


def _purpose(raw: str | None) -> Purpose | None:
    if raw is None:
        return None
    try:
        return Purpose(raw)
    except ValueError:
        allowed = ", ".join(p.value for p in Purpose)
        raise InvalidInput.one(PURPOSE_HEADER, f"must be one of {allowed}") from None


class Authorized:
    """Dependency: the caller, authorised for ``action`` (with the purpose it acts for)."""

    def __init__(self, action: Action) -> None:
        if action in PUBLIC_ACTIONS:
            raise ValueError(f"{action} is public: use Public")
        self.action = action

    async def __call__(
        self,
        principal: Annotated[Principal, Depends(authenticated)],
        purpose: PurposeDep = None,
    ) -> Principal:
        # async (here and below): a check in memory, run on the event loop rather than sent
        # to the thread pool (each hop costs a thread switch on every request)
        return require(principal, self.action, _purpose(purpose))


class Public:
    """Dependency marking a route as one of the public actions (no credentials needed)."""

    def __init__(self, action: Action) -> None:
        if action not in PUBLIC_ACTIONS:
            raise ValueError(f"{action} is not public: use Authorized")
        self.action = action

    async def __call__(self) -> None:
        return None


_own_data = Authorized(Action.USE_OWN_DATA)


async def current_subject(principal: Annotated[Principal, Depends(_own_data)]) -> str:
    """The authenticated citizen's own subject id (401 / 403 otherwise)."""
    return principal.id


CurrentSubject = Annotated[str, Depends(current_subject)]
"""The citizen acting on their own data (``Action.USE_OWN_DATA``)."""

CurrentCitizen = Annotated[Principal, Depends(_own_data)]
"""The citizen principal acting on their own data (with the channel they act through)."""

CurrentPrincipal = Annotated[Principal, Depends(authenticated)]
"""Any authenticated caller. A route using it must still name its action with ``Authorized``
(e.g. ``dependencies=[Depends(Authorized(Action.X))]``) or the matrix test fails."""
