"""Transit: a bus or subway ride is a presence on a trip — the line (a venue of kind
``bus_route`` or ``subway_station``) and the vehicle — from boarding until alighting.

Two riders overlap on a trip when they share the place id ``<line venue>:<vehicle>`` in time;
a checkpoint on a vehicle gives the same place id when its scans carry the vehicle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from healthcode.checkpoint.batches import MAX_VEHICLE
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import InvalidInput, NotFound, Problem
from healthcode.kernel.facts import Presence
from healthcode.kernel.ids import new_id
from healthcode.presence.checkins import check_time
from healthcode.presence.ports import PresenceUnitOfWork
from healthcode.presence.scans import trip_id
from healthcode.presence.settings import retention
from healthcode.presence.venue_kinds import TRANSIT_KINDS

MAX_RIDE: Final = timedelta(hours=6)


@dataclass(frozen=True, kw_only=True)
class Ride:
    """A ride as the rider declares it: the line (its venue id), the vehicle, and when."""

    line: str
    vehicle: str
    boarded_at: datetime
    alighted_at: datetime


def record_ride(
    *,
    uow: PresenceUnitOfWork,
    clock: Clock,
    jurisdiction: str,
    subject: str,
    ride: Ride,
) -> Presence:
    """Record a ride on a vehicle of a line as a presence on that trip."""
    line, boarded_at, alighted_at = ride.line, ride.boarded_at, ride.alighted_at
    problems: list[Problem] = []
    vehicle = ride.vehicle.strip()
    if not 0 < len(vehicle) <= MAX_VEHICLE or not vehicle.isprintable():
        problems.append(Problem("vehicle", f"must be 1 to {MAX_VEHICLE} printable characters"))
    if alighted_at < boarded_at:
        problems.append(Problem("alighted_at", "must not be before boarded_at"))
    elif alighted_at - boarded_at > MAX_RIDE:
        problems.append(Problem("alighted_at", "a ride lasts at most 6 hours"))
    now = clock.now()
    with uow:
        if uow.persons.get(subject) is None:
            raise NotFound("person", subject)
        venue = uow.venues.venue(line)
        if venue is None or venue.jurisdiction != jurisdiction:
            problems.append(Problem("line", f"no venue {line!r} here"))
        elif venue.kind not in TRANSIT_KINDS:
            problems.append(Problem("line", f"is a {venue.kind.value}, not a bus or subway line"))
        keep = retention(uow.policies.active(jurisdiction))
        problems += check_time(boarded_at, now=now, keep=keep, field="boarded_at")
        problems += check_time(alighted_at, now=now, keep=keep, field="alighted_at")
        if problems or venue is None:  # no such line is a problem
            raise InvalidInput(problems)
        presence = Presence(
            id=new_id(),
            subject=subject,
            at=boarded_at,
            recorded_at=now,
            place_id=trip_id(venue, vehicle),
            place_kind=venue.kind.value,
            until=alighted_at,
            source="transit",
            cell=venue.cell,
        )
        uow.facts.add(presence)
        uow.commit()
    return presence
