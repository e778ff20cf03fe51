"""The health office and the worker in the loop: a positive result is reported, confirmed by a
second official and traced in virtual time; the contacts' codes change and they stay home."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from healthcode.container import Container
from healthcode.kernel.facts import Colour, FactKind, Presence
from healthcode.simulator.drive import Enrolment, System, enrol, run_start
from healthcode.simulator.loop import Behaviour, CityRun
from healthcode.simulator.model.city import City, CityParams, Role, build_city
from healthcode.simulator.model.disease import DAY, Course
from healthcode.simulator.model.epidemic import Epidemic, Infection, OutbreakParams
from healthcode.simulator.office import HealthOffice, open_office
from healthcode.status.assessment import status_now
from healthcode.tracing.model.cases import CaseState

MONDAY = date(2026, 3, 2)
PASSWORD = "simulated office password"
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _system(container: Container) -> System:
    return System(
        uow=container.uow,
        clock=container.clock,  # type: ignore[arg-type]
        private_keys=container.private_keys,
        jurisdiction="330100",
        proposal_kinds=container.proposal_kinds,
        job_kinds=container.job_kinds,
    )


@pytest.fixture
def city() -> City:
    return build_city(CityParams(population=120), seed=12)


@pytest.fixture
def enrolled(container: Container, city: City) -> Enrolment:
    return enrol(_system(container), city, start=run_start("330100", MONDAY))


def _case(city: City, epidemic: Epidemic) -> int:
    """A worker infected before the run, sampled on Tuesday evening after two days at work
    (result Wednesday 08:00): the model's only case."""
    worker = next(
        r.id
        for r in city.residents
        if r.role is Role.WORKER and sum(o.day_place == r.day_place for o in city.residents) > 5
    )
    sampled = DAY + 20 * 60
    epidemic.courses[worker] = Course(
        person=worker,
        infected_at=-3 * DAY,
        onset=DAY + 12 * 60,
        sampled_at=sampled,
        result_at=sampled + 12 * 60,
        relative_infectiousness=1.0,
    )
    epidemic.infections.append(
        Infection(person=worker, at=-3 * DAY, infector=None, place=None, contact_class=None)
    )
    return worker


def _presences(container: Container, subject: str) -> list[Presence]:
    with container.uow() as uow:
        facts = uow.facts.for_subject(subject, kinds=[FactKind.PRESENCE])
    return [f for f in facts if isinstance(f, Presence) and f.source in ("checkin", "scan")]


def test_a_confirmed_case_is_traced_and_its_contacts_stay_home(
    container: Container, city: City, enrolled: Enrolment
) -> None:
    """A result is reported, confirmed by another official and traced: a teammate stays home."""
    system = _system(container)
    reporter, confirmer = open_office(system, password=PASSWORD)
    assert (reporter.role, confirmer.role) == ("official", "supervisor")
    assert reporter.totp_uri.startswith("otpauth://totp/") and confirmer.totp_uri
    epidemic = Epidemic(city, OutbreakParams(days=4, seeded=0), seed=3)
    case = _case(city, epidemic)
    start = run_start("330100", MONDAY)
    office = HealthOffice()
    run = CityRun(
        epidemic, enrolled, start=start, behaviour=Behaviour(compliance=1.0), office=office
    )
    run.play_until(system, 2 * DAY + 12 * 60)  # Wednesday noon
    assert office.confirmed == 1 and office.jobs_done >= 1
    with container.uow() as uow:
        record = uow.cases.get(office.cases[case])
        assert record is not None and record.state is CaseState.CONFIRMED
        assert record.confirmed_by != record.reported_by
        colours = {
            r.id: status_now(uow, clock=container.clock, subject=enrolled.subjects[r.id]).colour
            for r in city.residents
        }
    assert colours[case] is Colour.RED
    team = {r.id for r in city.residents if r.day_place == city.residents[case].day_place}
    household = set(city.households[city.residents[case].household])
    flagged = {r for r, colour in colours.items() if colour is not Colour.GREEN} - {case}
    teammates = (flagged & team) - household
    assert teammates, "a teammate who checked in near the case's time is traced"
    run.play_until(system, 4 * DAY)
    thursday = start + timedelta(days=3)
    assert run.days[3].stayed_home >= len(flagged)
    for teammate in teammates:
        at_work = _presences(container, enrolled.subjects[teammate])
        assert at_work and all(p.at < thursday for p in at_work)


def test_a_worker_pass_whose_traces_record_nothing_leaves_the_colours_standing(
    container: Container, city: City, enrolled: Enrolment
) -> None:
    """A pass of quiet rescans changes no colour, so the doors need not read them again."""
    system = _system(container)
    open_office(system, password=PASSWORD)
    epidemic = Epidemic(city, OutbreakParams(days=4, seeded=0), seed=3)
    _case(city, epidemic)
    office = HealthOffice()
    run = CityRun(
        epidemic,
        enrolled,
        start=run_start("330100", MONDAY),
        behaviour=Behaviour(compliance=1.0),
        office=office,
    )
    run.play_until(system, 2 * DAY + 12 * 60)  # Wednesday noon: the case confirmed and traced
    assert office.confirmed == 1
    container.clock.advance(timedelta(minutes=15))  # type: ignore[attr-defined]
    office._pass(system)  # the rescan takes in the morning's scans the devices uploaded at noon
    done = office.jobs_done
    container.clock.advance(timedelta(minutes=15))  # type: ignore[attr-defined]
    assert office._pass(system) is False  # nothing arrived since: the next rescan is quiet
    assert office.jobs_done > done  # a rescan ran, and found nothing new
