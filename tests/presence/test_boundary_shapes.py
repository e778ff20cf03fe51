"""Boundary shapes checked on import: empty, degenerate, self-intersecting and implausibly large
boundaries are refused naming the feature and the rule; the bundled ones pass."""

from __future__ import annotations

from typing import Any

import pytest

from healthcode.kernel.errors import InvalidInput
from healthcode.presence.boundary_shapes import ring_area_km2
from healthcode.presence.geo import distance_outside_metres, parse_boundaries
from healthcode.presence.locations import bundled_boundaries

WEST_LAKE_RING = [[120.0, 30.1], [120.3, 30.1], [120.3, 30.4], [120.0, 30.4], [120.0, 30.1]]


def _document(geometry: dict[str, Any], code: str = "330106") -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "330102", "name": "上城区"},
                "geometry": {"type": "Polygon", "coordinates": [WEST_LAKE_RING]},
            },
            {
                "type": "Feature",
                "properties": {"code": code, "name": "西湖区"},
                "geometry": geometry,
            },
        ],
    }


def _refusal(geometry: dict[str, Any], code: str = "330106") -> list[str]:
    with pytest.raises(InvalidInput) as refused:
        parse_boundaries(_document(geometry, code))
    return [str(p) for p in refused.value.problems]


def test_the_bundled_boundaries_pass_the_shape_checks() -> None:
    """The three bundled outlines are valid, non-empty and of a city's or province's size."""
    assert [b.code for b in bundled_boundaries()] == ["330100", "310000", "110000"]


def test_an_empty_multipolygon_is_refused() -> None:
    """A MultiPolygon without polygons is refused as empty, naming the feature and its code."""
    assert _refusal({"type": "MultiPolygon", "coordinates": []}) == [
        "features[1].geometry: 330106: is empty: a boundary needs at least one polygon"
    ]


def test_a_ring_of_fewer_than_three_distinct_positions_is_refused() -> None:
    """Four positions that are only two distinct points make no ring."""
    ring = [[120.0, 30.1], [120.3, 30.1], [120.0, 30.1], [120.0, 30.1]]
    assert _refusal({"type": "Polygon", "coordinates": [ring]}) == [
        "features[1].geometry.coordinates[0][0]: 330106: "
        "a ring needs at least three distinct positions"
    ]


def test_a_ring_without_area_is_refused() -> None:
    """Three distinct positions on one line enclose nothing."""
    ring = [[120.0, 30.1], [120.1, 30.1], [120.2, 30.1], [120.0, 30.1]]
    assert _refusal({"type": "Polygon", "coordinates": [ring]}) == [
        "features[1].geometry.coordinates[0][0]: 330106: "
        "a ring must enclose some area (its positions are on one line)"
    ]


def test_an_unclosed_ring_is_refused() -> None:
    """A ring that does not end where it starts is refused (as before)."""
    assert _refusal(
        {"type": "Polygon", "coordinates": [[*WEST_LAKE_RING[:-1], [120.1, 30.2]]]}
    ) == ["features[1].geometry.coordinates[0][0]: a ring must end where it starts"]


def test_a_self_intersecting_ring_is_refused_naming_where() -> None:
    """A bow tie crosses itself: refused, naming the crossing point."""
    bow_tie = [[120.0, 30.1], [120.3, 30.4], [120.3, 30.1], [120.0, 30.4], [120.0, 30.1]]
    [message] = _refusal({"type": "Polygon", "coordinates": [bow_tie]})
    assert message.startswith("features[1].geometry.coordinates[0]: 330106: is not a valid polygon")
    assert "Self-intersection[120.15 30.25]" in message


def test_a_hole_outside_its_shell_is_refused() -> None:
    """A hole must lie inside its outer ring."""
    hole = [[121.0, 31.0], [121.1, 31.0], [121.1, 31.1], [121.0, 31.1], [121.0, 31.0]]
    [message] = _refusal({"type": "Polygon", "coordinates": [WEST_LAKE_RING, hole]})
    assert "330106: is not a valid polygon: Hole lies outside shell" in message


def test_the_whole_world_is_refused() -> None:
    """A boundary around the whole globe reaches outside China and is far too large."""
    world = [[-180, -90], [180, -90], [180, 90], [-180, 90], [-180, -90]]
    assert _refusal({"type": "Polygon", "coordinates": [world]}, code="330100") == [
        "features[1].geometry: 330100: reaches outside China (lon 73–136, lat 3–54), "
        "which no GB/T 2260 division does",
        "features[1].geometry: 330100: encloses 510,065,881 km², more than a city can "
        "(600,000 km² at most)",
    ]


def test_a_district_larger_than_any_county_is_refused() -> None:
    """Ten by ten degrees inside China is fine for a province but not for a district."""
    big = [[100.0, 30.0], [110.0, 30.0], [110.0, 40.0], [100.0, 40.0], [100.0, 30.0]]
    [message] = _refusal({"type": "Polygon", "coordinates": [big]})
    assert message.startswith("features[1].geometry: 330106: encloses 1,0")
    assert message.endswith("more than a district can (250,000 km² at most)")
    assert parse_boundaries(_document({"type": "Polygon", "coordinates": [big]}, code="620000"))


def test_spherical_area_of_a_one_degree_cell_at_the_equator() -> None:
    """One degree square at the equator is about 12,364 km²."""
    cell = ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0))
    assert ring_area_km2(cell) == pytest.approx(12_364, rel=1e-3)


def test_distance_outside_a_boundary_is_to_its_nearest_edge() -> None:
    """Inside is 0; a point 0.1° north of the top edge is about 11.1 km outside."""
    [boundary] = parse_boundaries(_document({"type": "Polygon", "coordinates": [WEST_LAKE_RING]}))[
        1:
    ]
    assert distance_outside_metres(boundary, 30.2, 120.1) == 0.0
    assert distance_outside_metres(boundary, 30.5, 120.15) == pytest.approx(11_119, rel=1e-3)
