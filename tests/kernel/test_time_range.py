"""The range of times any input may name (kernel/times.py): 2000-01-01 to before 2100."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from healthcode.kernel.errors import InvalidInput
from healthcode.kernel.times import EARLIEST, LATEST, check_time, from_timestamp


@pytest.mark.parametrize(
    "text", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "1999-12-31T23:59:59Z"]
)
def test_times_without_a_utc_form_or_out_of_range_are_refused(text: str) -> None:
    """Extreme times are refused naming the field, never an overflow."""
    with pytest.raises(InvalidInput) as refused:
        check_time(datetime.fromisoformat(text), field="scans[0].at")
    assert refused.value.problems[0].field == "scans[0].at"
    assert "2000-01-01" in refused.value.problems[0].message


def test_the_range_includes_its_start_and_excludes_its_end() -> None:
    """2000-01-01T00:00Z is accepted; 2100-01-01T00:00Z is not; a naive time never."""
    assert check_time(EARLIEST, field="at") == EARLIEST
    with pytest.raises(InvalidInput):
        check_time(LATEST, field="at")
    with pytest.raises(InvalidInput, match="time zone"):
        check_time(datetime(2026, 3, 1), field="at")


@pytest.mark.parametrize("seconds", [1e300, -1e300, float("nan"), float("inf"), True, "1", -1])
def test_numeric_dates_out_of_range_are_none(seconds: object) -> None:
    """A NumericDate of 1e300, NaN, infinity, a bool or a string is no time."""
    assert from_timestamp(seconds) is None


@settings(max_examples=300, deadline=None)
@given(
    moment=st.datetimes(timezones=st.just(UTC)),
    offset=st.integers(min_value=-14 * 60, max_value=14 * 60),
)
def test_any_time_is_accepted_in_utc_or_refused(moment: datetime, offset: int) -> None:
    """Whatever the time and offset, the answer is a UTC time in range or a refusal."""
    zone = timezone(timedelta(minutes=offset))
    local = moment.replace(tzinfo=None).replace(tzinfo=zone)
    try:
        accepted = check_time(local, field="at")
    except InvalidInput:
        return
    assert accepted.tzinfo is UTC and EARLIEST <= accepted < LATEST
