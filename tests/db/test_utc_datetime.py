"""UTCDateTime: aware UTC datetimes in, the same instants out, whatever text SQLite holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from healthcode.db.types import UTCDateTime

_SQLITE = sqlite.dialect()
_INSTANT = datetime(2026, 3, 1, 8, 30, 5, 120034, tzinfo=UTC)


def test_sqlite_round_trip_keeps_the_instant_and_the_utc_zone() -> None:
    """What is bound on SQLite reads back as the same instant, its zone UTC itself."""
    column = UTCDateTime()
    text = column.process_bind_param(_INSTANT.astimezone(timezone(timedelta(hours=8))), _SQLITE)
    assert text == "2026-03-01 08:30:05.120034"
    back = column.process_result_value(text, _SQLITE)
    assert back == _INSTANT
    assert back is not None and back.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("2026-03-01 08:30:05", datetime(2026, 3, 1, 8, 30, 5, tzinfo=UTC)),
        ("2026-03-01 16:30:05+08:00", datetime(2026, 3, 1, 8, 30, 5, tzinfo=UTC)),
        ("2026-03-01T08:30:05Z", datetime(2026, 3, 1, 8, 30, 5, tzinfo=UTC)),
        ("2026-03-01", datetime(2026, 3, 1, tzinfo=UTC)),
    ],
)
def test_sqlite_text_from_another_hand_reads_as_utc(text: str, instant: datetime) -> None:
    """Text not in our format (no fraction, its own zone, a date alone) still reads as UTC."""
    back = UTCDateTime().process_result_value(text, _SQLITE)
    assert back == instant
    assert back is not None and back.tzinfo is UTC


def test_naive_values_are_refused_on_bind_and_taken_as_utc_on_read() -> None:
    """A naive datetime is refused when written, and a naive one read is taken as UTC."""
    column = UTCDateTime()
    with pytest.raises(ValueError, match="naive"):
        column.process_bind_param(datetime(2026, 3, 1), _SQLITE)
    back = column.process_result_value(datetime(2026, 3, 1, 8), postgresql.dialect())
    assert back == datetime(2026, 3, 1, 8, tzinfo=UTC)
