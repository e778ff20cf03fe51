"""The location feed's short paths: a well-formed ping parsed fast, and a person passed whole,
give what the general checks give."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

import pytest

from healthcode.identity.model import LOCATION_CONSENT_PURPOSE, Consent
from healthcode.kernel.errors import Problem
from healthcode.presence.ping_fields import (
    _parse_checked,
    _subject_ok,
    parse_ping,
    refusals,
)

AT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
VALUES = {
    "subject": ["s-1", " s-2 ", "", "x" * 65, 7, None],
    "lat": [30.25, 90.0, 90.5, -91.0, math.nan, math.inf, 30, True, "30.25", "north", None],
    "lon": [120.15, -180.0, 180.5, math.nan, 120, "120.1", None],
    "at": [
        AT,
        AT.astimezone(timezone(timedelta(hours=8))),
        datetime(1999, 12, 31, tzinfo=UTC),
        datetime(2100, 1, 1, tzinfo=UTC),
        datetime(2026, 3, 2, 8, 0),
        "2026-03-02T08:00:00+08:00",
        "yesterday",
        None,
    ],
    "source": ["gps", "telecom", "wifi", None, 3],
}


def _items() -> list[dict[str, object]]:
    base: dict[str, object] = {
        "subject": "s-1",
        "lat": 30.25,
        "lon": 120.15,
        "at": AT,
        "source": "gps",
    }
    return [{**base, name: value} for name, values in VALUES.items() for value in values]


@pytest.mark.parametrize("default_source", [None, "telecom"])
def test_short_path_parses_as_the_general_checks(default_source: str | None) -> None:
    """Every variant of a ping's fields parses to the same fields and problems as the checks."""
    for n, item in enumerate(_items()):
        label = f"pings[{n}]"
        fast: list[Problem] = []
        slow: list[Problem] = []
        got = parse_ping(label, item, default_source, fast, {})
        subject = item["subject"]
        checked = {subject: _subject_ok(subject)} if isinstance(subject, str) else {}
        want = _parse_checked(
            label,
            subject,
            item["lat"],
            item["lon"],
            item["at"],
            item["source"] or default_source,
            slow,
            checked,
        )
        assert (got, fast) == (want, slow), item


def _consent(granted: datetime, withdrawn: datetime | None = None) -> Consent:
    return Consent(purpose=LOCATION_CONSENT_PURPOSE, granted_at=granted, withdrawn_at=withdrawn)


def test_a_person_is_passed_whole_only_under_one_consent_and_the_window() -> None:
    """Consent withdrawn between two pings, or a ping out of the window, is still refused."""
    now = AT + timedelta(hours=12)
    pings = [
        (f"pings[{n}]", (subject, 30.0, 120.0, AT + timedelta(hours=hours), "gps"))
        for n, (subject, hours) in enumerate(
            [("a", 0), ("b", 0), ("c", 0), ("a", 5), ("b", 5), ("c", 20), ("d", 1)]
        )
    ]
    consents = {
        "a": [_consent(AT - timedelta(days=1))],
        "b": [_consent(AT - timedelta(days=1), AT + timedelta(hours=2))],
        "c": [_consent(AT - timedelta(days=1))],
        "d": [],
    }
    problems = refusals(
        pings,
        consents=consents,
        registered={"a": "330100", "b": "330100", "c": "330100"},
        now=now,
        keep=timedelta(days=28),
    )
    assert [p.field for p in problems] == ["pings[4].subject", "pings[5].at", "pings[6].subject"]
    assert "no recorded consent" in problems[0].message
    assert problems[1].message == "is in the future"
    assert problems[2].message == "is not a registered person"
