"""A citizen's rights over HTTP: download all their data, close their account."""

from __future__ import annotations

from fastapi import APIRouter

from healthcode.api.auth import CurrentCitizen
from healthcode.api.deps import ContainerDep
from healthcode.api.language import Language
from healthcode.api.responses import LOGIN
from healthcode.rights.closing import close_account
from healthcode.rights.export import export_my_data
from healthcode.rights.schemas import ClosedOut, CloseIn, ExportOut

router = APIRouter(prefix="/api/v1", tags=["citizen rights"])


@router.get("/me/export", response_model=ExportOut)
def export(citizen: CurrentCitizen, container: ContainerDep, lang: Language) -> ExportOut:
    """All your data as JSON: identity, consents, facts, exposures (never who the case was),
    status and its history, check-ins, staff listings, appeals, and who read your data."""
    data = export_my_data(uow=container.uow(), clock=container.clock, principal=citizen)
    return ExportOut.of(data, lang)


@router.post("/me/close", response_model=ClosedOut, responses=LOGIN)
def close(body: CloseIn, citizen: CurrentCitizen, container: ContainerDep) -> ClosedOut:
    """Close your account when you leave the city: your name, ID number, phone, address,
    logins, presences, check-ins and locations are purged; counts the city keeps stay, linked
    to no one. On the website, give your password again (401 if wrong, 429 after too many
    tries). It cannot be undone: you cannot log in again."""
    purged = close_account(
        uow=container.uow(), clock=container.clock, principal=citizen, password=body.password
    )
    return ClosedOut.of(purged)
