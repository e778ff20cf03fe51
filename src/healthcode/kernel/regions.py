"""GB/T 2260 administrative division codes: form checks, the province a code belongs to, the
time zone its calendar days are counted in, and the centres of the known jurisdictions."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import Final
from zoneinfo import ZoneInfo

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


CENTRES: dict[str, tuple[float, float, float]] = {
    "110000": (39.9042, 116.4074, 150.0),
    "310000": (31.2304, 121.4737, 120.0),
    "330100": (30.2741, 120.1551, 200.0),
}
"""(lat, lon, radius in km) of the known jurisdictions: the seat of government, and how far
from it a place of the jurisdiction can be. Used only where no boundary of the jurisdiction is
held (``presence.serving_area``)."""


def english_name(code: str) -> str:
    """The English name of a known jurisdiction, else its code."""
    return KNOWN_NAMES[code][1] if code in KNOWN_NAMES else code


_ZONES: Final = {"71": "Asia/Taipei", "81": "Asia/Hong_Kong", "82": "Asia/Macau"}
MAINLAND_ZONE: Final = "Asia/Shanghai"
"""China Standard Time (UTC+8), the one legal time of the mainland."""


@cache
def time_zone(code: str) -> ZoneInfo:
    """The zone in which the jurisdiction ``code`` counts calendar days: China Standard Time
    (``Asia/Shanghai``) on the mainland; Taiwan, Hong Kong and Macau keep their own."""
    return ZoneInfo(_ZONES.get(code[:2], MAINLAND_ZONE))


def local_date(moment: datetime, code: str) -> date:
    """The calendar day it is at ``moment`` (timezone-aware) in jurisdiction ``code``."""
    return moment.astimezone(time_zone(code)).date()
