"""Plane and sphere geometry that needs no library: coordinates, distances, jurisdiction
boundaries from GeoJSON and point-in-polygon. H3 cells live in ``presence.cells``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Final

from healthcode.kernel.errors import InvalidInput, Problem
from healthcode.kernel.regions import is_region_code
from healthcode.presence.boundary_shapes import Polygon, Ring, shape_problems

EARTH_RADIUS_METRES: Final = 6_371_008.8


def coordinate_problems(lat: object, lon: object, *, prefix: str = "") -> list[Problem]:
    """What is wrong with a position (nothing when it lies on the globe)."""
    problems: list[Problem] = []
    for name, value, limit in (("lat", lat, 90.0), ("lon", lon, 180.0)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(Problem(f"{prefix}{name}", "must be a number of degrees"))
        elif not math.isfinite(value) or not -limit <= value <= limit:
            problems.append(
                Problem(f"{prefix}{name}", f"must be between -{limit:g} and {limit:g} degrees")
            )
    return problems


def distance_metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) between two positions, in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_METRES * math.asin(min(1.0, math.sqrt(h)))


def _in_ring(lon: float, lat: float, ring: Ring) -> bool:
    """Even-odd rule: a ray to the east crosses the ring's edges an odd number of times."""
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def in_polygon(lat: float, lon: float, polygon: Polygon) -> bool:
    """True when the position is inside the outer ring and in none of the holes."""
    outer, *holes = polygon
    return _in_ring(lon, lat, outer) and not any(_in_ring(lon, lat, h) for h in holes)


@dataclass(frozen=True, kw_only=True)
class Boundary:
    """A jurisdiction's boundary: its GB/T 2260 code, name and (multi)polygon."""

    code: str
    name: str
    polygons: tuple[Polygon, ...]

    def contains(self, lat: float, lon: float) -> bool:
        return any(in_polygon(lat, lon, p) for p in self.polygons)

    def geometry(self) -> dict[str, Any]:
        """The boundary as a GeoJSON MultiPolygon geometry."""
        return {
            "type": "MultiPolygon",
            "coordinates": [[[list(pt) for pt in ring] for ring in p] for p in self.polygons],
        }


def _segment_distance(
    px: float, py: float, a: tuple[float, float], b: tuple[float, float]
) -> float:
    """Distance from (px, py) to the segment a–b on a plane."""
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def distance_outside_metres(boundary: Boundary, lat: float, lon: float) -> float:
    """How far the position lies outside the boundary (0 inside), in metres: the nearest edge,
    measured on a plane tangent at the position (exact enough within a few hundred km; farther
    away it only has to be large)."""
    if boundary.contains(lat, lon):
        return 0.0
    metres_per_degree = math.radians(1) * EARTH_RADIUS_METRES
    scale = math.cos(math.radians(lat))

    def plane(point: tuple[float, float]) -> tuple[float, float]:
        return (point[0] - lon) * scale * metres_per_degree, (point[1] - lat) * metres_per_degree

    nearest = math.inf
    for polygon in boundary.polygons:
        for ring in polygon:
            projected = [plane(p) for p in ring]
            for a, b in pairwise(projected):
                nearest = min(nearest, _segment_distance(0.0, 0.0, a, b))
    return nearest


def jurisdiction_at(boundaries: Sequence[Boundary], lat: float, lon: float) -> str | None:
    """The code of the first boundary containing the position (None when outside all)."""
    for boundary in boundaries:
        if boundary.contains(lat, lon):
            return boundary.code
    return None


def parse_boundaries(document: object, *, check_shapes: bool = True) -> list[Boundary]:
    """Boundaries from a GeoJSON FeatureCollection whose features carry ``code`` (GB/T 2260)
    and ``name`` properties and a Polygon or MultiPolygon geometry. Every problem is reported
    by feature: ``features[2].geometry: …``. Unless ``check_shapes`` is off (boundaries read
    back from storage were checked on import), each shape must be plausible
    (``presence.boundary_shapes``): non-empty, simple, enclosing an area a division can have."""
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise InvalidInput.one("geojson", "must be a GeoJSON FeatureCollection")
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise InvalidInput.one("geojson.features", "must be a non-empty list")
    problems: list[Problem] = []
    found: list[Boundary] = []
    for i, feature in enumerate(features):
        boundary = _feature(feature, f"features[{i}]", problems, check_shapes=check_shapes)
        if boundary is not None:
            found.append(boundary)
    codes = [b.code for b in found]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        problems.append(Problem("features", f"code {code} appears more than once"))
    if problems:
        raise InvalidInput(problems)
    return found


def _feature(
    feature: object, path: str, problems: list[Problem], *, check_shapes: bool
) -> Boundary | None:
    """The boundary a feature describes; None (its problems added) when it is wrong."""
    before = len(problems)
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        problems.append(Problem(path, "must be a GeoJSON Feature"))
        return None
    properties = feature.get("properties")
    props = properties if isinstance(properties, dict) else {}
    code, name = props.get("code"), props.get("name")
    if not isinstance(code, str) or not is_region_code(code):
        problems.append(Problem(f"{path}.properties.code", "must be a GB/T 2260 code"))
    if not isinstance(name, str) or not name.strip():
        problems.append(Problem(f"{path}.properties.name", "must be a non-empty string"))
    polygons = _geometry(feature.get("geometry"), f"{path}.geometry", problems)
    if check_shapes and len(problems) == before and isinstance(code, str):
        problems += shape_problems(code, polygons, f"{path}.geometry")
    if len(problems) == before and isinstance(code, str) and isinstance(name, str):
        return Boundary(code=code, name=name.strip(), polygons=polygons)
    return None


def _geometry(value: object, path: str, problems: list[Problem]) -> tuple[Polygon, ...]:
    if not isinstance(value, dict):
        problems.append(Problem(path, "must be a Polygon or MultiPolygon geometry"))
        return ()
    kind, coordinates = value.get("type"), value.get("coordinates")
    if kind == "Polygon":
        raw = [coordinates]
    elif kind == "MultiPolygon" and isinstance(coordinates, list):
        raw = coordinates
    else:
        problems.append(Problem(path, "must be a Polygon or MultiPolygon geometry"))
        return ()
    polygons: list[Polygon] = []
    for p, polygon in enumerate(raw):
        if not isinstance(polygon, list) or not polygon:
            problems.append(Problem(f"{path}.coordinates[{p}]", "must be a list of rings"))
            continue
        rings: list[Ring] = []
        for r, ring in enumerate(polygon):
            checked = _ring(ring, f"{path}.coordinates[{p}][{r}]", problems)
            if checked is not None:
                rings.append(checked)
        if len(rings) == len(polygon):
            polygons.append(tuple(rings))
    return tuple(polygons)


def _ring(value: object, path: str, problems: list[Problem]) -> Ring | None:
    if not isinstance(value, list) or len(value) < 4:
        problems.append(Problem(path, "a ring needs at least four positions"))
        return None
    points: list[tuple[float, float]] = []
    for k, position in enumerate(value):
        if not isinstance(position, list) or len(position) < 2:
            problems.append(Problem(f"{path}[{k}]", "must be [lon, lat]"))
            return None
        lon, lat = position[0], position[1]
        wrong = coordinate_problems(lat, lon, prefix=f"{path}[{k}].")
        if wrong:
            problems.extend(wrong)
            return None
        points.append((float(lon), float(lat)))
    if points[0] != points[-1]:
        problems.append(Problem(path, "a ring must end where it starts"))
        return None
    return tuple(points)
