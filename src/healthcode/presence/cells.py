"""H3 cells (resolution 8, about 0.7 km², the size of the grids used in China)."""

from __future__ import annotations

from typing import Final

import h3  # type: ignore[import-untyped]

RESOLUTION: Final = 8


def cell_of(lat: float, lon: float, *, resolution: int = RESOLUTION) -> str:
    """The H3 cell (hex string) containing the position."""
    cell: str = h3.latlng_to_cell(lat, lon, resolution)
    return cell


def disk(cell: str, k: int = 1) -> list[str]:
    """The cell and every cell within ``k`` steps of it."""
    return list(h3.grid_disk(cell, k))


def centre(cell: str) -> tuple[float, float]:
    """The (lat, lon) of the cell's centre."""
    lat, lon = h3.cell_to_latlng(cell)
    return float(lat), float(lon)
