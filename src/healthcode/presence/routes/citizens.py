"""Where a citizen was: check-ins with place codes, rides, own GPS pings, the itinerary, own
presences and employers; and telecom/GPS batches imported by administrators."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, ConfigDict, Field

from healthcode.api.auth import Authorized, CurrentSubject
from healthcode.api.deps import ContainerDep
from healthcode.api.language import Language
from healthcode.kernel.facts import FactKind, Presence
from healthcode.oversight.access import Action, Principal
from healthcode.presence.checkins import check_in, my_checkins
from healthcode.presence.employers import Employment, answer_listing, my_employers
from healthcode.presence.locations import LocationReceipt, import_pings, itinerary_of
from healthcode.presence.routes.venues import CheckinOut, checkin_out
from healthcode.presence.transit import record_ride

router = APIRouter(prefix="/api/v1", tags=["presence"])

ImportsLocations = Annotated[Principal, Depends(Authorized(Action.IMPORT_LOCATIONS))]


class CheckinIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    place_code: str = Field(description="The scanned place code text (HZP1:…)")
    lat: float = Field(description="The phone's position when scanning")
    lon: float
    at: datetime | None = Field(default=None, description="The phone's time (default: now)")


class CheckinAnswer(CheckinOut):
    venue_name_zh: str
    venue_name_en: str
    text: str = Field(description="What to show, in the language asked for")
    flagged: bool


class RideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    line: str = Field(description="The venue id of the bus route or subway line")
    vehicle: str = Field(examples=["浙A12345"])
    boarded_at: datetime
    alighted_at: datetime


class OwnPing(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lat: float
    lon: float
    at: datetime


class OwnPingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pings: list[OwnPing]


class PingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: str
    lat: float
    lon: float
    at: datetime
    source: Literal["gps", "telecom"]


class PingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pings: list[PingIn]


class PresenceOut(BaseModel):
    id: str
    place_id: str
    place_kind: str
    at: datetime
    until: datetime
    source: str
    cell: str | None


def _presence_out(p: Presence) -> PresenceOut:
    return PresenceOut(
        id=p.id,
        place_id=p.place_id,
        place_kind=p.place_kind,
        at=p.at,
        until=p.until,
        source=p.source,
        cell=p.cell,
    )


def _receipt(receipt: LocationReceipt) -> dict[str, Any]:
    return {
        "pings": receipt.pings,
        "subjects": receipt.subjects,
        "stays": receipt.stays,
        "stored": receipt.stored,
        "arrivals": [
            {"subject": a.subject, "from": a.from_region, "to": a.to_region, "at": a.at}
            for a in receipt.arrivals
        ],
    }


@router.post("/me/checkins", status_code=status.HTTP_201_CREATED, response_model=CheckinAnswer)
def my_check_in(
    body: CheckinIn, subject: CurrentSubject, container: ContainerDep, lang: Language
) -> CheckinAnswer:
    """Check in with a scanned place code: pass or stop for that venue. A check-in far from
    the venue (a forwarded or photographed poster) is flagged, says so, and is not counted as
    a visit unless an official confirms it."""
    result = check_in(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction=container.settings.jurisdiction,
        subject=subject,
        place_code=body.place_code,
        lat=body.lat,
        lon=body.lon,
        at=body.at,
    )
    return CheckinAnswer(
        **checkin_out(result.checkin).model_dump(),
        venue_name_zh=result.venue.name_zh,
        venue_name_en=result.venue.name_en,
        text=result.texts.get(lang, result.texts["en"]),
        flagged=result.flagged,
    )


@router.get("/me/checkins", response_model=list[CheckinOut])
def list_my_checkins(subject: CurrentSubject, container: ContainerDep) -> list[CheckinOut]:
    """Own check-ins, oldest first, with their state (accepted, flagged, confirmed, rejected)."""
    return [checkin_out(c) for c in my_checkins(uow=container.uow(), subject=subject)]


@router.post("/me/rides", status_code=status.HTTP_201_CREATED, response_model=PresenceOut)
def my_ride(body: RideIn, subject: CurrentSubject, container: ContainerDep) -> PresenceOut:
    """Record a bus or subway ride: a presence on the trip (line + vehicle)."""
    presence = record_ride(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction=container.settings.jurisdiction,
        subject=subject,
        line=body.line,
        vehicle=body.vehicle,
        boarded_at=body.boarded_at,
        alighted_at=body.alighted_at,
    )
    return _presence_out(presence)


@router.post("/me/locations", status_code=status.HTTP_201_CREATED)
def my_locations(
    body: OwnPingsIn, subject: CurrentSubject, container: ContainerDep
) -> dict[str, Any]:
    """The phone's own GPS pings; refused whole without consent to location use."""
    items = [
        (f"pings[{i}]", {"subject": subject, "lat": p.lat, "lon": p.lon, "at": p.at})
        for i, p in enumerate(body.pings)
    ]
    receipt = import_pings(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction=container.settings.jurisdiction,
        items=items,
        default_source="gps",
    )
    return _receipt(receipt)


@router.post("/locations/batches", status_code=status.HTTP_201_CREATED)
def import_location_batch(
    body: PingsIn, _admin: ImportsLocations, container: ContainerDep
) -> dict[str, Any]:
    """A telecom or GPS batch (any subjects). All or nothing: one ping of a person without
    location consent, or any bad ping, refuses the batch naming ``pings[i]``."""
    items = [(f"pings[{i}]", p.model_dump()) for i, p in enumerate(body.pings)]
    receipt = import_pings(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction=container.settings.jurisdiction,
        items=items,
    )
    return _receipt(receipt)


@router.get("/me/itinerary")
def my_itinerary(subject: CurrentSubject, container: ContainerDep) -> list[dict[str, Any]]:
    """Jurisdictions where the phone stayed 4 h or more in the last 14 days, latest first."""
    entries = itinerary_of(uow=container.uow(), clock=container.clock, subject=subject)
    return [
        {
            "jurisdiction": e.jurisdiction,
            "first_at": e.first_at,
            "last_until": e.last_until,
            "longest_hours": round(e.longest.total_seconds() / 3600, 2),
        }
        for e in entries
    ]


@router.get("/me/presences", response_model=list[PresenceOut])
def my_presences(subject: CurrentSubject, container: ContainerDep) -> list[PresenceOut]:
    """Where the service holds that the person was (check-ins, scans, rides, stays)."""
    with container.uow() as uow:
        facts = uow.facts.for_subject(subject, kinds=[FactKind.PRESENCE])
    return [_presence_out(p) for p in facts if isinstance(p, Presence)]


def _employment(e: Employment) -> dict[str, Any]:
    return {
        "organisation": e.organisation_id,
        "name": e.organisation_name,
        "state": e.state,
        "listed_at": e.listed_at,
        "consented_at": e.consented_at,
        "withdrawn_at": e.withdrawn_at,
    }


@router.get("/me/employers")
def get_my_employers(subject: CurrentSubject, container: ContainerDep) -> list[dict[str, Any]]:
    """Organisations that listed the person as staff, and whether the person consented."""
    return [_employment(e) for e in my_employers(uow=container.uow(), subject=subject)]


@router.post("/me/employers/{organisation_id}")
def consent_to_employer(
    organisation_id: str, subject: CurrentSubject, container: ContainerDep
) -> dict[str, Any]:
    """Consent to the organisation learning pass or stop (only) for you at its gates."""
    employment = answer_listing(
        uow=container.uow(),
        clock=container.clock,
        subject=subject,
        organisation_id=organisation_id,
        consent=True,
    )
    return _employment(employment)


@router.delete("/me/employers/{organisation_id}")
def withdraw_from_employer(
    organisation_id: str, subject: CurrentSubject, container: ContainerDep
) -> dict[str, Any]:
    """Withdraw: the organisation learns nothing about you from now on."""
    employment = answer_listing(
        uow=container.uow(),
        clock=container.clock,
        subject=subject,
        organisation_id=organisation_id,
        consent=False,
    )
    return _employment(employment)
