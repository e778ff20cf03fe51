"""Where things stand: positions drawn around the city's centre, their H3 cells, distances."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from functools import cache
from typing import Final

import h3  # type: ignore[import-untyped]

from healthcode.kernel.regions import CENTRES
from healthcode.presence.cells import RESOLUTION

KM_PER_DEGREE: Final = 111.32
MAX_RINGS: Final = 30
FEW: Final = 64
"""Below this many points, ``Nearest`` compares them all (cheaper than walking rings)."""
"""Rings of coarse cells ``Nearest`` searches before it compares every point."""


def centre_of(jurisdiction: str) -> tuple[float, float]:
    """The (lat, lon) the synthetic city is built around: the jurisdiction's seat of government
    (``kernel.regions.CENTRES``: Hangzhou, Shanghai or Beijing)."""
    if jurisdiction not in CENTRES:
        known = ", ".join(sorted(CENTRES))
        raise ValueError(f"jurisdiction: no centre is known for {jurisdiction} (known: {known})")
    lat, lon, _ = CENTRES[jurisdiction]
    return lat, lon


def offset(lat: float, lon: float, north_km: float, east_km: float) -> tuple[float, float]:
    """The position ``north_km`` north and ``east_km`` east of (lat, lon) (a flat city)."""
    dlat = north_km / KM_PER_DEGREE
    dlon = east_km / (KM_PER_DEGREE * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


def scatter(
    rng: random.Random, centre: tuple[float, float], radius_km: float
) -> tuple[float, float]:
    """A position drawn uniformly over the disc of ``radius_km`` around ``centre``."""
    r = radius_km * math.sqrt(rng.random())
    angle = 2 * math.pi * rng.random()
    return offset(centre[0], centre[1], r * math.cos(angle), r * math.sin(angle))


def cell_at(lat: float, lon: float) -> str:
    """The H3 cell (the presence layer's resolution) holding the position."""
    cell: str = h3.latlng_to_cell(lat, lon, RESOLUTION)
    return cell


def path_cells(start: str, end: str) -> tuple[str, ...]:
    """The H3 cells a straight line from ``start`` to ``end`` crosses, in order."""
    return tuple(str(c) for c in h3.grid_path_cells(start, end))


def disk(cell: str, rings: int) -> list[str]:
    """The cell and every cell within ``rings`` steps of it."""
    return [str(c) for c in h3.grid_disk(cell, rings)]


@cache
def cell_centre(cell: str) -> tuple[float, float]:
    lat, lon = h3.cell_to_latlng(cell)
    return float(lat), float(lon)


def km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance in km between two positions of the city (equirectangular: the city is small)."""
    north = (b[0] - a[0]) * KM_PER_DEGREE
    east = (b[1] - a[1]) * KM_PER_DEGREE * math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot(north, east)


class Nearest:
    """The nearest of many points, found without looking at them all: the points are bucketed
    in a square grid (about two points a square), searched in square rings outwards from the
    query's square until no further ring can hold a nearer point."""

    def __init__(self, points: Sequence[tuple[float, float]]) -> None:
        if not points:
            raise ValueError("points: at least one is needed")
        self.points = points
        self.lat0, self.lon0 = points[0]
        self.east = KM_PER_DEGREE * math.cos(math.radians(self.lat0))
        xs = [(lon - self.lon0) * self.east for _, lon in points]
        ys = [(lat - self.lat0) * KM_PER_DEGREE for lat, _ in points]
        area = max((max(xs) - min(xs)) * (max(ys) - min(ys)), 0.01)
        self.size = max(0.05, math.sqrt(2 * area / len(points)))
        self.buckets: dict[tuple[int, int], list[int]] = {}
        for index, (x, y) in enumerate(zip(xs, ys, strict=True)):
            self.buckets.setdefault(
                (math.floor(x / self.size), math.floor(y / self.size)), []
            ).append(index)
        cells = list(self.buckets)
        self.bounds = (
            min(c[0] for c in cells),
            max(c[0] for c in cells),
            min(c[1] for c in cells),
            max(c[1] for c in cells),
        )

    def index(self, at: tuple[float, float]) -> int:
        """The index of the point nearest ``at`` (the lowest of equals)."""
        if len(self.points) <= FEW:
            return min(range(len(self.points)), key=lambda i: (km_between(at, self.points[i]), i))
        cx = math.floor((at[1] - self.lon0) * self.east / self.size)
        cy = math.floor((at[0] - self.lat0) * KM_PER_DEGREE / self.size)
        x0, x1, y0, y1 = self.bounds
        last = max(abs(cx - x0), abs(cx - x1), abs(cy - y0), abs(cy - y1))
        best: tuple[float, int] | None = None
        for k in range(last + 1):
            # every point of ring k is at least k - 1 squares away (a little less: the grid is
            # flat, distances are measured at the mean latitude of the two points)
            if best is not None and (k - 1) * self.size * 0.99 > best[0]:
                break
            for cell in _square_ring(cx, cy, k):
                for i in self.buckets.get(cell, ()):
                    candidate = (km_between(at, self.points[i]), i)
                    if best is None or candidate < best:
                        best = candidate
        assert best is not None  # noqa: S101 - the rings up to ``last`` cover every bucket
        return best[1]


def _square_ring(cx: int, cy: int, k: int) -> list[tuple[int, int]]:
    """The squares at Chebyshev distance ``k`` from (cx, cy)."""
    if k == 0:
        return [(cx, cy)]
    ring = [(cx + dx, cy + dy) for dx in range(-k, k + 1) for dy in (-k, k)]
    ring += [(cx + dx, cy + dy) for dx in (-k, k) for dy in range(-k + 1, k)]
    return ring
