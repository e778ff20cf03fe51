"""Whether a jurisdiction boundary is a plausible shape: rings of at least three distinct
positions enclosing some area, no self-intersection (GEOS validity through Shapely), and a size
and place a Chinese division can have.

The size bounds are by the division's level (its GB/T 2260 code): the largest province
(Xinjiang) is about 1.66 million km², the largest prefecture (Bayingolin) about 0.47 million
and the largest county (Ruoqiang) about 0.2 million; and every division lies within China's
extent. A boundary over those bounds (the whole world, a typo in a coordinate) is refused.
"""

from __future__ import annotations

import math
from itertools import pairwise
from typing import Final

from shapely import Polygon as ShapelyPolygon
from shapely.validation import explain_validity

from healthcode.kernel.errors import Problem

EARTH_RADIUS_KM: Final = 6_371.0088
MAX_AREA_KM2: Final = {"province": 2_000_000, "city": 600_000, "district": 250_000}
"""The largest area a boundary of each level may enclose."""
CHINA_EXTENT: Final = (73.0, 3.0, 136.0, 54.0)
"""(west, south, east, north) in degrees: every GB/T 2260 division lies inside."""

Ring = tuple[tuple[float, float], ...]  # (lon, lat) pairs, GeoJSON order
Polygon = tuple[Ring, ...]  # outer ring, then holes


def level_of(code: str) -> str:
    """province (``xx0000``), city (``xxxx00``) or district (anything finer)."""
    if code.endswith("0000"):
        return "province"
    return "city" if code.endswith("00") else "district"


def ring_area_km2(ring: Ring) -> float:
    """The area a (lon, lat) ring encloses on the sphere, in km² (the trapezoid formula of
    Chamberlain and Duquette, exact for edges along parallels and meridians)."""
    total = 0.0
    for (lon1, lat1), (lon2, lat2) in pairwise(ring):
        total += math.radians(lon2 - lon1) * (
            2 + math.sin(math.radians(lat1)) + math.sin(math.radians(lat2))
        )
    return abs(total) * EARTH_RADIUS_KM**2 / 2


def _on_one_line(ring: Ring) -> bool:
    (x0, y0), (x1, y1) = ring[0], next(p for p in ring if p != ring[0])
    return all((x1 - x0) * (y - y0) == (y1 - y0) * (x - x0) for x, y in ring)


def _ring_problem(ring: Ring) -> str | None:
    if len(set(ring)) < 3:
        return "a ring needs at least three distinct positions"
    if _on_one_line(ring):
        return "a ring must enclose some area (its positions are on one line)"
    return None


def _polygon_problems(polygon: Polygon, path: str) -> list[Problem]:
    problems = [
        Problem(f"{path}[{r}]", wrong)
        for r, ring in enumerate(polygon)
        if (wrong := _ring_problem(ring)) is not None
    ]
    if problems:
        return problems
    shape = ShapelyPolygon(polygon[0], list(polygon[1:]))
    if not shape.is_valid:
        # e.g. "Self-intersection[120.1 30.2]", "Hole lies outside shell[…]"
        return [Problem(path, f"is not a valid polygon: {explain_validity(shape)}")]
    return []


def shape_problems(code: str, polygons: tuple[Polygon, ...], path: str) -> list[Problem]:
    """What is wrong with the shape of the boundary of ``code`` (empty: nothing); ``path``
    names its geometry (``features[2].geometry``)."""
    if not polygons:
        return [Problem(path, f"{code}: is empty: a boundary needs at least one polygon")]
    problems: list[Problem] = []
    for p, polygon in enumerate(polygons):
        problems += [
            Problem(problem.field, f"{code}: {problem.message}")
            for problem in _polygon_problems(polygon, f"{path}.coordinates[{p}]")
        ]
    if problems:
        return problems
    west, south, east, north = CHINA_EXTENT
    lons = [lon for polygon in polygons for lon, _ in polygon[0]]
    lats = [lat for polygon in polygons for _, lat in polygon[0]]
    if min(lons) < west or max(lons) > east or min(lats) < south or max(lats) > north:
        problems.append(
            Problem(
                path,
                f"{code}: reaches outside China (lon {west:g}–{east:g}, lat {south:g}–{north:g}),"
                " which no GB/T 2260 division does",
            )
        )
    area = sum(ring_area_km2(p[0]) - sum(ring_area_km2(h) for h in p[1:]) for p in polygons)
    level = level_of(code)
    if area > MAX_AREA_KM2[level]:
        problems.append(
            Problem(
                path,
                f"{code}: encloses {area:,.0f} km², more than a {level} can "
                f"({MAX_AREA_KM2[level]:,} km² at most)",
            )
        )
    return problems
