"""A travel declaration of a stay in another province counts as an arrival from it: pure (the
arrival it stands for, Beijing's 14 days from it) and through the use case on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from healthcode.container import Container
from healthcode.kernel.facts import Colour, FactKind, TravelDeclaration
from healthcode.kernel.regions import time_zone
from healthcode.policy.assess import assess
from healthcode.policy.bundled import bundled_policy
from healthcode.status.assessment import current_status
from healthcode.status.declarations import declare_travel
from healthcode.status.model import DECLARED_TRAVEL, declared_arrival
from tracing_helpers import resident

CST = time_zone("110000")


def _stay(place: str, last: date, declared: datetime) -> TravelDeclaration:
    return TravelDeclaration(
        id="d1",
        subject="p1",
        at=declared,
        recorded_at=declared,
        place=place,
        from_date=last - timedelta(days=2),
        to_date=last,
    )


def test_a_stay_in_another_province_is_an_arrival_at_the_end_of_its_last_day() -> None:
    """Shanghai until 3 March, declared on the 5th: arrived in Beijing at 4 March 00:00 CST."""
    declared = datetime(2026, 3, 5, 9, tzinfo=CST)
    arrival = declared_arrival(_stay("310101", date(2026, 3, 3), declared), "110000")
    assert arrival is not None
    assert (arrival.at, arrival.from_province, arrival.to_region, arrival.source) == (
        datetime(2026, 3, 4, tzinfo=CST),
        "31",
        "110000",
        DECLARED_TRAVEL,
    )
    again = declared_arrival(_stay("310101", date(2026, 3, 3), declared), "110000")
    assert again is not None and again.id == arrival.id  # the same declaration, the same id


def test_a_stay_ending_today_arrives_when_declared_and_one_at_home_is_none() -> None:
    """A stay ending today counts from the declaration; a stay in Beijing itself is no arrival."""
    declared = datetime(2026, 3, 5, 9, tzinfo=CST)
    arrival = declared_arrival(_stay("310101", date(2026, 3, 5), declared), "110000")
    assert arrival is not None and arrival.at == declared.astimezone(UTC)
    assert declared_arrival(_stay("110105", date(2026, 3, 3), declared), "110000") is None


def test_beijing_colours_a_declared_arrival_like_a_located_one() -> None:
    """Beijing's arrival rule holds 14 days from a declared arrival, to the second."""
    declared = datetime(2026, 3, 5, 9, tzinfo=CST)
    arrival = declared_arrival(_stay("310101", date(2026, 3, 3), declared), "110000")
    assert arrival is not None
    beijing = bundled_policy("110000")
    end = datetime(2026, 3, 18, tzinfo=CST)
    status = assess([arrival], beijing, end - timedelta(seconds=1))
    assert (status.colour, [r.rule_id for r in status.reasons]) == (
        Colour.YELLOW,
        ["arrival-other-province"],
    )
    assert status.reasons[0].ends_at == end
    assert assess([arrival], beijing, end).colour is Colour.GREEN


def test_declaring_travel_from_another_province_colours_under_beijing(
    container: Container,
) -> None:
    """A Beijing resident declaring Shanghai turns yellow; a Hangzhou resident stays green."""
    beijinger = resident(container, 1, jurisdiction="110000")
    hangzhou = resident(container, 2)
    today = datetime(2026, 3, 1, 9, tzinfo=CST).date()  # the test clock: 09:00 in China
    for subject in (beijinger, hangzhou):
        declare_travel(
            uow=container.uow(),
            clock=container.clock,
            subject=subject,
            place="310000",
            from_date=today - timedelta(days=3),
            to_date=today - timedelta(days=1),
        )
    status = current_status(uow=container.uow(), clock=container.clock, subject=beijinger)
    assert [r.rule_id for r in status.reasons] == ["arrival-other-province"]
    assert status.reasons[0].ends_at == datetime(2026, 3, 15, tzinfo=CST)
    with container.uow() as uow:
        kinds = [f.kind for f in uow.facts.for_subject(hangzhou)]
    assert FactKind.ARRIVAL in kinds  # recorded for every policy; Hangzhou's colours none
    hz = current_status(uow=container.uow(), clock=container.clock, subject=hangzhou)
    assert hz.colour is Colour.GREEN
