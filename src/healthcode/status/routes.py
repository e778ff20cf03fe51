"""A citizen's own status and its history (reasons in the language asked for), and their health and
travel declarations."""

from __future__ import annotations

from fastapi import APIRouter, status

from healthcode.api.auth import CurrentSubject
from healthcode.api.deps import ContainerDep
from healthcode.api.language import Language
from healthcode.kernel.facts import Fact
from healthcode.status import declarations
from healthcode.status.assessment import current_status, status_history
from healthcode.status.schemas import (
    DeclarationOut,
    HealthDeclarationIn,
    StatusChangeOut,
    StatusOut,
    TravelDeclarationIn,
)

router = APIRouter(prefix="/api/v1", tags=["status"])


@router.get("/me/status", response_model=StatusOut)
def my_status(subject: CurrentSubject, container: ContainerDep, lang: Language) -> StatusOut:
    """Colour, the reasons for it (rule, text, facts, since, when it ends), notices, and
    `valid_until`: the moment it will change if nothing new happens."""
    status = current_status(uow=container.uow(), clock=container.clock, subject=subject)
    return StatusOut.of(status, lang)


@router.get("/me/status/history", response_model=list[StatusChangeOut])
def my_status_history(
    subject: CurrentSubject, container: ContainerDep, lang: Language
) -> list[StatusChangeOut]:
    """Every change of colour, oldest first: when, from what to what, why, under which policy."""
    changes = status_history(uow=container.uow(), clock=container.clock, subject=subject)
    return [StatusChangeOut.of(c, lang) for c in changes]


def _declaration_out(fact: Fact) -> DeclarationOut:
    data = fact.data()
    return DeclarationOut.model_validate(
        {k: v for k, v in data.items() if k in DeclarationOut.model_fields}
    )


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
