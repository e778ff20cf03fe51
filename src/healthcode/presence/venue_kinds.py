"""Venues and their entry rules: the kinds of place a checkpoint or place code stands at.

The entry rule of each kind (which colours pass) is policy data: a policy may carry an
``entry:`` section mapping a venue kind (or ``default``) to the colours that pass. Until then
the published practice below is the default: hospitals admit green and yellow (people under
home observation still need care), everything else admits green only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from healthcode.kernel.facts import Colour


class VenueKind(StrEnum):
    BUS_ROUTE = "bus_route"
    SUBWAY_STATION = "subway_station"
    SUPERMARKET = "supermarket"
    MARKET = "market"
    RESTAURANT = "restaurant"
    OFFICE = "office"
    FACTORY = "factory"
    SCHOOL = "school"
    HOSPITAL = "hospital"
    HOUSING_ESTATE = "housing_estate"
    OTHER = "other"


TRANSIT_KINDS: Final = frozenset({VenueKind.BUS_ROUTE, VenueKind.SUBWAY_STATION})

GREEN_ONLY: Final = frozenset({Colour.GREEN})
GREEN_AND_YELLOW: Final = frozenset({Colour.GREEN, Colour.YELLOW})

DEFAULT_ENTRY: Final[Mapping[VenueKind, frozenset[Colour]]] = MappingProxyType(
    {kind: GREEN_AND_YELLOW if kind is VenueKind.HOSPITAL else GREEN_ONLY for kind in VenueKind}
)
"""Published practice: hospitals admit green and yellow; every other kind green only."""

DEFAULT_CHECKIN_DISTANCE_METRES: Final = 1_000.0
"""A check-in farther than this from its venue is flagged (policy ``checkin.max_distance_m``)."""

DEFAULT_RETENTION_DAYS: Final = 21
"""Presence and location data older than this is refused and purged (policy
``retention.presence_days``; DESIGN §8)."""


def parse_kind(raw: str) -> VenueKind | None:
    """The venue kind named ``raw``, or None."""
    try:
        return VenueKind(raw)
    except ValueError:
        return None


def kinds_text() -> str:
    return ", ".join(k.value for k in VenueKind)


def entry_colours(
    kind: VenueKind, section: Mapping[str, object] | None = None
) -> frozenset[Colour]:
    """The colours that pass at a venue of ``kind``: the policy's ``entry`` section if it names
    the kind (or a ``default``), else the published default."""
    if section:
        for key in (kind.value, "default"):
            colours = _colours(section.get(key))
            if colours is not None:
                return colours
    return DEFAULT_ENTRY[kind]


def _colours(value: object) -> frozenset[Colour] | None:
    if not isinstance(value, Iterable) or isinstance(value, str | bytes):
        return None
    try:
        return frozenset(Colour(str(v)) for v in value)
    except ValueError:
        return None


def outcome_for(colour: Colour, accepted: frozenset[Colour]) -> str:
    """``pass`` when the colour passes here, else ``stop``."""
    return "pass" if colour in accepted else "stop"
