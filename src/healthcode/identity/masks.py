"""Display masks: what others may see of a name, an ID number or a phone number."""

from __future__ import annotations

import unicodedata
from typing import Final

import regex

from healthcode.credentials.claims import MAX_MASKED_NAME_CHARS
from healthcode.identity.validation import normalise_id_number, normalise_phone
from healthcode.kernel.text import BIDI_CONTROLS

MASK: Final = "*"
_GRAPHEME: Final = regex.compile(r"\X")  # an extended grapheme cluster (UAX #29)


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


def mask_name(name: str, *, max_chars: int = MAX_MASKED_NAME_CHARS) -> str:
    """A name for display: first and last character kept, every character between masked.

    One rule for every script, counted in user-perceived characters (grapheme clusters, so a
    letter keeps its accents and vowel signs and an emoji its modifiers), after NFC, control and
    bidirectional control characters dropped, surrounding space removed: one character is shown
    as is, two keep the first (`张三` → `张*`), longer names keep the first and the last
    (`张三丰` → `张*丰`, `John Smith` → `J********h`, spaces included).

    The result is at most `max_chars` code points (32: what a code carries), so a long name
    still gets a code: the masked middle is shortened to fit (`Pablo Diego José Francisco de
    Paula Juan` → `P******************************n`). Invisible format characters (a joiner, a
    soft hyphen) in the kept characters are dropped, as a code carries printable text only.
    """
    text = _visible(unicodedata.normalize("NFC", name)).strip()
    clusters = _GRAPHEME.findall(text)
    if not clusters:
        return ""
    first = _printable(clusters[0]) or MASK  # a cluster of format characters only
    last = _printable(clusters[-1]) if len(clusters) > 2 else ""
    hidden = len(clusters) - 1 - (1 if last else 0) if len(clusters) > 1 else 0
    if len(first) + len(last) + min(hidden, 1) > max_chars:  # giant clusters: keep their base
        first, last = first[:1], last[:1]
    return first + MASK * min(hidden, max_chars - len(first) - len(last)) + last


def _printable(cluster: str) -> str:
    return "".join(ch for ch in cluster if ch.isprintable())


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
