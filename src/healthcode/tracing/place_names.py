"""The names of the places behind what tracing tells: a contact at a venue or on a bus is told
by the venue's (the line's) name and the vehicle, not by an id the person cannot read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from healthcode.presence.scans import trip_parts
from healthcode.tracing.model.derived import ContactEvidence, TracedFact
from healthcode.tracing.model.findings import PlaceClass, place_class
from healthcode.tracing.ports import TracingUnitOfWork


def _venue_and_vehicle(contact: ContactEvidence) -> tuple[str, str | None] | None:
    """The venue a contact's place is (and the vehicle, on a ride); None at home or in a cell."""
    if contact.place_id is None:
        return None
    found = place_class(contact.place_kind, contact.place_id)
    if found is PlaceClass.CELL:
        return None
    if found is PlaceClass.TRIP:
        return trip_parts(contact.place_id)
    return contact.place_id, None


def with_place_names(uow: TracingUnitOfWork, told: Sequence[TracedFact]) -> list[TracedFact]:
    """``told`` with each contact's venue named (one read for all), inside the caller's
    transaction; a venue no longer held keeps its id alone."""
    wanted = {
        where[0]
        for fact in told
        for c in fact.contacts
        if (where := _venue_and_vehicle(c)) is not None
    }
    venues = uow.venues.venues_of(wanted)

    def named(contact: ContactEvidence) -> ContactEvidence:
        where = _venue_and_vehicle(contact)
        venue = None if where is None else venues.get(where[0])
        if where is None or venue is None:
            return contact
        return replace(
            contact, place_name_zh=venue.name_zh, place_name_en=venue.name_en, vehicle=where[1]
        )

    return [
        replace(fact, contacts=tuple(named(c) for c in fact.contacts)) if fact.contacts else fact
        for fact in told
    ]
