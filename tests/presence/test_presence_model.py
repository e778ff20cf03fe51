"""Pure presence rules: coordinates, point in polygon, stays, visits, itinerary, entry rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from healthcode.kernel.errors import InvalidInput
from healthcode.kernel.facts import Colour
from healthcode.presence.geo import (
    coordinate_problems,
    distance_metres,
    in_polygon,
    parse_boundaries,
)
from healthcode.presence.stays import Ping, itinerary, merge_stays, moves
from healthcode.presence.venue_kinds import VenueKind, entry_colours

T = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
SQUARE = (((0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)),)
HOLED = (*SQUARE, ((4.0, 4.0), (6.0, 4.0), (6.0, 6.0), (4.0, 6.0), (4.0, 4.0)))


def _ping(hours: float, cell: str, place: str | None = "330100", subject: str = "a") -> Ping:
    return Ping(
        subject=subject,
        lat=0.0,
        lon=0.0,
        at=T + timedelta(hours=hours),
        source="telecom",
        cell=cell,
        jurisdiction=place,
    )


def test_coordinates_off_the_globe_are_named() -> None:
    """Latitude beyond ±90, longitude beyond ±180, NaN and text are each refused by name."""
    assert coordinate_problems(30.2, 120.1) == []
    assert [p.field for p in coordinate_problems(91, 181)] == ["lat", "lon"]
    assert [p.field for p in coordinate_problems(float("nan"), "x")] == ["lat", "lon"]
    assert [p.field for p in coordinate_problems(True, 1)] == ["lat"]


def test_distance_is_great_circle_metres() -> None:
    """One degree of latitude is about 111 km."""
    assert distance_metres(30, 120, 31, 120) == pytest.approx(111_195, rel=1e-3)


def test_point_in_polygon_honours_holes() -> None:
    """Inside the square but in its hole is outside."""
    assert in_polygon(1, 1, SQUARE)
    assert not in_polygon(11, 1, SQUARE)
    assert not in_polygon(5, 5, HOLED)
    assert in_polygon(1, 5, HOLED)


def test_bad_geojson_names_the_feature() -> None:
    """A feature without a code and an open ring are refused with their paths."""
    document = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "x"},
                "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]},
            }
        ],
    }
    with pytest.raises(InvalidInput) as refused:
        parse_boundaries(document)
    assert {p.field for p in refused.value.problems} == {
        "features[0].properties.code",
        "features[0].geometry.coordinates[0][0]",
    }


def test_consecutive_pings_in_one_cell_merge_and_gaps_split() -> None:
    """Pings an hour apart in one cell are one stay; a 3-hour gap or another cell starts anew."""
    stays = merge_stays([_ping(0, "c1"), _ping(1, "c1"), _ping(2, "c2"), _ping(5, "c2")])
    assert [(s.cell, s.pings, s.until - s.at) for s in stays] == [
        ("c1", 2, timedelta(hours=1)),
        ("c2", 1, timedelta(0)),
        ("c2", 1, timedelta(0)),
    ]


def test_itinerary_needs_four_hours_inside_the_last_fourteen_days() -> None:
    """A 4-hour visit counts, a 3h59 one does not, and time before the window is cut off."""
    four = merge_stays([_ping(0, "c1"), _ping(2, "c1"), _ping(4, "c1")])
    short = merge_stays([_ping(10, "s1", "310000"), _ping(10 + 3.99, "s1", "310000")])
    now = T + timedelta(days=1)
    assert [e.jurisdiction for e in itinerary([*four, *short], now=now)] == ["330100"]
    assert itinerary(four, now=T + timedelta(days=14, hours=1)) == []


def test_moves_skip_unknown_stretches() -> None:
    """Hangzhou, outside every boundary, Hangzhou is no move; Shanghai then Hangzhou is one."""
    stays = merge_stays([_ping(0, "a"), _ping(1, "b", None), _ping(2, "a")])
    assert moves(stays) == []
    stays = merge_stays([_ping(0, "s", "310000"), _ping(3, "a")])
    [move] = moves(stays)
    assert (move.from_region, move.to_region, move.at) == (
        "310000",
        "330100",
        T + timedelta(3 / 24),
    )


def test_entry_rules_default_and_policy_section() -> None:
    """Hospitals admit yellow by default; a policy's entry section overrides per kind."""
    assert entry_colours(VenueKind.HOSPITAL) == {Colour.GREEN, Colour.YELLOW}
    assert entry_colours(VenueKind.RESTAURANT) == {Colour.GREEN}
    section = {"restaurant": ["green", "yellow"], "default": ["green"]}
    assert entry_colours(VenueKind.RESTAURANT, section) == {Colour.GREEN, Colour.YELLOW}
    assert entry_colours(VenueKind.HOSPITAL, section) == {Colour.GREEN}
    assert entry_colours(VenueKind.OFFICE, {"office": ["purple"]}) == {Colour.GREEN}
