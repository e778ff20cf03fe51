"""Where things stand: positions drawn around the city's centre, their H3 cells, distances."""

from __future__ import annotations

import math
import random
from typing import Final

import h3  # type: ignore[import-untyped]

from healthcode.kernel.regions import CENTRES
from healthcode.presence.cells import RESOLUTION

KM_PER_DEGREE: Final = 111.32


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


def cell_centre(cell: str) -> tuple[float, float]:
    lat, lon = h3.cell_to_latlng(cell)
    return float(lat), float(lon)


def km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance in km between two positions of the city (equirectangular: the city is small)."""
    north = (b[0] - a[0]) * KM_PER_DEGREE
    east = (b[1] - a[1]) * KM_PER_DEGREE * math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot(north, east)
