"""Identity data: ID numbers by type, mainland mobile numbers, display masks, addresses.

Pure functions, stdlib only. Validators return the normalised value or raise `InvalidInput`
whose `Problem` names the field (`id_number`, `phone`) and the rule broken.

What is accepted, by ID type (after `normalise_id_number`):

- `resident` — 18-character PRC resident identity number, GB 11643-1999. Form checks only
  (no lookup in the GB/T 2260 table of region codes):
  1. exactly 18 characters: 17 digits, then a digit or `X`;
  2. digits 1–2 are a province-level code: 11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71, 81, 82;
  3. digits 3–4 (the city part of the 6-digit region) are not `00` — a bare province code is
     never issued. Exception: `810000`, `820000` and `830000`, the region codes GB 11643 numbers
     on residence permits for Hong Kong, Macao and Taiwan residents (港澳台居民居住证) carry;
  4. digits 7–14 are a real calendar date (YYYYMMDD), not before 1900-01-01 and not after
     `today`;
  5. the 18th character is the ISO 7064 MOD 11-2 check character of the first 17 (`X` for 10).
  The old 15-digit form (no century, no check character) is not accepted.
- `passport` — 5 to 17 ASCII letters and digits, nothing else. That covers PRC passports
  (`E12345678`, `EA1234567`, older `G`/`P`/`D`/`S` + 7–8 digits) and the ICAO 9303 document
  numbers of other countries (up to 9 characters in the MRZ, longer on some national forms).
- `hk_macao_permit` — 港澳居民来往内地通行证: `H` (Hong Kong) or `M` (Macao) followed by
  8 digits (the card issued since 2013), or by 10 digits (the older booklet form, whose last
  2 digits count renewals).
- `taiwan_permit` — 台湾居民来往大陆通行证: 8 digits (the card issued since 2015), or 10
  digits (older form: 8 digits and a 2-digit renewal count). The bracketed letter some old
  booklets carry, e.g. `12345678(B)`, is not accepted.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from enum import StrEnum
from typing import Final, Literal

from healthcode.kernel.errors import InvalidInput
from healthcode.kernel.regions import PROVINCE_CODES

ID_FIELD: Final = "id_number"


PHONE_FIELD: Final = "phone"


class IdType(StrEnum):
    """The kinds of identity document a person can register with."""

    RESIDENT = "resident"
    PASSPORT = "passport"
    HK_MACAO_PERMIT = "hk_macao_permit"
    TAIWAN_PERMIT = "taiwan_permit"


# Full-width ASCII (U+FF01..U+FF5E) sits 0xFEE0 above ASCII; U+3000 is the ideographic space.
_FULL_TO_HALF: Final = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


_ASCII_UPPER: Final = {cp: cp - 32 for cp in range(ord("a"), ord("z") + 1)}


# Hyphen-like characters people type or paste between groups of digits.
_HYPHENS: Final = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63")


def _half_width(raw: str) -> str:
    return raw.translate(_FULL_TO_HALF)


def _strip_separators(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace() and ch not in _HYPHENS)


def normalise_id_number(raw: str) -> str:
    """The ID number as stored and hashed: full-width ASCII to half-width, whitespace
    (including U+3000) and hyphens removed, ASCII letters upper-cased (`x` → `X`).

    Only full-width forms and ASCII letters are rewritten: any other character is kept as it is,
    so that validation refuses it rather than a case mapping turning it into something valid.
    """
    return _strip_separators(_half_width(raw)).translate(_ASCII_UPPER)


# GB 11643 numbers on residence permits for Hong Kong, Macao and Taiwan residents.
RESIDENCE_PERMIT_REGIONS: Final = frozenset({"810000", "820000", "830000"})


EARLIEST_BIRTH_DATE: Final = date(1900, 1, 1)


# ISO 7064 MOD 11-2: weight of position i (0-based, 17 positions) is 2^(17-i) mod 11.
_WEIGHTS: Final = tuple(pow(2, 17 - i, 11) for i in range(17))


_CHECK_CHARS: Final = "10X98765432"  # indexed by (weighted sum mod 11)


_DIGITS_17: Final = re.compile(r"[0-9]{17}", re.ASCII)
_RESIDENT_FORM: Final = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)


def check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character (`0`-`9` or `X`) for 17 ASCII digits.

    Raises `ValueError` if `first17` is not exactly 17 ASCII digits.
    """
    if not _DIGITS_17.fullmatch(first17):
        raise ValueError("check_character needs exactly 17 ASCII digits")
    total = sum(int(ch) * w for ch, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def _resident_form(raw: str) -> str:
    number = normalise_id_number(raw)
    if not number:
        raise InvalidInput.one(ID_FIELD, "is required")
    if len(number) != 18:
        raise InvalidInput.one(ID_FIELD, f"should be 18 characters, got {len(number)}")
    if not _RESIDENT_FORM.fullmatch(number):
        raise InvalidInput.one(ID_FIELD, "should be 17 digits followed by a digit or X")
    return number


def _birth_date(number: str) -> date:
    digits = number[6:14]
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise InvalidInput.one(
            ID_FIELD, f"birth date {digits} (digits 7-14) is not a real date"
        ) from None


def birth_date_of(resident_number: str) -> date:
    """The birth date written in digits 7–14 of a resident identity number.

    Raises `InvalidInput` (field `id_number`) if the number is not of resident form or the date
    is not a real one; it does not check the region, the date range or the check character.
    """
    return _birth_date(_resident_form(resident_number))


def sex_of(resident_number: str) -> Literal["male", "female"]:
    """The sex written in a resident identity number: the 17th digit is odd for male."""
    number = _resident_form(resident_number)
    return "male" if int(number[16]) % 2 == 1 else "female"


def _validate_resident(raw: str, today: date) -> str:
    number = _resident_form(raw)
    if int(number[:2]) not in PROVINCE_CODES:
        raise InvalidInput.one(
            ID_FIELD, f"region code should start with a province-level code, not {number[:2]}"
        )
    if number[2:4] == "00" and number[:6] not in RESIDENCE_PERMIT_REGIONS:
        raise InvalidInput.one(
            ID_FIELD, f"region code {number[:6]} should name a city (digits 3-4 not 00)"
        )
    born = _birth_date(number)
    if born < EARLIEST_BIRTH_DATE:
        raise InvalidInput.one(ID_FIELD, "birth date should not be before 1900-01-01")
    if born > today:
        raise InvalidInput.one(ID_FIELD, "birth date should not be in the future")
    expected = check_character(number[:17])
    if number[17] != expected:
        raise InvalidInput.one(ID_FIELD, f"check character should be {expected}")
    return number


_PASSPORT: Final = re.compile(r"[A-Z0-9]{5,17}", re.ASCII)


_HK_MACAO_PERMIT: Final = re.compile(r"[HM](?:[0-9]{8}|[0-9]{10})", re.ASCII)


_TAIWAN_PERMIT: Final = re.compile(r"[0-9]{8}(?:[0-9]{2})?", re.ASCII)


_FORMS: Final[dict[IdType, tuple[re.Pattern[str], str]]] = {
    IdType.PASSPORT: (_PASSPORT, "passport number should be 5 to 17 letters and digits"),
    IdType.HK_MACAO_PERMIT: (
        _HK_MACAO_PERMIT,
        "Hong Kong/Macao permit number should be H or M followed by 8 digits (10 on old forms)",
    ),
    IdType.TAIWAN_PERMIT: (
        _TAIWAN_PERMIT,
        "Taiwan permit number should be 8 digits (10 on old forms)",
    ),
}


def validate_id_number(id_type: IdType, raw: str, *, today: date) -> str:
    """The normalised ID number, or `InvalidInput` on field `id_number` naming the rule broken.

    `today` bounds the birth date of resident numbers; pass the calendar date (not a datetime)
    in the time zone the check is made for.
    """
    if isinstance(today, datetime):
        raise TypeError("today should be a date, not a datetime")
    id_type = IdType(id_type)
    if id_type is IdType.RESIDENT:
        return _validate_resident(raw, today)
    number = normalise_id_number(raw)
    if not number:
        raise InvalidInput.one(ID_FIELD, "is required")
    pattern, message = _FORMS[id_type]
    if not pattern.fullmatch(number):
        raise InvalidInput.one(ID_FIELD, message)
    return number


_MOBILE: Final = re.compile(r"1[3-9][0-9]{9}", re.ASCII)


def normalise_phone(raw: str) -> str:
    phone = _strip_separators(_half_width(raw))
    if phone.startswith("+86"):
        return phone[3:]
    if phone.startswith("86") and len(phone) == 13:
        return phone[2:]
    return phone


def validate_phone(raw: str) -> str:
    """The 11-digit mainland mobile number, or `InvalidInput` on field `phone`.

    Full-width digits are read as digits; spaces and hyphens are dropped; a `+86` prefix, or
    `86` in front of 11 digits, is removed. What is left must be 11 digits: `1`, then `3`-`9`.
    """
    phone = normalise_phone(raw)
    if not phone:
        raise InvalidInput.one(PHONE_FIELD, "is required")
    if phone.startswith("+"):
        raise InvalidInput.one(PHONE_FIELD, "should be a mainland number: country code +86 or none")
    if not phone.isascii() or not phone.isdigit():
        raise InvalidInput.one(PHONE_FIELD, "should contain only digits")
    if len(phone) != 11:
        raise InvalidInput.one(PHONE_FIELD, f"should be 11 digits, got {len(phone)}")
    if not _MOBILE.fullmatch(phone):
        raise InvalidInput.one(PHONE_FIELD, "should start with 1 followed by a digit from 3 to 9")
    return phone


def normalise_address(raw: str) -> str:
    """An address in the form used to match households: NFKC (full-width to half-width),
    case-folded, runs of whitespace (including U+3000) collapsed to one space, ends stripped.
    """
    text = unicodedata.normalize("NFKC", raw)
    text = unicodedata.normalize("NFKC", text.casefold())
    return " ".join(text.split())
