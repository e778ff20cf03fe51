"""What the status feature records besides the status itself: changes of colour (and the event
each publishes), and the head of a cached status that bulk reassessment reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from healthcode.kernel.facts import Colour
from healthcode.kernel.status import Status


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
