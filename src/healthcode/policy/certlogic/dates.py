"""CertLogic date-times: parsing date(-time) strings, `plusTime` offsets and `dccDateOfBirth`.

A CertLogic date-time is a timezone-aware UTC `datetime` with millisecond precision. Offsets
follow ECMAScript's `Date.setUTC…` methods, as the specification prescribes: a day past the end
of the target month rolls over (2020-02-29 plus 1 year is 2021-03-01, 2020-01-31 plus 1 month
is 2020-03-02), and no unit is affected by daylight saving time.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Final

from healthcode.policy.certlogic.errors import CertLogicError

_YEAR = re.compile(r"([0-9]{4})")
_YEAR_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DATE_TIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"  # date
    r"T([0-9]{2}):([0-9]{2}):([0-9]{2})"  # time
    r"(?:\.([0-9]+))?"  # fraction of a second: any number of decimals
    r"(?:(Z)|([+-])([0-9]{1,2})(?::?([0-9]{2}))?)?"  # offset: Z, ±h, ±hh, ±hmm, ±hh:mm…
)

_MONTHS_PER_YEAR: Final = 12
_MINUTES_PER_HOUR: Final = 60


def _date_time(  # noqa: PLR0913 - a date-time's fields, as datetime() takes them
    year: int,
    month: int,
    day: int,
    hour: int = 0,
    minute: int = 0,
    second: int = 0,
    millisecond: int = 0,
    offset: timedelta = timedelta(0),
) -> datetime:
    """The UTC date-time for these fields; ValueError or OverflowError when out of range."""
    next_day = hour == 24 and minute == second == millisecond == 0  # ECMAScript's 24:00:00
    local = datetime(
        year,
        month,
        day,
        0 if next_day else hour,
        minute,
        second,
        millisecond * 1000,
        tzinfo=timezone(offset),
    )
    return (local + timedelta(days=1 if next_day else 0)).astimezone(UTC)


def _refuse(text: str, what: str) -> CertLogicError:
    return CertLogicError(f'can\'t parse "{text}" as {what}')


def _partial_date(text: str, what: str) -> datetime | None:
    """`YYYY`, `YYYY-MM` or `YYYY-MM-DD` as its last consistent date; None for other formats."""
    try:
        if match := _YEAR.fullmatch(text):
            return _date_time(int(match[1]), 12, 31)
        if match := _YEAR_MONTH.fullmatch(text):
            year, month = int(match[1]), int(match[2])
            return _date_time(year, month, calendar.monthrange(year, month)[1])
        if match := _DATE.fullmatch(text):
            return _date_time(int(match[1]), int(match[2]), int(match[3]))
    except (ValueError, OverflowError) as error:
        raise _refuse(text, what) from error
    return None


def dcc_date_of_birth(text: str) -> datetime:
    """The last date-time consistent with a DCC date of birth `YYYY[-MM[-DD]]` (midnight UTC)."""
    what = "an EU DCC date-of-birth (YYYY, YYYY-MM or YYYY-MM-DD)"
    moment = _partial_date(text, what)
    if moment is None:
        raise _refuse(text, what)
    return moment


def parse_date_time(text: str) -> datetime:
    """Parse a date or date-time in one of the formats `plusTime` allows.

    Partial dates (`YYYY`, `YYYY-MM`) are read as `dccDateOfBirth` reads them, a missing time is
    midnight, a missing offset is UTC, and decimals past the millisecond are dropped.
    """
    what = "a date or date-time in an allowed format"
    moment = _partial_date(text, what)
    if moment is not None:
        return moment
    match = _DATE_TIME.fullmatch(text)
    if match is None:
        raise _refuse(text, what)
    year, month, day, hour, minute, second = (int(match[i]) for i in range(1, 7))
    millisecond = int((match[7] or "0")[:3].ljust(3, "0"))
    offset = timedelta(0)
    if match[9] is not None:
        offset_hours, offset_minutes = int(match[10]), int(match[11] or "0")
        if offset_minutes >= _MINUTES_PER_HOUR:
            raise _refuse(text, what)
        offset = timedelta(hours=offset_hours, minutes=offset_minutes)
        if match[9] == "-":
            offset = -offset
    try:
        return _date_time(year, month, day, hour, minute, second, millisecond, offset)
    except (ValueError, OverflowError) as error:
        raise _refuse(text, what) from error


def _plus_months(moment: datetime, months: int) -> datetime:
    year, month_index = divmod(
        moment.year * _MONTHS_PER_YEAR + moment.month - 1 + months, _MONTHS_PER_YEAR
    )
    first = moment.replace(year=year, month=month_index + 1, day=1)
    return first + timedelta(days=moment.day - 1)


def plus_time(moment: datetime, amount: int, unit: str) -> datetime:
    """`moment` offset by `amount` (possibly negative) years, months, days or hours."""
    try:
        if unit == "hour":
            return moment + timedelta(hours=amount)
        if unit == "day":
            return moment + timedelta(days=amount)
        if unit == "month":
            return _plus_months(moment, amount)
        if unit == "year":
            return _plus_months(moment, amount * _MONTHS_PER_YEAR)
    except (ValueError, OverflowError) as error:
        raise CertLogicError(
            f"{moment.isoformat()} plus {amount} {unit}(s) is out of the supported range"
        ) from error
    raise CertLogicError(f'unknown time unit "{unit}"')
