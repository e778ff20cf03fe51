"""Enrolling a synthetic city in a fresh system: the jurisdiction's keys, an organisation that
operates every venue, a venue (with its signed place code) per site, a checkpoint device at most
of them, and every resident registered (``identity.registration.register_people``, a thousand
residents a transaction)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Final

from healthcode.codes.keys import init_keys, list_keys
from healthcode.identity.registration import MAX_BATCH, Register, register_people
from healthcode.kernel.errors import InvalidInput
from healthcode.kernel.regions import time_zone
from healthcode.presence.model import Venue
from healthcode.presence.venues import VenueDetails, add_organisation, add_venue
from healthcode.simulator.acts import System
from healthcode.simulator.checkpoints import register_devices
from healthcode.simulator.model.city import City
from healthcode.simulator.model.people import identities
from healthcode.simulator.model.places import VENUE_KIND, Place, PlaceKind

KIND_NAMES: Final[dict[PlaceKind, tuple[str, str]]] = {
    PlaceKind.WORKPLACE: ("办公室", "Office"),
    PlaceKind.SCHOOL_CLASS: ("学校", "School"),
    PlaceKind.SUPERMARKET: ("超市", "Supermarket"),
    PlaceKind.MARKET: ("农贸市场", "Market"),
    PlaceKind.RESTAURANT: ("餐厅", "Restaurant"),
    PlaceKind.HOSPITAL: ("医院", "Hospital"),
}
"""What a venue of each kind is called, in Chinese and English, before its number."""
OPERATOR: Final = "模拟城市场所运营中心"
"""The one organisation that operates the synthetic city's venues."""


@dataclass(frozen=True, kw_only=True)
class Enrolment:
    """What the system knows the city by: each resident's subject (index = resident id) and the
    venue of each site (a shop, a school, an office, a bus line)."""

    subjects: tuple[str, ...]
    venues: dict[str, Venue]
    devices: dict[str, str] = field(default_factory=dict)
    """The checkpoint device of each site that has one (``simulator.checkpoints``)."""


def run_start(jurisdiction: str, day: date) -> datetime:
    """Minute 0 of a run starting on ``day``: local midnight in the jurisdiction."""
    return datetime.combine(day, time(0), tzinfo=time_zone(jurisdiction))


def enrol(
    system: System, city: City, *, start: datetime, named: Mapping[int, Register] | None = None
) -> Enrolment:
    """Set a fresh database up for ``city`` at ``start``: the jurisdiction's keys (unless it has
    keys from ``start`` on), a venue (with its place code) for each site, and every resident
    registered, with their location consent. A resident in ``named`` is registered as that
    person (name, ID and phone: the living demo's citizen); their address, district and
    consent stay the city's, so they keep their home and housemates."""
    system.clock.set(start)
    keys = list_keys(uow=system.uow(), jurisdiction=system.jurisdiction)
    if not keys:
        init_keys(
            uow=system.uow(),
            clock=system.clock,
            private_keys=system.private_keys,
            jurisdiction=system.jurisdiction,
        )
    elif min(k.valid_from for k in keys) > start:
        raise InvalidInput.one(
            "start",
            f"the jurisdiction's keys sign from {min(k.valid_from for k in keys).isoformat()}: "
            "place codes cannot be signed before; enrol the city on a database without keys",
        )
    operator = add_organisation(
        uow=system.uow(), clock=system.clock, jurisdiction=system.jurisdiction, name=OPERATOR
    )
    venues = {site: _venue(system, operator.id, place) for site, place in _sites(city).items()}
    named = named or {}
    people = [
        _as_named(
            Register(
                name=person.name,
                id_type="resident",
                id_number=person.id_number,
                phone=person.phone,
                address=person.address,
                consent_location=city.residents[person.resident].pings,
                district=person.district,
            ),
            named.get(person.resident),
        )
        for person in identities(city, today=start.date())
    ]
    subjects: list[str] = []
    for first in range(0, len(people), MAX_BATCH):
        registered = register_people(
            uow=system.uow(),
            clock=system.clock,
            jurisdiction=system.jurisdiction,
            people=people[first : first + MAX_BATCH],
        )
        subjects += [r.subject for r in registered]
    devices = register_devices(
        uow=system.uow,
        clock=system.clock,
        seed=city.seed,
        venues=venues,
        jurisdiction=system.jurisdiction,
    )
    return Enrolment(subjects=tuple(subjects), venues=venues, devices=devices)


def _as_named(own: Register, named: Register | None) -> Register:
    """``own`` registered as ``named`` (its name, ID and phone), where it lives kept."""
    if named is None:
        return own
    return replace(
        own, name=named.name, id_type=named.id_type, id_number=named.id_number, phone=named.phone
    )


def _sites(city: City) -> dict[str, Place]:
    """The first place of each site but homes (nobody checks in at their own door)."""
    sites: dict[str, Place] = {}
    for place in city.places:
        if place.kind is not PlaceKind.HOME:
            sites.setdefault(place.site, place)
    return sites


def venue_names(place: Place) -> tuple[str, str]:
    """A site's venue name in Chinese and English, by its kind and number (``supermarket-9``:
    超市9号, Supermarket No. 9; a bus line as riders say it: 12路公交, Bus line 12)."""
    number = place.site.rsplit("-", 1)[-1]
    if place.kind is PlaceKind.BUS_TRIP:
        return f"{number}路公交", f"Bus line {number}"
    zh, en = KIND_NAMES[place.kind]
    return f"{zh}{number}号", f"{en} No. {number}"


def _venue(system: System, operator: str, place: Place) -> Venue:
    name_zh, name_en = venue_names(place)
    return add_venue(
        uow=system.uow(),
        clock=system.clock,
        private_keys=system.private_keys,
        jurisdiction=system.jurisdiction,
        details=VenueDetails(
            organisation_id=operator,
            name_zh=name_zh,
            name_en=name_en,
            kind=VENUE_KIND[place.kind].value,
            lat=place.lat,
            lon=place.lon,
        ),
    )
