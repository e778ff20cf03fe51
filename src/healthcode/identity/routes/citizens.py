"""Citizen endpoints: registration through a channel, own profile, own declarations, own
access log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from healthcode.api.auth import Authorized, CurrentCitizen
from healthcode.api.deps import ContainerDep
from healthcode.api.responses import ACCOUNT_LOOKUP, CONFLICT
from healthcode.identity.claims import confirm_identity
from healthcode.identity.profile import MaskedProfile, show_profile
from healthcode.identity.registration import register_through_channel
from healthcode.identity.schemas import (
    ChannelRegistrationIn,
    IdentityConfirmationIn,
    IdentityConfirmedOut,
    ProfileOut,
    RegisteredOut,
)
from healthcode.oversight.access import Action, Principal, Role
from healthcode.oversight.audit import own_access_log
from healthcode.oversight.schemas import AccessRecordOut

router = APIRouter(prefix="/api/v1", tags=["citizens"])


RegisteringChannel = Annotated[Principal, Depends(Authorized(Action.REGISTER_CITIZEN))]


def profile_out(profile: MaskedProfile) -> ProfileOut:
    return ProfileOut(
        subject=profile.subject,
        jurisdiction=profile.jurisdiction,
        id_type=profile.id_type,
        name=profile.name,
        id_number=profile.id_number,
        phone=profile.phone,
        registered_at=profile.registered_at,
        location_consent=profile.location_consent,
        identity=profile.identity,
    )


@router.post(
    "/registrations",
    status_code=status.HTTP_201_CREATED,
    response_model=RegisteredOut,
    responses=CONFLICT,
)
def register(
    body: ChannelRegistrationIn, channel: RegisteringChannel, container: ContainerDep
) -> RegisteredOut:
    """A channel registers its user, vouching with a signed assertion whose `sub` (the
    channel's user id) is bound to the new subject. 422 for invalid input naming the field,
    409 if the ID number is already registered, 401 for a bad assertion."""
    registered = register_through_channel(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction=container.settings.jurisdiction,
        channel_id=channel.id,
        assertion=body.assertion,
        person=body.command(),
    )
    citizen = Principal(role=Role.CITIZEN, id=registered.subject, channel=channel.id)
    profile = show_profile(
        uow=container.uow(), clock=container.clock, principal=citizen, subject=registered.subject
    )
    return RegisteredOut(subject=registered.subject, profile=profile_out(profile))


@router.post(
    "/identity-confirmations", response_model=IdentityConfirmedOut, responses=ACCOUNT_LOOKUP
)
def confirm(
    body: IdentityConfirmationIn, channel: RegisteringChannel, container: ContainerDep
) -> IdentityConfirmedOut:
    """A channel confirms a website sign-up's identity with a face-checked assertion naming
    the ID number: the person is verified, the channel's user bound to them, and anyone else's
    claim of that number taken back. 401 for a bad or stale assertion, 404 when the phone has
    no website account, 409 when the ID differs from the account's or is verified for
    another person."""
    confirmed = confirm_identity(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction=container.settings.jurisdiction,
        channel_id=channel.id,
        assertion=body.assertion,
        phone=body.phone,
    )
    return IdentityConfirmedOut(subject=confirmed.subject, identity="verified")


@router.get("/me", response_model=ProfileOut)
def me(citizen: CurrentCitizen, container: ContainerDep) -> ProfileOut:
    """The caller's own registration, masked."""
    profile = show_profile(
        uow=container.uow(), clock=container.clock, principal=citizen, subject=citizen.id
    )
    return profile_out(profile)


@router.get("/me/access-log", response_model=list[AccessRecordOut])
def my_access_log(
    citizen: Annotated[Principal, Depends(Authorized(Action.READ_OWN_ACCESS_LOG))],
    container: ContainerDep,
) -> list[AccessRecordOut]:
    """Who read your data, in which role, why and what, oldest first."""
    return [
        AccessRecordOut(
            seq=r.seq, at=r.at, actor=r.actor, role=r.role, purpose=r.purpose, what=r.what
        )
        for r in own_access_log(uow=container.uow(), principal=citizen)
    ]
