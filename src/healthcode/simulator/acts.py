"""The simulator's single acts through the real use cases: a phone check-in, a ride, a positive
result, a symptomatic resident's health declaration, a day's location pings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from healthcode.codes.ports import PrivateKeyStore
from healthcode.jobs.model import JobKinds
from healthcode.oversight.kinds import ProposalKinds
from healthcode.presence.checkins import PlaceScan, check_in
from healthcode.presence.locations import import_pings
from healthcode.presence.model import Venue
from healthcode.presence.transit import Ride, record_ride
from healthcode.simulator.model.disease import Course
from healthcode.simulator.model.pings import PhonePing, uploads
from healthcode.simulator.model.places import BusTrip
from healthcode.simulator.model.schedules import Visit
from healthcode.simulator.ports import SettableClock, SimulatorUnitOfWork
from healthcode.status.declarations import declare_health
from healthcode.status.test_results import record_test_result


@dataclass(frozen=True, kw_only=True)
class System:
    """The running system as the simulator reaches it: units of work, the virtual clock, the
    private-key store (place codes are signed), the jurisdiction it serves, and the tables the
    bootstrap wires (which the simulator may not import): proposal kinds and job kinds."""

    uow: Callable[[], SimulatorUnitOfWork]
    clock: SettableClock
    private_keys: PrivateKeyStore
    jurisdiction: str
    proposal_kinds: ProposalKinds | None = None
    """The kinds of four-eyes proposal: the health office reports and confirms cases by them."""
    job_kinds: JobKinds | None = None
    """The worker's kinds of job: given them, a run plays the worker's passes (tracing)."""


PING_BATCH: Final = 50_000
"""Pings in one upload (the location feed takes up to 100,000)."""


def upload_pings(
    system: System, subjects: Sequence[str], pings: list[PhonePing], start: datetime
) -> int:
    """Send ``pings`` through the location feed's use case, each phone's day whole in one
    upload (``model.pings.uploads``: batches it accepts); the stays stored."""
    stays, utc = 0, start.astimezone(UTC)  # the same instants, as the phone's clock gives them
    for upload in uploads(pings, limit=PING_BATCH):
        items = [
            (
                f"pings[{n}]",
                {
                    "subject": subjects[p.person],
                    "lat": p.lat,
                    "lon": p.lon,
                    "at": utc + timedelta(minutes=p.minute),
                    "source": "gps",
                },
            )
            for n, p in enumerate(upload)
        ]
        receipt = import_pings(
            uow=system.uow(), clock=system.clock, jurisdiction=system.jurisdiction, items=items
        )
        stays += receipt.stays
    return stays


def phone_check_in(system: System, subject: str, venue: Venue) -> str:
    result = check_in(
        uow=system.uow(),
        clock=system.clock,
        jurisdiction=system.jurisdiction,
        subject=subject,
        scan=PlaceScan(place_code=venue.place_code, lat=venue.lat, lon=venue.lon),
    )
    return result.checkin.outcome


def positive(system: System, subject: str, course: Course, start: datetime) -> None:
    assert course.sampled_at is not None  # noqa: S101 - only tested courses have a result
    record_test_result(
        uow=system.uow(),
        clock=system.clock,
        subject=subject,
        test_kind="pcr",
        result="positive",
        sampled_at=start + timedelta(minutes=course.sampled_at),
    )


def ride(
    system: System, subject: str, line: Venue, trip: BusTrip, visit: Visit, start: datetime
) -> None:
    record_ride(
        uow=system.uow(),
        clock=system.clock,
        jurisdiction=system.jurisdiction,
        subject=subject,
        ride=Ride(
            line=line.id,
            vehicle=trip.vehicle,
            boarded_at=start + timedelta(minutes=visit.start),
            alighted_at=start + timedelta(minutes=visit.end),
        ),
    )


def declare(system: System, subject: str, fever: bool, minute: int, start: datetime) -> None:
    """A resident's daily health declaration through the app's use case
    (``status.declarations.declare_health``): a fever and a cough when symptoms begin, else a
    normal temperature and no symptoms."""
    declare_health(
        uow=system.uow(),
        clock=system.clock,
        subject=subject,
        temperature=38.2 if fever else 36.5,
        symptoms=["fever", "cough"] if fever else [],
        at=start + timedelta(minutes=minute),
    )
