"""Who the residents are to the system: a name, a valid resident ID number (GB 11643) whose
region is a district of the jurisdiction and whose birth date matches their age, a mobile
number and a home address. Drawn from the city's seed; no two residents share a number, and the
people of one household share their address (the system finds housemates by it), which no
other household has."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from healthcode.identity.validation import check_character
from healthcode.simulator.model.city import City, Resident

DISTRICTS: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "330100": (("330102", "杭州市上城区"), ("330105", "杭州市拱墅区"), ("330106", "杭州市西湖区")),
    "310000": (("310101", "上海市黄浦区"), ("310104", "上海市徐汇区"), ("310106", "上海市静安区")),
    "110000": (("110101", "北京市东城区"), ("110102", "北京市西城区"), ("110105", "北京市朝阳区")),
}
"""A few real GB/T 2260 districts of each jurisdiction the city can be built in."""
SURNAMES: Final = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN: Final = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红梅兰"
ROADS: Final = ("文三路", "延安路", "解放路", "中山路", "人民路", "建设路", "和平路", "长江路")


@dataclass(frozen=True, slots=True, kw_only=True)
class Identity:
    """What a resident registers with."""

    resident: int
    name: str
    id_number: str
    phone: str
    address: str
    district: str


def home_address(area: str, home: int) -> str:
    """The address of the ``home``-th household of ``area`` (a road and a number)."""
    return f"{area}{ROADS[home % len(ROADS)]}{home // len(ROADS) + 1}号"


def _birth_date(rng: random.Random, age: int, today: date) -> date:
    """A birth date that makes the resident ``age`` (whole years) on ``today``."""
    latest = _years_before(today, age)
    earliest = _years_before(today, age + 1) + timedelta(days=1)
    return earliest + timedelta(days=rng.randint(0, (latest - earliest).days))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _id_number(rng: random.Random, region: str, born: date, taken: set[str]) -> str:
    """A resident ID number for ``region`` and ``born`` that nobody in ``taken`` has (the
    sequence code, whose parity is the sex, is drawn until free)."""
    while True:
        first17 = f"{region}{born:%Y%m%d}{rng.randint(0, 999):03d}"
        if first17 not in taken:
            taken.add(first17)
            return first17 + check_character(first17)


def identities(city: City, *, today: date) -> list[Identity]:
    """Every resident's identity, as of ``today`` (the day they register)."""
    districts = DISTRICTS.get(city.params.jurisdiction)
    if districts is None:
        raise ValueError(f"jurisdiction: no districts are known for {city.params.jurisdiction}")
    rng = random.Random(f"people/{city.seed}")
    taken: set[str] = set()
    return [_identity(rng, r, districts, today, taken) for r in city.residents]


def _identity(
    rng: random.Random,
    resident: Resident,
    districts: tuple[tuple[str, str], ...],
    today: date,
    taken: set[str],
) -> Identity:
    region, area = districts[resident.household % len(districts)]
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    return Identity(
        resident=resident.id,
        name=rng.choice(SURNAMES) + given,
        id_number=_id_number(rng, region, _birth_date(rng, resident.age, today), taken),
        phone=f"139{resident.id:08d}",
        address=home_address(area, resident.household // len(districts)),
        district=region,
    )
