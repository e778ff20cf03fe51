"""Logging in: citizens on the website, officials with TOTP, channels by OAuth2 client
credentials; and logging out."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated
from urllib.parse import parse_qs, unquote

from fastapi import APIRouter, Depends, Request, status

from healthcode.api.auth import Authorized, BearerDep, Public
from healthcode.api.deps import ContainerDep
from healthcode.api.responses import LOGIN, SIGN_UP, SIGN_UP_CODE
from healthcode.identity.channel_login import log_in_from_channel
from healthcode.identity.channels import issue_channel_token
from healthcode.identity.officials import log_in_official
from healthcode.identity.schemas import (
    AcceptedOut,
    ChannelLoginIn,
    CitizenLoginIn,
    OfficialLoginIn,
    SessionOut,
    SignUpIn,
    SignUpStartIn,
    TokenOut,
)
from healthcode.identity.sign_up import SignUp, sign_up, start_sign_up
from healthcode.identity.website import log_in_citizen, log_out
from healthcode.kernel.errors import InvalidInput, NotAuthenticated
from healthcode.oversight.access import Action, Principal

router = APIRouter(prefix="/api/v1", tags=["logins"])

CODE_SENT = "If the number can take text messages, a sign-up code is on its way."
SIGNED_UP = "Check your phone: a text message says what happened, then log in."

# the token endpoint reads its form itself (RFC 6749 §4.4): declared here for the document
TOKEN_REQUEST = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["grant_type"],
                    "properties": {
                        "grant_type": {"type": "string", "enum": ["client_credentials"]},
                        "client_id": {"type": "string"},
                        "client_secret": {"type": "string"},
                    },
                }
            }
        },
    }
}


@router.post(
    "/website/sign-up/start",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=AcceptedOut,
    dependencies=[Depends(Public(Action.SIGN_UP))],
    responses=SIGN_UP_CODE,
)
def website_sign_up_start(
    body: SignUpStartIn, request: Request, container: ContainerDep
) -> AcceptedOut:
    """Step 1: a six-digit code is sent by SMS to the phone, valid 10 minutes. The same answer
    whatever is registered; 429 with Retry-After after too many requests from the address or
    for the phone."""
    start_sign_up(
        uow=container.uow(),
        clock=container.clock,
        phone=body.phone,
        client_address=None if request.client is None else request.client.host,
    )
    return AcceptedOut(detail=CODE_SENT)


@router.post(
    "/website/sign-up",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=AcceptedOut,
    dependencies=[Depends(Public(Action.SIGN_UP))],
    responses=SIGN_UP,
)
def website_sign_up(body: SignUpIn, request: Request, container: ContainerDep) -> AcceptedOut:
    """Step 2: the code, a password and the person's details. 401 for any code that is not the
    phone's live one (wrong, expired, used, over-tried). With the right code the answer is
    the same whether an account was made or the phone had one already: the SMS says which,
    then log in. The identity stays unverified until a channel confirms it."""
    sign_up(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction=container.settings.jurisdiction,
        client_address=None if request.client is None else request.client.host,
        request=SignUp(person=body.command(), password=body.password, code=body.code),
    )
    return AcceptedOut(detail=SIGNED_UP)


@router.post(
    "/website/login",
    response_model=SessionOut,
    dependencies=[Depends(Public(Action.LOG_IN))],
    responses=LOGIN,
)
def website_login(body: CitizenLoginIn, container: ContainerDep) -> SessionOut:
    """Phone + password: a session token. 401 when wrong (the same answer, in the same time,
    whether or not the account exists); 429 with Retry-After when locked after failures."""
    issued = log_in_citizen(
        uow=container.uow(), clock=container.clock, phone=body.phone, password=body.password
    )
    return SessionOut(token=issued.token, expires_at=issued.expires_at, role="citizen")


@router.post(
    "/website/login/channel",
    response_model=SessionOut,
    dependencies=[Depends(Public(Action.LOG_IN))],
    responses=LOGIN,
)
def website_login_from_channel(body: ChannelLoginIn, container: ContainerDep) -> SessionOut:
    """A partner app opens the website for its user: its signed, single-use assertion becomes
    a website session for the person the user is bound to (written to their access log). 401
    naming why for an unknown channel, a bad, expired or replayed assertion, an unbound user."""
    issued = log_in_from_channel(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction=container.settings.jurisdiction,
        assertion=body.assertion,
    )
    return SessionOut(token=issued.token, expires_at=issued.expires_at, role="citizen")


@router.post(
    "/officials/login",
    response_model=SessionOut,
    dependencies=[Depends(Public(Action.LOG_IN))],
    responses=LOGIN,
)
def official_login(body: OfficialLoginIn, container: ContainerDep) -> SessionOut:
    """Username + password + TOTP code (each code once): a session token that expires."""
    issued = log_in_official(
        uow=container.uow(),
        clock=container.clock,
        username=body.username,
        password=body.password,
        totp_code=body.totp,
    )
    return SessionOut(
        token=issued.token, expires_at=issued.expires_at, role=issued.principal.role.value
    )


@router.post("/sessions/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(
    _principal: Annotated[Principal, Depends(Authorized(Action.LOG_OUT))],
    credentials: BearerDep,
    container: ContainerDep,
) -> None:
    """End the caller's session."""
    if credentials is None:  # never: Authorized above answers 401 to a request without a token
        raise NotAuthenticated("a bearer token is required")
    log_out(uow=container.uow(), clock=container.clock, token=credentials.credentials)


def _client_credentials(request: Request, form: dict[str, list[str]]) -> tuple[str, str]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:], validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise NotAuthenticated("invalid_client") from None
        client_id, _, secret = decoded.partition(":")
        return unquote(client_id), unquote(secret)
    return form.get("client_id", [""])[0], form.get("client_secret", [""])[0]


@router.post(
    "/oauth/token",
    response_model=TokenOut,
    dependencies=[Depends(Public(Action.ISSUE_TOKEN))],
    responses=LOGIN,
    openapi_extra=TOKEN_REQUEST,
)
async def oauth_token(request: Request, container: ContainerDep) -> TokenOut:
    """OAuth2 client credentials (RFC 6749 §4.4): form-encoded `grant_type=client_credentials`,
    the client authenticated by HTTP Basic or `client_id`/`client_secret` in the form."""
    form = parse_qs((await request.body()).decode(errors="replace"))
    if form.get("grant_type", [""])[0] != "client_credentials":
        raise InvalidInput.one("grant_type", "must be client_credentials")
    client_id, secret = _client_credentials(request, form)
    issued = issue_channel_token(
        uow=container.uow(), clock=container.clock, client_id=client_id, client_secret=secret
    )
    return TokenOut(
        access_token=issued.access_token, token_type=issued.token_type, expires_in=issued.expires_in
    )
