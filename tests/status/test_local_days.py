"""Calendar days are the jurisdiction's (China Standard Time), not UTC days: the same scenario
played at 23:59 and 00:01 local time, at 07:59 local (still yesterday in UTC) and at 07:59 UTC;
and declarations made in the future are refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from factories import register, resident_id
from healthcode.container import Container
from healthcode.identity.registration import register_person
from healthcode.kernel.clock import FixedClock
from healthcode.kernel.errors import InvalidInput
from healthcode.kernel.regions import local_date, time_zone
from healthcode.status.declarations import declare_health, declare_travel, list_declarations
from identity_helpers import website_citizen

CST = time_zone("330100")

MOMENTS = [
    # (clock, the local calendar day then)
    (datetime(2026, 3, 1, 23, 59, tzinfo=CST), date(2026, 3, 1)),  # 15:59 UTC, same day
    (datetime(2026, 3, 2, 0, 1, tzinfo=CST), date(2026, 3, 2)),  # 16:01 UTC on 1 March
    (datetime(2026, 3, 2, 7, 59, tzinfo=CST), date(2026, 3, 2)),  # 23:59 UTC on 1 March
    (datetime(2026, 3, 2, 7, 59, tzinfo=UTC), date(2026, 3, 2)),  # 15:59 local
]
IDS = ["23:59 local", "00:01 local", "07:59 local", "07:59 UTC"]


def _person(container: Container, clock: FixedClock, at: datetime) -> str:
    clock.set(datetime(2026, 2, 1, tzinfo=UTC))
    subject = register_person(
        uow=container.uow(), clock=clock, jurisdiction="330100", person=register()
    ).subject
    clock.set(at)
    return subject


def _travel(container: Container, subject: str, first: date, last: date) -> list[str]:
    """The fields refused when declaring a stay from ``first`` to ``last`` (empty: accepted)."""
    try:
        declare_travel(
            uow=container.uow(),
            clock=container.clock,
            subject=subject,
            place="310000",
            from_date=first,
            to_date=last,
        )
    except InvalidInput as refused:
        return [p.field for p in refused.problems]
    return []


def test_local_date_is_china_standard_time() -> None:
    """Before 08:00 in China the UTC date is still yesterday's; local_date gives China's."""
    assert local_date(datetime(2026, 3, 1, 16, 1, tzinfo=UTC), "330100") == date(2026, 3, 2)
    assert local_date(datetime(2026, 3, 1, 15, 59, tzinfo=UTC), "110000") == date(2026, 3, 1)
    assert str(time_zone("330100")) == "Asia/Shanghai"


@pytest.mark.parametrize(("moment", "today"), MOMENTS, ids=IDS)
def test_travel_for_today_is_accepted_and_tomorrow_refused(
    container: Container, clock: FixedClock, moment: datetime, today: date
) -> None:
    """A stay ending on the local today is accepted; one ending on the local tomorrow is not."""
    subject = _person(container, clock, moment)
    assert _travel(container, subject, today, today + timedelta(days=1)) == ["to_date"]
    assert _travel(container, subject, today, today) == []
    [fact] = list_declarations(uow=container.uow(), subject=subject)
    assert fact.to_date == today  # type: ignore[attr-defined]


@pytest.mark.parametrize(("moment", "today"), MOMENTS, ids=IDS)
def test_travel_fourteen_local_days_back_is_accepted_fifteen_refused(
    container: Container, clock: FixedClock, moment: datetime, today: date
) -> None:
    """The 14-day window is counted in local days: 15 local days back is outside it."""
    subject = _person(container, clock, moment)
    fifteen, fourteen = today - timedelta(days=15), today - timedelta(days=14)
    assert _travel(container, subject, fifteen, fifteen) == ["to_date"]
    assert _travel(container, subject, fifteen, fourteen) == []
    [fact] = list_declarations(uow=container.uow(), subject=subject)
    assert fact.from_date == fourteen  # type: ignore[attr-defined]  # clipped to the window


@pytest.mark.parametrize(("moment", "today"), MOMENTS, ids=IDS)
def test_a_baby_born_today_local_time_can_be_registered(
    container: Container, clock: FixedClock, moment: datetime, today: date
) -> None:
    """An ID number whose birth date is the local today is valid; tomorrow's is refused."""
    clock.set(moment)
    born_today = resident_id(7, birth=today.strftime("%Y%m%d"))
    register_person(
        uow=container.uow(),
        clock=clock,
        jurisdiction="330100",
        person=register(id_number=born_today, phone="13812340007"),
    )
    tomorrow = resident_id(8, birth=(today + timedelta(days=1)).strftime("%Y%m%d"))
    with pytest.raises(InvalidInput) as refused:
        register_person(
            uow=container.uow(),
            clock=clock,
            jurisdiction="330100",
            person=register(id_number=tomorrow, phone="13812340008"),
        )
    assert [p.field for p in refused.value.problems] == ["id_number"]


def test_a_declaration_made_in_the_future_is_refused(container: Container) -> None:
    """A health or travel declaration `at` beyond the clock skew is refused; nothing is kept."""
    clock = container.clock
    assert isinstance(clock, FixedClock)
    subject = _person(container, clock, datetime(2026, 3, 1, 1, tzinfo=UTC))
    later = container.clock.now() + timedelta(days=365)
    with pytest.raises(InvalidInput, match="at: is in the future"):
        declare_health(
            uow=container.uow(), clock=container.clock, subject=subject, temperature=36.5, at=later
        )
    with pytest.raises(InvalidInput, match="at: is in the future"):
        declare_travel(
            uow=container.uow(),
            clock=container.clock,
            subject=subject,
            place="310000",
            from_date=date(2027, 2, 20),
            to_date=date(2027, 2, 21),
            at=later,
        )
    soon = container.clock.now() + timedelta(minutes=4)  # within the clock skew
    declare_health(
        uow=container.uow(), clock=container.clock, subject=subject, temperature=36.5, at=soon
    )
    assert [f.at for f in list_declarations(uow=container.uow(), subject=subject)] == [soon]


def test_the_api_counts_local_days_and_takes_no_declaration_time(
    client: TestClient, clock: FixedClock
) -> None:
    """At 00:01 in China the API accepts travel for today; an `at` in the body is a 422."""
    clock.set(datetime(2026, 3, 2, 0, 1, tzinfo=CST))
    _, headers = website_citizen(client)
    today = {"place": "310000", "from_date": "2026-03-01", "to_date": "2026-03-02"}
    accepted = client.post("/api/v1/me/declarations/travel", json=today, headers=headers)
    assert accepted.status_code == 201, accepted.text
    body = {"temperature": 36.5, "at": "2027-03-01T09:00:00+08:00"}
    refused = client.post("/api/v1/me/declarations/health", json=body, headers=headers)
    assert refused.status_code == 422
    kinds = [d["kind"] for d in client.get("/api/v1/me/declarations", headers=headers).json()]
    assert kinds == ["travel_declaration"]
