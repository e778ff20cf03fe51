"""The area an instance serves, and the refusal of positions outside it.

A venue, and a check-in's phone position, must lie in the jurisdiction the instance serves:

- when a boundary of the jurisdiction is held (imported with ``geo import``, else the bundled
  approximate one), inside it or at most ``MARGIN_METRES`` outside (the bundled outlines have a
  dozen vertices each, and a venue by the border must not be refused for that);
- else, when its centre is known (``kernel.regions.CENTRES``), within its radius of the centre;
- else (a jurisdiction with neither) positions are not checked.

The refusal names the position, its distance from the jurisdiction and the rule:
``lat: (39.9087, 116.3975) is 1,130 km from Hangzhou (1,046 km outside its boundary); this
instance serves 330100 杭州市 Hangzhou …``.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Final

from healthcode.kernel.errors import Problem
from healthcode.kernel.regions import CENTRES, english_name
from healthcode.presence.geo import (
    Boundary,
    distance_metres,
    distance_outside_metres,
    parse_boundaries,
)
from healthcode.presence.ports import PresenceUnitOfWork

BUNDLED_BOUNDARIES: Final = "jurisdictions-approximate.geojson"
MARGIN_METRES: Final = 10_000.0


def bundled_boundaries() -> list[Boundary]:
    """The approximate boundaries of Hangzhou, Shanghai and Beijing shipped with the package."""
    return list(_bundled())


@cache
def _bundled() -> tuple[Boundary, ...]:  # a file of the package: read and checked once
    text = resources.files("healthcode").joinpath("geodata", BUNDLED_BOUNDARIES).read_text("utf-8")
    return tuple(parse_boundaries(json.loads(text)))


def boundaries_in(uow: PresenceUnitOfWork) -> list[Boundary]:
    """The imported boundaries, else the bundled approximate ones."""
    return uow.boundaries.all() or bundled_boundaries()


def boundary_of(uow: PresenceUnitOfWork, code: str) -> Boundary | None:
    """The boundary in use for ``code``: the imported one, else (when none at all is imported)
    the bundled one; None when neither is held."""
    if uow.boundaries.any_imported():
        return uow.boundaries.one(code)
    return next((b for b in _bundled() if b.code == code), None)


def _km(metres: float) -> str:
    return f"{metres / 1000:,.0f} km"


def outside_problems(
    uow: PresenceUnitOfWork, *, jurisdiction: str, lat: float, lon: float, field: str = "lat"
) -> list[Problem]:
    """A problem naming ``field`` when (lat, lon) is outside the area the instance serving
    ``jurisdiction`` serves (empty when inside, or when the area is unknown)."""
    boundary = boundary_of(uow, jurisdiction)
    centre = CENTRES.get(jurisdiction)
    where = f"({lat}, {lon})"
    name = english_name(jurisdiction)
    if boundary is not None:
        outside = distance_outside_metres(boundary, lat, lon)
        if outside <= MARGIN_METRES:
            return []
        far = f"is {_km(outside)} outside the boundary of {name}"
        if centre is not None:
            far = f"is {_km(distance_metres(lat, lon, centre[0], centre[1]))} from {name} "
            far += f"({_km(outside)} outside its boundary)"
        rule = f"more than {_km(MARGIN_METRES)} outside its boundary is refused"
        serves = f"{jurisdiction} {boundary.name}"
    elif centre is not None:
        away = distance_metres(lat, lon, centre[0], centre[1])
        if away <= centre[2] * 1000:
            return []
        far = f"is {_km(away)} from the centre of {name}"
        rule = f"a place more than {centre[2]:,.0f} km from its centre is refused"
        serves = f"{jurisdiction} {name}"
    else:
        return []
    return [Problem(field, f"{where} {far}; this instance serves {serves}: {rule}")]
