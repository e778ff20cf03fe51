"""The range of times any input may name: from 2000-01-01 (included) to 2100-01-01 (UTC).

A time outside it is a typing or clock error (or an attack: ``9999-12-31T23:59:59-14:00`` cannot
even be converted to UTC), and is refused naming the field before anything else looks at it.
Standard library only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from healthcode.kernel.errors import InvalidInput, Problem

EARLIEST: Final = datetime(2000, 1, 1, tzinfo=UTC)
LATEST: Final = datetime(2100, 1, 1, tzinfo=UTC)
RANGE_RULE: Final = "must be a time from 2000-01-01 to before 2100-01-01 (UTC)"
ZONE_RULE: Final = "must include a time zone, e.g. 2026-03-01T09:00:00+08:00"


def time_problem(moment: datetime) -> str | None:
    """Why ``moment`` may not be taken (no zone, or out of range), or None.

    Comparing aware datetimes never overflows, even for ones whose UTC form would."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return ZONE_RULE
    if not EARLIEST <= moment < LATEST:
        return RANGE_RULE
    return None


def check_time(moment: datetime, *, field: str) -> datetime:
    """``moment`` in UTC, or ``InvalidInput`` on ``field``."""
    problem = time_problem(moment)
    if problem is not None:
        raise InvalidInput.one(field, problem)
    return moment.astimezone(UTC)


def payload_time(payload: Mapping[str, Any], key: str, problems: list[Problem]) -> datetime | None:
    """A four-eyes payload's time at ``key`` (ISO 8601 text, or a datetime handed in process),
    or None: absent, or wrong, with the problem added as ``payload.<key>``."""
    raw = payload.get(key)
    if raw is None:
        return None
    if isinstance(raw, datetime):
        moment = raw
    elif isinstance(raw, str):
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            problems.append(Problem(f"payload.{key}", f"{raw!r} is not an ISO 8601 time"))
            return None
    else:
        problems.append(Problem(f"payload.{key}", "must be an ISO 8601 time"))
        return None
    if moment.tzinfo is None:
        problems.append(Problem(f"payload.{key}", "must include a time zone"))
        return None
    problem = time_problem(moment)
    if problem is not None:
        problems.append(Problem(f"payload.{key}", problem))
        return None
    return moment


def from_timestamp(seconds: object) -> datetime | None:
    """The UTC time ``seconds`` after the epoch (a NumericDate), or None when it is not a
    finite number of seconds within the range."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        return None
    if not math.isfinite(seconds):
        return None
    if not EARLIEST.timestamp() <= seconds < LATEST.timestamp():
        return None
    return datetime.fromtimestamp(seconds, UTC)
