"""Other identity data: passports and permits, mainland mobile numbers, addresses."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from healthcode.identity.validation import (
    IdType,
    normalise_address,
    validate_id_number,
    validate_phone,
)
from healthcode.kernel.errors import InvalidInput, Problem

TODAY = date(2025, 6, 15)
PROPERTIES = settings(max_examples=200, deadline=None, database=None)


def refusal_of(id_type: IdType, raw: str) -> list[Problem]:
    with pytest.raises(InvalidInput) as caught:
        validate_id_number(id_type, raw, today=TODAY)
    return caught.value.problems


# --- other ID types ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("E12345678", "E12345678"),
        ("ea1234567", "EA1234567"),
        ("G 1234 5678", "G12345678"),
        ("12345", "12345"),
        ("AB1234567890CDEFG", "AB1234567890CDEFG"),
    ],
)
def test_passports_of_common_forms_are_accepted(raw: str, expected: str) -> None:
    """Passport numbers of 5 to 17 letters and digits are accepted, normalised."""
    assert validate_id_number(IdType.PASSPORT, raw, today=TODAY) == expected


@pytest.mark.parametrize("raw", ["E123", "AB1234567890CDEFGH", "E1234/678", "E1234.678"])
def test_passports_of_other_forms_are_refused(raw: str) -> None:
    """Too short, too long, or with punctuation: refused with the passport rule."""
    assert refusal_of(IdType.PASSPORT, raw) == [
        Problem("id_number", "passport number should be 5 to 17 letters and digits")
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("H12345678", "H12345678"),
        ("m87654321", "M87654321"),
        ("Ｈ１２３４５６７８", "H12345678"),
        ("H1234567801", "H1234567801"),
    ],
)
def test_hk_macao_permits_are_accepted(raw: str, expected: str) -> None:
    """H or M followed by 8 digits (10 on the older form) is accepted."""
    assert validate_id_number(IdType.HK_MACAO_PERMIT, raw, today=TODAY) == expected


@pytest.mark.parametrize(
    "raw", ["C12345678", "H1234567", "H123456789", "H123456789012", "12345678"]
)
def test_hk_macao_permits_of_other_forms_are_refused(raw: str) -> None:
    """Another letter, or 7, 9 or 12 digits, is refused with the permit rule."""
    assert refusal_of(IdType.HK_MACAO_PERMIT, raw) == [
        Problem(
            "id_number",
            "Hong Kong/Macao permit number should be H or M followed by 8 digits (10 on old forms)",
        )
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12345678", "12345678"), ("1234567801", "1234567801"), ("１２３４ ５６７８", "12345678")],
)
def test_taiwan_permits_are_accepted(raw: str, expected: str) -> None:
    """8 digits (10 on the older form) is accepted."""
    assert validate_id_number(IdType.TAIWAN_PERMIT, raw, today=TODAY) == expected


@pytest.mark.parametrize("raw", ["1234567", "123456789", "T12345678", "12345678(B)"])
def test_taiwan_permits_of_other_forms_are_refused(raw: str) -> None:
    """7 or 9 digits, a letter, or a bracketed suffix is refused with the permit rule."""
    assert refusal_of(IdType.TAIWAN_PERMIT, raw) == [
        Problem("id_number", "Taiwan permit number should be 8 digits (10 on old forms)")
    ]


def test_id_type_values_are_the_stored_strings() -> None:
    """IdType members are the strings used in storage and the API, and parse back."""
    assert [t.value for t in IdType] == ["resident", "passport", "hk_macao_permit", "taiwan_permit"]
    assert IdType("taiwan_permit") is IdType.TAIWAN_PERMIT


# --- phones --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "13812341234",
        "138 1234 1234",
        "138-1234-1234",
        "+86 138 1234 1234",
        "+8613812341234",
        "8613812341234",
        "86-138-1234-1234",
        "１３８１２３４１２３４",
        "＋８６\u3000１３８１２３４１２３４",
    ],
)
def test_mainland_mobile_numbers_are_normalised(raw: str) -> None:
    """Spaces, hyphens, a +86 or 86 prefix and full-width digits all give the 11 digits."""
    assert validate_phone(raw) == "13812341234"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "is required"),
        ("138123412345", "should be 11 digits, got 12"),
        ("1381234123", "should be 11 digits, got 10"),
        ("12812341234", "should start with 1 followed by a digit from 3 to 9"),
        ("23812341234", "should start with 1 followed by a digit from 3 to 9"),
        ("8612812341234", "should start with 1 followed by a digit from 3 to 9"),
        ("+85291234567", "should be a mainland number: country code +86 or none"),
        ("138(1234)1234", "should contain only digits"),
        ("1381234123٤", "should contain only digits"),
    ],
)
def test_other_phone_numbers_are_refused(raw: str, message: str) -> None:
    """Wrong length, wrong leading digits or non-digits: refused on field phone."""
    with pytest.raises(InvalidInput) as caught:
        validate_phone(raw)
    assert caught.value.problems == [Problem("phone", message)]


@PROPERTIES
@given(st.sampled_from("3456789"), st.text("0123456789", min_size=9, max_size=9))
def test_every_mobile_number_of_the_plan_is_accepted(second: str, rest: str) -> None:
    """Any 1, then 3-9, then 9 digits is accepted as is and with a +86 prefix."""
    phone = f"1{second}{rest}"
    assert validate_phone(phone) == phone
    assert validate_phone(f"+86{phone}") == phone


# --- addresses -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("  杭州市　西湖区  文三路１２３号 ", "杭州市 西湖区 文三路123号"),
        ("Room ８０１，Ｂｌｄｇ\tA", "room 801,bldg a"),
        ("STRASSE 1", "strasse 1"),
        ("Straße 1", "strasse 1"),
        ("\n", ""),
    ],
)
def test_addresses_are_normalised_for_matching(raw: str, normalised: str) -> None:
    """NFKC, case-folding, whitespace collapsed and stripped, full-width to half-width."""
    assert normalise_address(raw) == normalised


@PROPERTIES
@given(st.text(max_size=40))
def test_address_normalisation_is_idempotent(raw: str) -> None:
    """Normalising an already normalised address changes nothing."""
    once = normalise_address(raw)
    assert normalise_address(once) == once
