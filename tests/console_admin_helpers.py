"""Browser tests of the console's administrative pages: a scene of officials and a flagged
check-in, and dropping the console errors Chromium logs for refusals a test expects."""

from __future__ import annotations

import re

from browser_helpers import Guard
from healthcode.container import Container
from presence_helpers import FAR_AWAY, check_in_at, city, person


def expected_refusals(guard: Guard, *statuses: int) -> None:
    """Chromium logs each refused request as a console error: drop exactly those."""
    pattern = re.compile(rf"status of ({'|'.join(map(str, statuses))}) ")
    guard.errors[:] = [e for e in guard.errors if not pattern.search(e)]


def flagged_checkin(container: Container, seq: int = 1) -> tuple[str, str]:
    """A person who checked in at a restaurant 6 km away from it: (subject, check-in id)."""
    c = city(container)
    subject = person(container, seq)
    result = check_in_at(container, subject, c.restaurant.place_code, FAR_AWAY)
    assert result.flagged
    return subject, result.checkin.id
