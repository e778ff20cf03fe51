"""Synthetic residents' identities: valid, unique, consistent with their ages (pure model)."""

from __future__ import annotations

from datetime import date

import pytest

from healthcode.identity.validation import IdType, validate_id_number, validate_phone
from healthcode.kernel.regions import contains
from healthcode.simulator.model.city import CityParams, build_city
from healthcode.simulator.model.people import identities

TODAY = date(2026, 3, 2)


@pytest.mark.parametrize("jurisdiction", ["330100", "310000", "110000"])
def test_identities_are_valid_and_unique(jurisdiction: str) -> None:
    """Every ID number and phone passes the registration rules and no two residents share one."""
    city = build_city(CityParams(population=1200, jurisdiction=jurisdiction), seed=5)
    people = identities(city, today=TODAY)
    assert len({p.id_number for p in people}) == len({p.phone for p in people}) == 1200
    for person in people:
        assert (
            validate_id_number(IdType.RESIDENT, person.id_number, today=TODAY) == person.id_number
        )
        assert validate_phone(person.phone) == person.phone
        assert contains(jurisdiction, person.district)
        assert person.id_number.startswith(person.district)


def test_birth_dates_match_ages() -> None:
    """The birth date in each ID number makes the resident exactly their age on the day."""
    city = build_city(CityParams(population=500), seed=6)
    for resident, person in zip(city.residents, identities(city, today=TODAY), strict=True):
        born = date(
            int(person.id_number[6:10]), int(person.id_number[10:12]), int(person.id_number[12:14])
        )
        age = TODAY.year - born.year - ((TODAY.month, TODAY.day) < (born.month, born.day))
        assert age == resident.age


def test_same_seed_same_people() -> None:
    """The same city gives the same names and numbers."""
    city = build_city(CityParams(population=200), seed=8)
    assert identities(city, today=TODAY) == identities(city, today=TODAY)


def test_a_household_shares_one_address_that_no_other_household_has() -> None:
    """Housemates register the same address (the system's households), each home its own."""
    city = build_city(CityParams(population=3000), seed=7)
    addresses: dict[int, set[str]] = {}
    for resident, person in zip(city.residents, identities(city, today=TODAY), strict=True):
        addresses.setdefault(resident.household, set()).add(person.address)
    assert all(len(one) == 1 for one in addresses.values())
    assert len({next(iter(one)) for one in addresses.values()}) == len(addresses) > 500
