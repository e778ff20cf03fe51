"""Reading policy fields: durations, texts, mappings with known keys, CertLogic conditions.

``Fields`` collects every problem (field path and rule broken) instead of stopping at the first,
so that a policy author sees all of them at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from types import MappingProxyType

from healthcode.kernel.errors import Problem
from healthcode.kernel.facts import FACT_TYPES, FactKind
from healthcode.policy.certlogic import validate
from healthcode.policy.conditions import unknown_fields

_DURATION = re.compile(
    r"P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?"
)
_CALENDAR_DURATION = re.compile(
    r"P(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?"
)
LANGUAGES = ("zh", "en")


def parse_duration(text: str) -> timedelta:
    """An ISO 8601 duration of fixed length (weeks, days, hours, minutes, seconds), e.g. P14D,
    PT12H, P1DT6H. Years and months are refused: they have no fixed length."""
    match = _DURATION.fullmatch(text)
    if match is not None and text not in ("P", "PT") and not text.endswith("T"):
        parts = {name: int(value) for name, value in match.groupdict().items() if value}
        return timedelta(**parts)
    date_part = text.split("T", 1)[0]
    if _CALENDAR_DURATION.fullmatch(text) and ("Y" in date_part or "M" in date_part):
        raise ValueError("years and months have no fixed length: use days, e.g. P30D")
    raise ValueError("not an ISO 8601 duration (e.g. P14D, PT24H)")


class Fields:
    """Reads fields of a parsed YAML document, collecting problems instead of stopping."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def mapping(
        self, value: object, path: str, keys: tuple[str, ...], required: tuple[str, ...] = ()
    ) -> dict[str, object] | None:
        if not isinstance(value, dict):
            self.problem(path, "must be a mapping")
            return None
        for key in value:
            if key not in keys:
                self.problem(f"{path}.{key}", f"unknown key (expected one of: {', '.join(keys)})")
        for key in required:
            if key not in value:
                self.problem(f"{path}.{key}", "required")
        return {str(k): v for k, v in value.items() if k in keys}

    def string(self, value: object, path: str) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.problem(path, "must be a non-empty string (quote it in YAML)")
            return None
        return value

    def text(self, value: object, path: str) -> Mapping[str, str]:
        texts = self.mapping(value, path, LANGUAGES, required=LANGUAGES) or {}
        out = {
            lang: self.string(texts[lang], f"{path}.{lang}") for lang in LANGUAGES if lang in texts
        }
        return MappingProxyType({lang: t for lang, t in out.items() if t is not None})

    def duration(self, value: object, path: str, *, positive: bool = True) -> timedelta | None:
        if not isinstance(value, str):
            self.problem(path, "not an ISO 8601 duration (e.g. P14D, PT24H)")
            return None
        try:
            parsed = parse_duration(value)
        except ValueError as error:
            self.problem(path, str(error))
            return None
        if positive and parsed <= timedelta(0):
            self.problem(path, "must be longer than zero")
            return None
        return parsed

    def count(self, value: object, path: str) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.problem(path, "must be a whole number of at least 1")
            return None
        return value

    def boolean(self, value: object, path: str) -> bool | None:
        if not isinstance(value, bool):
            self.problem(path, "must be true or false")
            return None
        return value

    def fact_kind(self, value: object, path: str) -> FactKind | None:
        try:
            return FactKind(str(value))
        except ValueError:
            known = ", ".join(k.value for k in FactKind)
            self.problem(path, f"unknown fact kind {value!r} (expected one of: {known})")
            return None

    def condition(self, value: object, kind: FactKind | None, path: str) -> bool:
        """Check a CertLogic condition; True when it is sound."""
        found = [(p.path, p.message) for p in validate(value)]
        if not found and kind is not None:
            found = unknown_fields(value, FACT_TYPES[kind].data_keys(), kind.value)
        for inner, message in found:
            self.problem(path + inner.removeprefix("$"), message)
        return not found
