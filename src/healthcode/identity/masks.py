"""Display masks: what others may see of a name, an ID number or a phone number."""

from __future__ import annotations

import unicodedata
from typing import Final

from healthcode.identity.validation import normalise_id_number, normalise_phone
from healthcode.kernel.text import BIDI_CONTROLS

MASK: Final = "*"


def _keep_ends(text: str, head: int, tail: int) -> str:
    return text[:head] + MASK * (len(text) - head - tail) + text[len(text) - tail :]


def _visible(text: str) -> str:
    """``text`` without control or bidirectional control characters: a name stored before
    the text rule refused them must not render reversed or across lines once masked."""
    return "".join(
        ch
        for ch in text
        if ch not in BIDI_CONTROLS and unicodedata.category(ch) not in ("Cc", "Cs")
    )


def mask_name(name: str) -> str:
    """A name for display: first and last character kept, every character between masked.

    One rule for every script, counted in characters (after NFC, control and bidirectional
    control characters dropped, surrounding space removed):
    one character is shown as is, two keep the first (`张三` → `张*`), longer names keep the
    first and the last (`张三丰` → `张*丰`, `John Smith` → `J********h`, spaces included).
    """
    text = _visible(unicodedata.normalize("NFC", name)).strip()
    if len(text) <= 1:
        return text
    if len(text) == 2:
        return text[0] + MASK
    return _keep_ends(text, 1, 1)


def mask_id_number(number: str) -> str:
    """An ID number for display, after `normalise_id_number`.

    18 characters or more: the first 4 and the last 4 kept (`3301**********123X`); shorter:
    the first 2 and the last 2 kept; 4 characters or fewer: all masked.
    """
    text = normalise_id_number(number)
    if len(text) >= 18:
        return _keep_ends(text, 4, 4)
    if len(text) > 4:
        return _keep_ends(text, 2, 2)
    return MASK * len(text)


def mask_phone(phone: str) -> str:
    """A phone number for display, after the normalisation `validate_phone` applies.

    8 characters or more: the first 3 and the last 4 kept (`13812341234` → `138****1234`);
    3 to 7: only the last 2 kept; 2 or fewer: all masked.
    """
    text = normalise_phone(phone)
    if len(text) >= 8:
        return _keep_ends(text, 3, 4)
    if len(text) > 2:
        return _keep_ends(text, 0, 2)
    return MASK * len(text)
