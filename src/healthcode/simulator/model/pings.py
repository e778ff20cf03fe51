"""Where a consenting resident's phone says it is: a ping where each visit starts, one every
``PING_EVERY`` minutes while it lasts and one where it ends (a bus ride: at the boarding stop,
then at the alighting stop), as an app's location feed or an operator's location updates would
report them. The interval is under the two hours that join two pings into one stay
(``presence.stays.STAY_MAX_GAP``), so a phone at home all evening is one stay of the evening,
as real phones' are, not two instants; the companion rule's dwell (hours in a cell over 14 days)
needs that."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter
from typing import Final

from healthcode.simulator.model.city import City
from healthcode.simulator.model.geography import cell_centre
from healthcode.simulator.model.schedules import Visit
from healthcode.simulator.model.transit import Ride

PING_EVERY: Final = 115
"""Minutes between two pings of a phone staying in one place."""


@dataclass(frozen=True, slots=True)
class PhonePing:
    """``person``'s phone was at (lat, lon) at ``minute`` (from the start of the run)."""

    person: int
    lat: float
    lon: float
    minute: int


def pings_of(city: City, visits: list[Visit]) -> list[PhonePing]:
    """The pings of the visits of residents who consented to location pings, in time order."""
    trips = {
        trip.place: (index, trip) for index, line in enumerate(city.lines) for trip in line.trips
    }
    pings: list[PhonePing] = []
    for visit in visits:
        resident = city.residents[visit.person]
        if not resident.pings:
            continue
        last = max(visit.start, visit.end - 1)
        if visit.place in trips:
            line, _ = trips[visit.place]
            ride = _ride_on(line, resident.ride_out, resident.ride_back)
            stops = city.lines[line].stops
            begin = cell_centre(stops[ride.board]) if ride else _at(city, visit)
            end = cell_centre(stops[ride.alight]) if ride else begin
        else:
            begin = end = _at(city, visit)
        pings.append(PhonePing(visit.person, begin[0], begin[1], visit.start))
        if begin == end:
            pings += [
                PhonePing(visit.person, begin[0], begin[1], minute)
                for minute in range(visit.start + PING_EVERY, last, PING_EVERY)
            ]
        pings.append(PhonePing(visit.person, end[0], end[1], last))
    return sorted(pings, key=lambda p: (p.minute, p.person))


def _ride_on(line: int, *rides: Ride | None) -> Ride | None:
    return next((r for r in rides if r is not None and r.line == line), None)


def _at(city: City, visit: Visit) -> tuple[float, float]:
    place = city.places[visit.place]
    return place.lat, place.lon


def uploads(pings: list[PhonePing], *, limit: int) -> Iterator[list[PhonePing]]:
    """``pings`` as the phones send them: each phone's day whole in one upload (several phones
    to an upload, at most ``limit`` pings unless one phone alone sends more), each phone's in
    time order. A stay is made of one upload's pings: cut between two uploads, a day at work
    would be stored as one stay a ping, each of no length."""
    upload: list[PhonePing] = []
    ordered = sorted(pings, key=attrgetter("person", "minute"))
    for _person, own in groupby(ordered, key=attrgetter("person")):
        phone = list(own)
        if upload and len(upload) + len(phone) > limit:
            yield upload
            upload = []
        upload += phone
    if upload:
        yield upload
