"""What the status feature records besides the status itself: changes of colour (and the event
each publishes), and the head of a cached status that bulk reassessment reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from hashlib import sha256
from typing import NamedTuple

from healthcode.kernel.facts import Arrival, Colour, TravelDeclaration
from healthcode.kernel.regions import province_of, time_zone
from healthcode.kernel.status import Status

DECLARED_TRAVEL = "travel_declaration"  # the source of an arrival derived from a declaration


def declared_arrival(declaration: TravelDeclaration, jurisdiction: str) -> Arrival | None:
    """The arrival a declared stay in another province stands for, as a policy reads it: from
    the declared place into ``jurisdiction`` (the person's), at the end of the stay's last day
    in the jurisdiction's calendar (the last instant the declaration says they were away), or
    when they declared if that is earlier. None for a stay in the person's own province. Its
    id is derived from the declaration's, so the same declaration gives the same arrival."""
    if province_of(declaration.place) == province_of(jurisdiction):
        return None
    zone = time_zone(jurisdiction)
    stay_ended = datetime.combine(declaration.to_date + timedelta(days=1), time(0), tzinfo=zone)
    at = min(stay_ended, declaration.at).astimezone(UTC)
    return Arrival(
        id=sha256(f"arrival:{declaration.id}".encode()).hexdigest()[:32],
        subject=declaration.subject,
        at=at,
        recorded_at=declaration.recorded_at,
        from_region=declaration.place,
        to_region=jurisdiction,
        source=DECLARED_TRAVEL,
    )


@dataclass(frozen=True, kw_only=True)
class StatusChange:
    """A change of colour: when it took effect, from what to what, why and under which policy."""

    id: int | None
    subject: str
    at: datetime
    recorded_at: datetime
    colour_from: Colour | None
    colour_to: Colour
    cause: str
    status: Status


class StatusHead(NamedTuple):
    """What reassessing needs of a cached status (not its reasons)."""

    colour: Colour
    valid_until: datetime | None
    policy_version: str


class StatusChanged(NamedTuple):
    """The event a recorded change of colour publishes (a first status, ``colour_from`` None,
    included): whoever must hear of it handles it in the same transaction."""

    change_id: str
    subject: str
    colour_from: Colour | None
    colour_to: Colour
    at: datetime
    recorded_at: datetime

    @classmethod
    def of(cls, change: StatusChange) -> StatusChanged:
        return cls(
            change_id=str(change.id),
            subject=change.subject,
            colour_from=change.colour_from,
            colour_to=change.colour_to,
            at=change.at,
            recorded_at=change.recorded_at,
        )
