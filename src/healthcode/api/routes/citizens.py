"""Citizen endpoints: register, own profile, own declarations."""

from __future__ import annotations

from fastapi import APIRouter, status

from healthcode.api.auth import CurrentSubject
from healthcode.api.deps import ContainerDep
from healthcode.api.schemas import (
    DeclarationOut,
    HealthDeclarationIn,
    ProfileOut,
    RegisteredOut,
    RegistrationIn,
    TravelDeclarationIn,
)
from healthcode.domain.facts import Fact
from healthcode.services import declarations
from healthcode.services.profile import MaskedProfile, show_profile
from healthcode.services.registration import register_person

router = APIRouter(prefix="/api/v1", tags=["citizens"])


def _profile_out(profile: MaskedProfile) -> ProfileOut:
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
def register(body: RegistrationIn, container: ContainerDep) -> RegisteredOut:
    """Register a resident. Refusals name the field: 422 for invalid input, 409 if the ID
    number is already registered."""
    registered = register_person(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction=container.settings.jurisdiction,
        **body.model_dump(),
    )
    profile = show_profile(uow=container.uow(), subject=registered.subject)
    return RegisteredOut(
        subject=registered.subject, token=registered.token, profile=_profile_out(profile)
    )


@router.get("/me", response_model=ProfileOut)
def me(subject: CurrentSubject, container: ContainerDep) -> ProfileOut:
    """The caller's own registration, masked."""
    return _profile_out(show_profile(uow=container.uow(), subject=subject))


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
