"""The places of the synthetic city, and the contact class sharing each kind of place makes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from healthcode.presence.venue_kinds import VenueKind


class PlaceKind(StrEnum):
    HOME = "home"
    WORKPLACE = "workplace"
    SCHOOL_CLASS = "school_class"
    SUPERMARKET = "supermarket"
    MARKET = "market"
    RESTAURANT = "restaurant"
    HOSPITAL = "hospital"
    BUS_TRIP = "bus_trip"


class ContactClass(StrEnum):
    """How close two people sharing a place are (REFERENCE.md, epidemiology for calibration):
    the same household; a close contact (the same team at work or the same school class, hours a
    day at arm's length); a casual contact (shoppers, diners, passengers)."""

    HOUSEHOLD = "household"
    CLOSE = "close"
    CASUAL = "casual"


CONTACT_CLASS: Final[dict[PlaceKind, ContactClass]] = {
    PlaceKind.HOME: ContactClass.HOUSEHOLD,
    PlaceKind.WORKPLACE: ContactClass.CLOSE,
    PlaceKind.SCHOOL_CLASS: ContactClass.CLOSE,
    PlaceKind.SUPERMARKET: ContactClass.CASUAL,
    PlaceKind.MARKET: ContactClass.CASUAL,
    PlaceKind.RESTAURANT: ContactClass.CASUAL,
    PlaceKind.HOSPITAL: ContactClass.CASUAL,
    PlaceKind.BUS_TRIP: ContactClass.CASUAL,
}

CLOSENESS: Final[dict[ContactClass, int]] = {
    ContactClass.HOUSEHOLD: 2,
    ContactClass.CLOSE: 1,
    ContactClass.CASUAL: 0,
}
"""When two people meet in several settings, the pair counts in its closest one."""

VENUE_KIND: Final[dict[PlaceKind, VenueKind]] = {
    PlaceKind.HOME: VenueKind.HOUSING_ESTATE,
    PlaceKind.WORKPLACE: VenueKind.OFFICE,
    PlaceKind.SCHOOL_CLASS: VenueKind.SCHOOL,
    PlaceKind.SUPERMARKET: VenueKind.SUPERMARKET,
    PlaceKind.MARKET: VenueKind.MARKET,
    PlaceKind.RESTAURANT: VenueKind.RESTAURANT,
    PlaceKind.HOSPITAL: VenueKind.HOSPITAL,
    PlaceKind.BUS_TRIP: VenueKind.BUS_ROUTE,
}
"""The kind of venue of the real system each place stands for (a bus trip rides a route)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Place:
    """One place people share: a home, a team's office floor, a school class, a shop, a bus trip.

    ``site`` names the venue it belongs to (a school's classes share their school; a bus line's
    trips share the line); ``capacity`` is how many it holds comfortably (crowding is measured
    against it)."""

    id: int
    kind: PlaceKind
    site: str
    lat: float
    lon: float
    cell: str
    capacity: int

    @property
    def contact_class(self) -> ContactClass:
        return CONTACT_CLASS[self.kind]


@dataclass(frozen=True, slots=True, kw_only=True)
class BusTrip:
    """A scheduled departure of a line: the vehicle that runs it, when it leaves its first stop
    (minutes after local midnight) and how long it takes end to end."""

    place: int
    line: str
    vehicle: str
    departs: int
    minutes: int


@dataclass(frozen=True, slots=True, kw_only=True)
class BusLine:
    """A bus line: its stops (H3 cells, in order) and its trips of the day (a weekday
    timetable; it runs the same at weekends)."""

    name: str
    stops: tuple[str, ...]
    trips: tuple[BusTrip, ...]
