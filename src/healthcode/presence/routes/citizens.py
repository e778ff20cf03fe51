"""Where a citizen was: check-ins with place codes, rides, own GPS pings, the itinerary, own
presences and employers; and telecom/GPS batches imported by administrators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from healthcode.api.auth import Authorized, CurrentSubject
from healthcode.api.deps import ContainerDep
from healthcode.api.language import Language
from healthcode.api.responses import NOT_FOUND
from healthcode.api.types import Identifier
from healthcode.kernel.facts import FactKind, Presence
from healthcode.oversight.access import Action, Principal
from healthcode.presence.checkins import PlaceScan, check_in, my_checkins
from healthcode.presence.employers import answer_listing, my_employers
from healthcode.presence.locations import import_pings, itinerary_of
from healthcode.presence.schemas import (
    CheckinAnswer,
    CheckinIn,
    CheckinOut,
    EmploymentOut,
    ItineraryEntryOut,
    LocationReceiptOut,
    OwnPingsIn,
    PingsIn,
    PresenceOut,
    RideIn,
)
from healthcode.presence.transit import Ride, record_ride

router = APIRouter(prefix="/api/v1", tags=["presence"])

ImportsLocations = Annotated[Principal, Depends(Authorized(Action.IMPORT_LOCATIONS))]


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
        scan=PlaceScan(place_code=body.place_code, lat=body.lat, lon=body.lon, at=body.at),
    )
    return CheckinAnswer.answer(result, lang)


@router.get("/me/checkins", response_model=list[CheckinOut])
def list_my_checkins(subject: CurrentSubject, container: ContainerDep) -> list[CheckinOut]:
    """Own check-ins, oldest first, with their state (accepted, flagged, confirmed, rejected)."""
    return [CheckinOut.of(c) for c in my_checkins(uow=container.uow(), subject=subject)]


@router.post("/me/rides", status_code=status.HTTP_201_CREATED, response_model=PresenceOut)
def my_ride(body: RideIn, subject: CurrentSubject, container: ContainerDep) -> PresenceOut:
    """Record a bus or subway ride: a presence on the trip (line + vehicle)."""
    presence = record_ride(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction=container.settings.jurisdiction,
        subject=subject,
        ride=Ride(
            line=body.line,
            vehicle=body.vehicle,
            boarded_at=body.boarded_at,
            alighted_at=body.alighted_at,
        ),
    )
    return PresenceOut.of(presence)


@router.post(
    "/me/locations", status_code=status.HTTP_201_CREATED, response_model=LocationReceiptOut
)
def my_locations(
    body: OwnPingsIn, subject: CurrentSubject, container: ContainerDep
) -> LocationReceiptOut:
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
    return LocationReceiptOut.of(receipt)


@router.post(
    "/locations/batches",
    status_code=status.HTTP_201_CREATED,
    response_model=LocationReceiptOut,
    responses=NOT_FOUND,
)
def import_location_batch(
    body: PingsIn, _admin: ImportsLocations, container: ContainerDep
) -> LocationReceiptOut:
    """A telecom or GPS batch (any subjects). All or nothing: one ping of a person without
    location consent, or any bad ping, refuses the batch naming ``pings[i]``."""
    items = [(f"pings[{i}]", p.model_dump()) for i, p in enumerate(body.pings)]
    receipt = import_pings(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction=container.settings.jurisdiction,
        items=items,
    )
    return LocationReceiptOut.of(receipt)


@router.get("/me/itinerary", response_model=list[ItineraryEntryOut])
def my_itinerary(subject: CurrentSubject, container: ContainerDep) -> list[ItineraryEntryOut]:
    """Jurisdictions where the phone stayed 4 h or more in the last 14 days, latest first."""
    entries = itinerary_of(uow=container.uow(), clock=container.clock, subject=subject)
    return [ItineraryEntryOut.of(e) for e in entries]


@router.get("/me/presences", response_model=list[PresenceOut])
def my_presences(subject: CurrentSubject, container: ContainerDep) -> list[PresenceOut]:
    """Where the service holds that the person was (check-ins, scans, rides, stays)."""
    with container.uow() as uow:
        facts = uow.facts.for_subject(subject, kinds=[FactKind.PRESENCE])
    return [PresenceOut.of(p) for p in facts if isinstance(p, Presence)]


@router.get("/me/employers", response_model=list[EmploymentOut])
def get_my_employers(subject: CurrentSubject, container: ContainerDep) -> list[EmploymentOut]:
    """Organisations that listed the person as staff, and whether the person consented."""
    return [EmploymentOut.of(e) for e in my_employers(uow=container.uow(), subject=subject)]


@router.post("/me/employers/{organisation_id}", response_model=EmploymentOut)
def consent_to_employer(
    organisation_id: Identifier, subject: CurrentSubject, container: ContainerDep
) -> EmploymentOut:
    """Consent to the organisation learning pass or stop (only) for you at its gates."""
    employment = answer_listing(
        uow=container.uow(),
        clock=container.clock,
        subject=subject,
        organisation_id=organisation_id,
        consent=True,
    )
    return EmploymentOut.of(employment)


@router.delete("/me/employers/{organisation_id}", response_model=EmploymentOut)
def withdraw_from_employer(
    organisation_id: Identifier, subject: CurrentSubject, container: ContainerDep
) -> EmploymentOut:
    """Withdraw: the organisation learns nothing about you from now on."""
    employment = answer_listing(
        uow=container.uow(),
        clock=container.clock,
        subject=subject,
        organisation_id=organisation_id,
        consent=False,
    )
    return EmploymentOut.of(employment)
