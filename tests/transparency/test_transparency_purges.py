"""What retention purges delete is kept as counts per kind, and the report shows them beside
the accounts closed."""

from __future__ import annotations

from datetime import date, timedelta

from healthcode.container import Container
from healthcode.kernel.clock import FixedClock
from healthcode.presence.retention import purge
from healthcode.transparency.report import transparency_report
from presence_helpers import WEST_LAKE, check_in_at, city, person
from tracing_helpers import stay

DAY = timedelta(days=1)


def test_retention_purges_are_counted_per_kind(container: Container, clock: FixedClock) -> None:
    """An old stay and check-in purged show as purged presences and check-ins that day."""
    c = city(container)
    subject = person(container)
    check_in_at(container, subject, c.restaurant.place_code, WEST_LAKE)
    now = clock.now() + 22 * DAY
    clock.set(now)
    stay(container, subject, "old-cafe", now - 23 * DAY, now - 22 * DAY)
    assert purge(uow=container.uow(), clock=clock).presences == 2
    purge(uow=container.uow(), clock=clock)  # nothing left to delete: nothing recorded
    day = now.date()
    report = transparency_report(uow=container.uow(), clock=clock, first=day, last=day)
    assert dict(report.purged) == {"checkins": 1, "presences": 2, "closed_accounts": 0}
    before = transparency_report(
        uow=container.uow(), clock=clock, first=date(2026, 3, 1), last=day - DAY
    )
    assert dict(before.purged) == {"closed_accounts": 0}
