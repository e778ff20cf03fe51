"""The closed loop: the system's colours keep residents home or turn them away at the door."""

from __future__ import annotations

from datetime import date

import pytest

from healthcode.container import Container
from healthcode.kernel.facts import FactKind
from healthcode.simulator.drive import Enrolment, System, enrol, run_start
from healthcode.simulator.loop import Behaviour, run_in_system
from healthcode.simulator.model.city import City, CityParams, Role, build_city
from healthcode.simulator.model.disease import DAY
from healthcode.simulator.model.epidemic import Epidemic, OutbreakParams
from healthcode.simulator.model.places import PlaceKind
from healthcode.status.test_results import record_test_result

MONDAY = date(2026, 3, 2)


def _system(container: Container) -> System:
    return System(
        uow=container.uow,
        clock=container.clock,  # type: ignore[arg-type]
        private_keys=container.private_keys,
        jurisdiction="330100",
    )


@pytest.fixture
def city() -> City:
    return build_city(CityParams(population=40), seed=12)


@pytest.fixture
def enrolled(container: Container, city: City) -> Enrolment:
    return enrol(_system(container), city, start=run_start("330100", MONDAY))


def _red_worker(container: Container, city: City, enrolled: Enrolment) -> int:
    """A worker whose code is red: a (false) positive result recorded before the run."""
    worker = next(r.id for r in city.residents if r.role is Role.WORKER and r.ride_out is None)
    record_test_result(
        uow=container.uow(),
        clock=container.clock,
        subject=enrolled.subjects[worker],
        test_kind="pcr",
        result="positive",
        sampled_at=container.clock.now(),
    )
    return worker


def _checkins(container: Container, subject: str) -> int:
    with container.uow() as uow:
        facts = uow.facts.for_subject(subject, kinds=[FactKind.PRESENCE])
    return len(list(facts))


def test_a_red_resident_who_complies_stays_home(
    container: Container, city: City, enrolled: Enrolment
) -> None:
    """A resident whose code is red stays home all day and sends no check-in."""
    worker = _red_worker(container, city, enrolled)
    epidemic = Epidemic(city, OutbreakParams(days=1, seeded=0), seed=1)
    [day] = run_in_system(
        _system(container),
        enrolled,
        epidemic,
        days=range(1),
        start=run_start("330100", MONDAY),
        behaviour=Behaviour(compliance=1.0),
    )
    assert (day.restricted, day.stayed_home, day.record.stopped) == (1, 1, 0)
    assert _checkins(container, enrolled.subjects[worker]) == 0
    away = [v for v in epidemic.planned(0) if city.places[v.place].kind is not PlaceKind.HOME]
    sent = [v for v in away if v.person != worker]
    assert len(sent) < len(away)
    assert day.record.checkins + day.record.rides == len(sent)


def test_a_red_resident_who_goes_out_is_turned_away_at_every_door(
    container: Container, city: City, enrolled: Enrolment
) -> None:
    """A red resident who goes out anyway is stopped at each venue and spends that time home."""
    worker = _red_worker(container, city, enrolled)
    epidemic = Epidemic(city, OutbreakParams(days=1, seeded=0), seed=1)
    away = [
        v
        for v in epidemic.planned(0)
        if v.person == worker and city.places[v.place].kind is not PlaceKind.HOME
    ]
    [day] = run_in_system(
        _system(container),
        enrolled,
        epidemic,
        days=range(1),
        start=run_start("330100", MONDAY),
        behaviour=Behaviour(compliance=0.0),
    )
    assert (day.restricted, day.stayed_home) == (1, 0)
    assert away and day.record.turned_away == frozenset(away)
    assert day.record.stopped == len(away)


def test_the_loop_infects_through_the_model(
    container: Container, city: City, enrolled: Enrolment
) -> None:
    """Advanced in the loop, the outbreak's infections are the model's ground truth of each day."""
    epidemic = Epidemic(city, OutbreakParams(days=2, seeded=15, seed_spread_days=3), seed=2)
    seeded = len(epidemic.infections)
    days = run_in_system(
        _system(container),
        enrolled,
        epidemic,
        days=range(2),
        start=run_start("330100", MONDAY),
        behaviour=Behaviour(),
    )
    assert sum(d.infections for d in days) == len(epidemic.infections) - seeded
    later = epidemic.infections[seeded:]
    assert later, "the seeded cases infect someone in two days"
    assert all(0 <= i.at < 2 * DAY and i.infector is not None for i in later)
