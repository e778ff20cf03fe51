"""Citizen endpoints: registration through a channel, own profile, own declarations, own
access log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from healthcode.api.access_schemas import AccessRecordOut
from healthcode.api.auth import Authorized, CurrentCitizen, CurrentSubject
from healthcode.api.deps import ContainerDep
from healthcode.api.schemas import (
    ChannelRegistrationIn,
    DeclarationOut,
    HealthDeclarationIn,
    ProfileOut,
    RegisteredOut,
    TravelDeclarationIn,
)
from healthcode.domain.access import Action, Principal, Role
from healthcode.domain.facts import Fact
from healthcode.services import declarations
from healthcode.services.audit import own_access_log
from healthcode.services.profile import MaskedProfile, show_profile
from healthcode.services.registration import register_through_channel

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
    )


def _declaration_out(fact: Fact) -> DeclarationOut:
    data = fact.data()
    return DeclarationOut.model_validate(
        {k: v for k, v in data.items() if k in DeclarationOut.model_fields}
    )


@router.post("/registrations", status_code=status.HTTP_201_CREATED, response_model=RegisteredOut)
def register(
    body: ChannelRegistrationIn, channel: RegisteringChannel, container: ContainerDep
) -> RegisteredOut:
    """A channel registers its user, vouching with a signed assertion whose `sub` (the
    channel's user id) is bound to the new subject. 422 for invalid input naming the field,
    409 if the ID number is already registered, 401 for a bad assertion."""
    fields = body.model_dump()
    assertion = fields.pop("assertion")
    registered = register_through_channel(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction=container.settings.jurisdiction,
        channel_id=channel.id,
        assertion=assertion,
        **fields,
    )
    citizen = Principal(role=Role.CITIZEN, id=registered.subject, channel=channel.id)
    profile = show_profile(
        uow=container.uow(), clock=container.clock, principal=citizen, subject=registered.subject
    )
    return RegisteredOut(subject=registered.subject, profile=profile_out(profile))


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


@router.post(
    "/me/declarations/health", status_code=status.HTTP_201_CREATED, response_model=DeclarationOut
)
def declare_health(
    body: HealthDeclarationIn, subject: CurrentSubject, container: ContainerDep
) -> DeclarationOut:
    """Declare today's temperature and symptoms."""
    fact = declarations.declare_health(
        uow=container.uow(), clock=container.clock, subject=subject, **body.model_dump()
    )
    return _declaration_out(fact)


@router.post(
    "/me/declarations/travel", status_code=status.HTTP_201_CREATED, response_model=DeclarationOut
)
def declare_travel(
    body: TravelDeclarationIn, subject: CurrentSubject, container: ContainerDep
) -> DeclarationOut:
    """Declare a stay in another region within the last 14 days."""
    fact = declarations.declare_travel(
        uow=container.uow(), clock=container.clock, subject=subject, **body.model_dump()
    )
    return _declaration_out(fact)


@router.get("/me/declarations", response_model=list[DeclarationOut])
def list_declarations(subject: CurrentSubject, container: ContainerDep) -> list[DeclarationOut]:
    """The caller's own declarations, oldest first."""
    facts = declarations.list_declarations(uow=container.uow(), subject=subject)
    return [_declaration_out(f) for f in facts]
