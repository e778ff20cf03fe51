"""What the sunset does to the free text officials typed, which may name people: each text is
replaced by one neutral placeholder, so the record keeps its kind and time (what the
transparency report counts) and loses its words (docs/sunset.md, "Officials' free text")."""

from __future__ import annotations

from typing import Any, Final

PLACEHOLDER: Final = "[erased at the sunset]"

# the values of a proposal's payload or result that are ids, codes, enumerations or times, not
# words anyone typed: kept; every other string in them becomes the placeholder
STRUCTURED_KEYS: Final = frozenset(
    {
        "appeal",
        "case_id",
        "cells",
        "channel_id",
        "colour",
        "correction",
        "corrects",
        "district",
        "event",
        "fact",
        "jurisdiction",
        "level",
        "official_id",
        "purge_after",
        "reason_category",
        "risk_area",
        "role",
        "rules",
        "subject",
        "text_id",
        "username",
        "venues",
    }
)


def _structured(key: str | None) -> bool:
    return key is not None and (key in STRUCTURED_KEYS or key.endswith(("_at", "_id")))


def scrub(value: Any, key: str | None = None) -> Any:
    """``value`` (a payload or a result, JSON) with every string that is not under a
    structured key replaced by ``PLACEHOLDER``; numbers, booleans and empty strings kept."""
    if isinstance(value, dict):
        return {k: scrub(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(item, key) for item in value]
    if isinstance(value, str) and value and not _structured(key):
        return PLACEHOLDER
    return value


def erased(text: str) -> str:
    """A free text after the sunset: the placeholder, or empty if it was empty."""
    return PLACEHOLDER if text else text


def erased_what(what: str) -> str:
    """An access-log ``what`` carrying a stated purpose (``phone number, unmasked: …``): its
    label kept, the purpose erased."""
    label, sep, _purpose = what.partition(": ")
    return f"{label}{sep}{PLACEHOLDER}" if sep else PLACEHOLDER
