"""Masks: what an official or a checkpoint sees of a name, an ID number, a phone."""

from __future__ import annotations

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from healthcode.identity.masks import mask_id_number, mask_name, mask_phone
from healthcode.identity.validation import normalise_id_number

PROPERTIES = settings(max_examples=200, deadline=None, database=None)

# --- masks ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三丰", "张*丰"),
        ("张三", "张*"),
        ("张", "张"),
        ("欧阳娜娜", "欧**娜"),
        ("John Smith", "J********h"),
        (" Li ", "L*"),
        ("", ""),
    ],
)
def test_names_keep_first_and_last_character(name: str, masked: str) -> None:
    """Names keep their first and (from three characters) last character; the rest is *."""
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("x" * 32, "x" + "*" * 30 + "x"),
        ("x" * 33, "x" + "*" * 30 + "x"),  # the middle shortened: a code carries 32 at most
        ("Pablo Diego José Francisco de Paula Juan Nepomuceno Picasso", "P" + "*" * 30 + "o"),
        ("अनुराग", "अ**ग"),  # four letters with their vowel signs, none split from its letter
        ("Zoë", "Z*ë"),
        ("Zoe\u0308", "Z*ë"),  # the same name decomposed: NFC first
        ("👩🏽 Lee", "👩🏽***e"),  # an emoji with its skin tone is one character
        ("Ann\u200d", "A*n"),  # a joiner at the end is dropped from the kept letter
    ],
)
def test_names_are_masked_by_grapheme_and_fit_a_code(name: str, masked: str) -> None:
    """Masks count user-perceived characters and never exceed the 32 a code carries."""
    assert mask_name(name) == masked


@PROPERTIES
@given(st.text(max_size=80))
def test_any_masked_name_fits_a_code(name: str) -> None:
    """Whatever the name, its mask is printable, at most 32 characters, and * in the middle."""
    masked = mask_name(name)
    assert len(masked) <= 32
    assert masked.isprintable()
    assert all(cluster == "*" for cluster in regex.findall(r"\X", masked)[1:-1])


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("33010219900307123X", "3301**********123X"),
        ("33010219900307123x", "3301**********123X"),
        ("E12345678", "E1*****78"),
        ("H12345678", "H1*****78"),
        ("12345", "12*45"),
        ("1234", "****"),
        ("", ""),
    ],
)
def test_id_numbers_keep_four_or_two_characters_at_each_end(number: str, masked: str) -> None:
    """18-character numbers keep 4 at each end, shorter ones keep 2, tiny ones nothing."""
    assert mask_id_number(number) == masked


@PROPERTIES
@given(st.text(min_size=0, max_size=30))
def test_masks_never_lengthen_and_hide_the_middle(text: str) -> None:
    """A masked ID number keeps the normalised length and shows at most 8 characters."""
    masked = mask_id_number(text)
    assert len(masked) == len(normalise_id_number(text))
    assert len(masked) - masked.count("*") <= 8


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812341234", "138****1234"),
        ("+86 138-1234-1234", "138****1234"),
        ("12345678", "123*5678"),
        ("12345", "***45"),
        ("12", "**"),
    ],
)
def test_phones_keep_first_three_and_last_four_digits(phone: str, masked: str) -> None:
    """Mobile numbers show 138****1234; short numbers show only their last 2 digits."""
    assert mask_phone(phone) == masked
