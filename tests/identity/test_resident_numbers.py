"""GB 11643 resident identity numbers: the check character, the birth date, the region."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from healthcode.identity.validation import (
    IdType,
    birth_date_of,
    check_character,
    normalise_id_number,
    sex_of,
    validate_id_number,
)
from healthcode.kernel.errors import InvalidInput, Problem

TODAY = date(2025, 6, 15)
RESIDENT = IdType.RESIDENT
PROPERTIES = settings(max_examples=200, deadline=None, database=None)

# Independent reference for ISO 7064 MOD 11-2, as tabulated in GB 11643-1999.
REF_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
REF_CHECK = "10X98765432"
PROVINCES = sorted(
    {*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55)}
    | {*range(61, 66), 71, 81, 82}
)
ID_CHARS = "0123456789X"


def ref_check(first17: str) -> str:
    return REF_CHECK[sum(int(c) * w for c, w in zip(first17, REF_WEIGHTS, strict=True)) % 11]


def refusal(id_type: IdType, raw: str) -> list[Problem]:
    with pytest.raises(InvalidInput) as caught:
        validate_id_number(id_type, raw, today=TODAY)
    return caught.value.problems


def refusal_message(id_type: IdType, raw: str) -> str:
    problems = refusal(id_type, raw)
    assert len(problems) == 1
    assert problems[0].field == "id_number"
    return problems[0].message


@st.composite
def resident_numbers(draw: st.DrawFn) -> str:
    province = draw(st.sampled_from(PROVINCES))
    city = draw(st.integers(1, 99))
    county = draw(st.integers(0, 99))
    region = f"{province:02d}{city:02d}{county:02d}"
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
    sequence = draw(st.integers(0, 999))
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + ref_check(first17)


# --- resident numbers: properties ----------------------------------------------------------


@PROPERTIES
@given(resident_numbers())
def test_every_well_formed_resident_number_is_accepted(number: str) -> None:
    """A number with a valid province, real past birth date and MOD 11-2 check is accepted."""
    assert validate_id_number(RESIDENT, number, today=TODAY) == number


@PROPERTIES
@given(resident_numbers())
def test_any_single_character_substitution_is_refused(number: str) -> None:
    """Changing any one character to another digit or X makes the number invalid."""
    for position in range(18):
        for replacement in ID_CHARS:
            if replacement == number[position]:
                continue
            changed = number[:position] + replacement + number[position + 1 :]
            if replacement != "X" or position == 17:
                # MOD 11-2 alone catches it: every weight is nonzero modulo 11.
                assert ref_check(changed[:17]) != changed[17]
            refusal(RESIDENT, changed)


@PROPERTIES
@given(resident_numbers())
def test_birth_date_and_sex_are_read_from_the_number(number: str) -> None:
    """Digits 7-14 give the birth date; the 17th digit's parity gives the sex (odd: male)."""
    born = birth_date_of(number)
    assert f"{born:%Y%m%d}" == number[6:14]
    assert sex_of(number) == ("male" if int(number[16]) % 2 else "female")


@PROPERTIES
@given(resident_numbers())
def test_check_character_matches_the_gb_11643_table(number: str) -> None:
    """check_character agrees with the weights and table printed in GB 11643."""
    assert check_character(number[:17]) == number[17]


@PROPERTIES
@given(resident_numbers())
def test_full_width_and_spaced_forms_of_a_valid_number_are_accepted(number: str) -> None:
    """Full-width digits, lower-case x, spaces and hyphens normalise to the same number."""
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number.lower())
    raw = f" {full_width[:6]}\u3000{full_width[6:14]}-{full_width[14:]} "
    assert validate_id_number(RESIDENT, raw, today=TODAY) == number


# --- resident numbers: published and hand-checked examples ---------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",  # the GB 11643-1999 example: Beijing Chaoyang, 1949-12-31, female
        "420111198203251029",  # Wuhan Hongshan, 1982-03-25, check 9
        "510102198001011233",  # Chengdu, 1980-01-01, check 3
        "810000199408230021",  # Hong Kong resident's residence permit, 1994-08-23, check 1
    ],
)
def test_published_and_computed_examples_are_valid(number: str) -> None:
    """Numbers whose check character was verified against the standard are accepted."""
    assert validate_id_number(RESIDENT, number, today=TODAY) == number


def test_standard_example_reads_as_a_woman_born_1949_12_31() -> None:
    """The GB 11643 example decodes to birth date 1949-12-31 and sex female."""
    assert birth_date_of("11010519491231002X") == date(1949, 12, 31)
    assert sex_of("11010519491231002X") == "female"


def test_wrong_check_character_names_the_expected_one() -> None:
    """110105194912310021 is refused with 'check character should be X'."""
    assert refusal_message(RESIDENT, "110105194912310021") == "check character should be X"
    assert refusal_message(RESIDENT, "420111198203251020") == "check character should be 9"


def test_birth_before_1900_is_refused_even_with_a_right_check_character() -> None:
    """440524188001010014 has a correct check character (4) but a birth date in 1880."""
    assert check_character("44052418800101001") == "4"
    assert refusal_message(RESIDENT, "440524188001010014") == (
        "birth date should not be before 1900-01-01"
    )


def _with_check(first17: str) -> str:
    return first17 + ref_check(first17)


def test_birth_date_in_the_future_is_refused() -> None:
    """A birth date after today is refused; today itself is accepted."""
    assert refusal_message(RESIDENT, _with_check("11010520250616002")) == (
        "birth date should not be in the future"
    )
    number = _with_check("11010520250615002")
    assert validate_id_number(RESIDENT, number, today=TODAY) == number


def test_february_30_is_refused() -> None:
    """A birth date that is not a real calendar date (Feb 30, Feb 29 of 2023) is refused."""
    assert refusal_message(RESIDENT, _with_check("11010519900230002")) == (
        "birth date 19900230 (digits 7-14) is not a real date"
    )
    assert "not a real date" in refusal_message(RESIDENT, _with_check("11010520230229002"))
    leap = _with_check("11010520000229002")
    assert validate_id_number(RESIDENT, leap, today=TODAY) == leap


@pytest.mark.parametrize(
    "prefix",
    [
        "00",
        "10",
        "16",
        "20",
        "24",
        "30",
        "40",
        "47",
        "55",
        "66",
        "70",
        "72",
        "80",
        "83",
        "91",
        "99",
    ],
)
def test_number_outside_a_province_code_is_refused(prefix: str) -> None:
    """The first two digits must be a province-level code from the list in GB/T 2260."""
    message = refusal_message(RESIDENT, _with_check(f"{prefix}010519491231002"))
    assert message == f"region code should start with a province-level code, not {prefix}"


def test_region_without_a_city_is_refused() -> None:
    """A bare province code (digits 3-4 are 00) is refused, except HK/Macao/Taiwan permits."""
    assert refusal_message(RESIDENT, _with_check("11000019491231002")) == (
        "region code 110000 should name a city (digits 3-4 not 00)"
    )
    assert "should name a city" in refusal_message(RESIDENT, _with_check("81000119491231002"))


@pytest.mark.parametrize(
    ("raw", "length"),
    [("11010519491231002", 17), ("11010519491231002X1", 19), ("110105491231002", 15)],
)
def test_wrong_length_is_refused(raw: str, length: int) -> None:
    """Anything but 18 characters, including the old 15-digit form, is refused."""
    assert refusal_message(RESIDENT, raw) == f"should be 18 characters, got {length}"


@pytest.mark.parametrize("raw", ["1101051949123100X2", "11010519491231002Y", "A1010519491231002X"])
def test_x_elsewhere_than_last_or_other_letters_are_refused(raw: str) -> None:
    """Only the 18th character may be X; other letters are refused."""
    assert refusal_message(RESIDENT, raw) == "should be 17 digits followed by a digit or X"


def test_empty_number_is_refused() -> None:
    """An empty or blank number is refused as required, for every ID type."""
    for id_type in IdType:
        assert refusal_message(id_type, " \u3000 ") == "is required"


def test_full_width_and_lower_case_x_are_normalised() -> None:
    """Full-width digits and x, in either case, become ASCII with an upper-case X."""
    assert normalise_id_number("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"
    assert normalise_id_number("11010519491231002x") == "11010519491231002X"
    assert normalise_id_number("110105 1949-1231\u3000002Ｘ") == "11010519491231002X"
    assert validate_id_number(RESIDENT, "１１０１０５１９４９１２３１００２ｘ", today=TODAY) == (
        "11010519491231002X"
    )


def test_only_ascii_letters_are_upper_cased() -> None:
    """A non-ASCII letter is kept as is, so it is refused instead of case-mapped into ASCII."""
    assert normalise_id_number("eß12345") == "Eß12345"
    assert refusal_message(IdType.PASSPORT, "eß12345") == (
        "passport number should be 5 to 17 letters and digits"
    )


def test_check_character_rejects_anything_but_17_digits() -> None:
    """check_character is a programming helper: wrong input is a ValueError."""
    with pytest.raises(ValueError, match="17 ASCII digits"):
        check_character("1101051949123100")
    with pytest.raises(ValueError, match="17 ASCII digits"):
        check_character("１１０１０５１９４９１２３１００２")


def test_datetime_is_not_accepted_as_today() -> None:
    """Passing a datetime for today is a TypeError, not a silent time-zone choice."""
    with pytest.raises(TypeError, match="not a datetime"):
        validate_id_number(RESIDENT, "11010519491231002X", today=datetime(2025, 6, 15, tzinfo=UTC))


def test_birth_date_of_refuses_a_malformed_number() -> None:
    """birth_date_of raises InvalidInput on a number that is not of resident form."""
    with pytest.raises(InvalidInput):
        birth_date_of("E12345678")
