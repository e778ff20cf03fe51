"""GB/T 2260 administrative division codes: form checks, and the province a code belongs to."""

from __future__ import annotations

from typing import Final

PROVINCE_CODES: Final = frozenset(
    {*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55)}
    | {*range(61, 66), 71, 81, 82}
)
"""The two-digit province prefixes GB/T 2260 (and so GB 11643 ID numbers) use."""

KNOWN_NAMES: dict[str, tuple[str, str]] = {
    "110000": ("北京市", "Beijing"),
    "310000": ("上海市", "Shanghai"),
    "330100": ("杭州市", "Hangzhou"),
}


def is_region_code(code: str) -> bool:
    """Six digits with a real province prefix (the form GB/T 2260 codes take)."""
    return len(code) == 6 and code.isascii() and code.isdigit() and int(code[:2]) in PROVINCE_CODES


def province_of(code: str) -> str:
    return code[:2]


def contains(jurisdiction: str, code: str) -> bool:
    """Whether region ``code`` lies inside ``jurisdiction`` (a province, city or district):
    the jurisdiction's code without its trailing ``00`` pairs is a prefix of it."""
    prefix = jurisdiction
    while prefix.endswith("00") and len(prefix) > 2:
        prefix = prefix[:-2]
    return code.startswith(prefix)
