"""The fields of one location ping, checked (``parse_ping``), and who may not have pings stored
(``refusals``): the location feed's (``presence.locations``) input rules.

Most pings of a batch are well formed: a subject id already checked in the batch, two floats
on the globe, a UTC time in range, a known source. ``parse_ping`` takes those by a short path
of type and range tests that accept exactly what the general checks accept, and hands anything
else to the general checks, which name each wrong field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Final

from healthcode.identity.model import LOCATION_CONSENT_PURPOSE, Consent
from healthcode.kernel.errors import Problem
from healthcode.kernel.text import TextKind, text_problem
from healthcode.kernel.times import EARLIEST, LATEST, RANGE_RULE, time_problem
from healthcode.presence.checkins import CLOCK_SKEW, check_time
from healthcode.presence.geo import coordinate_problems

SOURCES: Final = ("gps", "telecom")

Parsed = tuple[str, float, float, datetime, str]
"""A ping's subject, latitude, longitude, time (UTC) and source."""


def field_of(label: str, name: str) -> str:
    return f"{label}: {name}" if label.startswith("line ") else f"{label}.{name}"


def _time(value: object) -> datetime | None:
    """A time with a zone, within the range any input may name, or None."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value if time_problem(value) is None else None


def _number(value: object) -> object:
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _subject_ok(subject: str) -> bool:
    return 0 < len(subject.strip()) <= 64 and text_problem(subject, TextKind.IDENTIFIER) is None


def parse_ping(
    label: str,
    item: Mapping[str, object],
    default_source: str | None,
    problems: list[Problem],
    subjects: dict[str, bool],
) -> Parsed | None:
    """One ping's fields, or None with its problems added; ``subjects`` holds the subject ids
    checked already in this batch (a phone sends many pings)."""
    subject, lat, lon, at = item.get("subject"), item.get("lat"), item.get("lon"), item.get("at")
    source = item.get("source") or default_source
    if isinstance(subject, str) and subject not in subjects:
        subjects[subject] = _subject_ok(subject)
    if (  # the short path: NaN and infinities fail the range tests
        type(lat) is float
        and type(lon) is float
        and type(at) is datetime
        and at.tzinfo is UTC
        and type(source) is str
        and type(subject) is str
        and -90.0 <= lat <= 90.0
        and -180.0 <= lon <= 180.0
        and EARLIEST <= at < LATEST
        and source in SOURCES
        and subjects[subject]
    ):
        return subject.strip(), lat, lon, at, source
    return _parse_checked(label, subject, lat, lon, at, source, problems, subjects)


def _parse_checked(  # noqa: PLR0913 - the fields of one ping
    label: str,
    subject: object,
    lat: object,
    lon: object,
    at_value: object,
    source: object,
    problems: list[Problem],
    subjects: dict[str, bool],
) -> Parsed | None:
    before = len(problems)
    if not isinstance(subject, str) or not subjects[subject]:
        problems.append(Problem(field_of(label, "subject"), "must be a subject id"))
    lat, lon = _number(lat), _number(lon)
    problems += [
        Problem(field_of(label, p.field), p.message) for p in coordinate_problems(lat, lon)
    ]
    at = _time(at_value)
    if at is None:
        problems.append(
            Problem(field_of(label, "at"), f"must be an ISO 8601 time with a zone; {RANGE_RULE}")
        )
    if source not in SOURCES:
        problems.append(Problem(field_of(label, "source"), "must be gps or telecom"))
    # each wrong field was named above
    if len(problems) > before or not isinstance(subject, str) or at is None:
        return None
    if not isinstance(source, str):
        return None
    return subject.strip(), float(lat), float(lon), at.astimezone(UTC), source  # type: ignore[arg-type]


def refusals(
    parsed: Sequence[tuple[str, Parsed]],
    *,
    consents: Mapping[str, Sequence[Consent]],
    registered: Mapping[str, object],
    now: datetime,
    keep: timedelta,
) -> list[Problem]:
    """Why pings may not be stored: a time outside the retention window, or a person who is not
    registered or gave no consent to location use then (one problem a person, at their first
    bad line). A person whose first and last pings are within the window, and under one
    consent (a consent holds over an interval, so over every ping between), is passed whole."""
    spans: dict[str, list[datetime]] = {}
    for _, (subject, _lat, _lon, at, _source) in parsed:
        span = spans.get(subject)
        if span is None:
            spans[subject] = [at, at]
        elif at < span[0]:
            span[0] = at
        elif at > span[1]:
            span[1] = at
    earliest, latest = now - keep, now + CLOCK_SKEW
    passed = {
        subject
        for subject, (first, last) in spans.items()
        if subject in registered
        and earliest <= first
        and last <= latest
        and any(
            c.purpose == LOCATION_CONSENT_PURPOSE and c.active_at(first) and c.active_at(last)
            for c in consents.get(subject, ())
        )
    }
    problems: list[Problem] = []
    refused: set[str] = set()
    for label, (subject, _lat, _lon, at, _source) in parsed:
        if subject in passed:
            continue
        wrong_time = check_time(at, now=now, keep=keep, field=field_of(label, "at"))
        problems += wrong_time
        if wrong_time or subject in refused:
            continue
        if subject not in registered:
            refused.add(subject)
            problems.append(Problem(field_of(label, "subject"), "is not a registered person"))
        elif not any(
            c.purpose == LOCATION_CONSENT_PURPOSE and c.active_at(at) for c in consents[subject]
        ):
            refused.add(subject)
            problems.append(
                Problem(
                    field_of(label, "subject"),
                    "has no recorded consent to location use for epidemic control at that "
                    "time: nothing in this batch was stored",
                )
            )
    return problems
