"""The living demo: `demo seed --city` builds and plays a small city; the live loop keeps it
moving (steps with an injected clock, no wall-clock sleeps)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from cli_helpers import ok
from healthcode.container import Container
from healthcode.identity.demo import DEMO_CITIZEN, seed_demo_citizen
from healthcode.kernel.clock import FixedClock
from healthcode.kernel.errors import InvalidInput
from healthcode.kernel.facts import Colour, Exposure, FactKind, Presence
from healthcode.settings import Settings
from healthcode.simulator.demo import housemates, live, load, residents_of, seed_city
from healthcode.simulator.drive import System
from healthcode.simulator.model.city import Role
from healthcode.simulator.model.disease import DAY
from healthcode.status.assessment import current_status
from healthcode.tracing.model.cases import CaseState

SEEDED_AT = "2026-03-04T10:00:00+08:00"  # a Wednesday morning in Hangzhou


def _checkins(container: Container, subjects: tuple[str, ...]) -> list[Presence]:
    with container.uow() as uow:
        return [
            f
            for s in subjects
            for f in uow.facts.for_subject(s, kinds=[FactKind.PRESENCE])
            if isinstance(f, Presence) and f.source in ("checkin", "scan")
        ]


def _system_at(container: Container, now: datetime) -> tuple[System, FixedClock]:
    """The simulator's system on the container, its clock fixed at ``now``."""
    clock = FixedClock(now)
    system = System(
        uow=container.uow,
        clock=clock,
        private_keys=container.private_keys,
        jurisdiction="330100",
        proposal_kinds=container.proposal_kinds,
        job_kinds=container.job_kinds,
    )
    return system, clock


def test_residents_names_a_size_or_a_number() -> None:
    """`--residents` takes small, town or a number within bounds, and refuses anything else."""
    assert (residents_of("small"), residents_of("town"), residents_of("500")) == (200, 2000, 500)
    for bad in ("huge", "5", "-3", "1e3"):
        with pytest.raises(InvalidInput, match="residents"):
            residents_of(bad)


def test_running_without_a_seeded_city_is_refused(tmp_path: Path) -> None:
    """Loading a demo city that was never seeded names the state file and what to run."""
    with pytest.raises(InvalidInput, match="demo seed --city"):
        load(tmp_path / "none.state")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_seeded_city_lives_on_and_a_case_is_confirmed(
    container: Container, cli_env: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`demo seed --city` makes residents, venues, presences; live steps add check-ins, a case."""
    monkeypatch.setenv("HEALTHCODE_FIXED_CLOCK_AT", SEEDED_AT)
    state = tmp_path / "city.state"
    args = ("demo", "seed", "--keys-dir", str(tmp_path / "keys"), "--state", str(state))
    seeded = ok(*args, "--city", "--residents", "small", "--days", "1")
    assert [c["name"] for c in seeded["channels"]] == ["alipay", "wechat", "dingtalk", "website"]
    city = seeded["city"]
    assert city["created"] and city["residents"] == 200 and city["venues"] > 5
    assert isinstance(city["citizen_resident"], int)  # the demo citizen lives in the city
    assert [a["role"] for a in city["officials"]] == ["official", "supervisor"]
    assert all(a["totp_uri"].startswith("otpauth://") for a in city["officials"])
    assert state.stat().st_mode & 0o777 == 0o600
    run = load(state)
    with container.uow() as uow:
        assert all(uow.persons.get(s) is not None for s in run.enrolment.subjects)
    before = _checkins(container, run.enrolment.subjects)
    assert len(before) >= city["checkins"] > 0  # the closed day's, and this morning's
    again = ok(*args, "--city", "--residents", "small")
    assert again["city"]["created"] is False

    now = datetime.fromisoformat(SEEDED_AT)
    system, _ = _system_at(container, now)
    moments = iter(now + timedelta(minutes=5 * n) for n in range(1, 100))
    steps = list(live(run, system, now=lambda: next(moments), steps=12, wait=lambda: None))
    assert len(steps) == 12
    assert run.start + timedelta(minutes=run.played) == now + timedelta(hours=1)
    after = _checkins(container, run.enrolment.subjects)
    assert len(after) > len(before)
    assert all(p.at <= now + timedelta(hours=1) for p in after)
    assert run.office is not None and run.office.confirmed >= 1 and run.office.jobs_done >= 1
    with container.uow() as uow:
        records = [uow.cases.get(case_id) for case_id in run.office.cases.values()]
    assert any(r is not None and r.state is CaseState.CONFIRMED for r in records)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_demo_town_stays_mostly_green_after_its_first_cases(container: Container) -> None:
    """Two days after the seed's case is confirmed and traced, most of the town is green."""
    now = datetime.fromisoformat(SEEDED_AT)
    system, _ = _system_at(container, now)
    seeded = seed_city(system, residents=200, days=1, now=now, password="healthcode demo office")
    run = seeded.run
    days = run.play_until(system, (run.played // DAY + 2) * DAY)
    assert run.office is not None and run.office.confirmed >= 1
    last = days[-1].colours
    assert sum(last.values()) == 200
    assert last.get("red", 0) >= 1  # the confirmed case at least
    assert last.get("yellow", 0) + last.get("red", 0) >= 2
    assert last.get("green", 0) >= 0.7 * 200


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_demo_citizen_is_a_resident_flagged_when_a_housemate_is_confirmed(
    container: Container,
) -> None:
    """The demo citizen's login is a resident living with an infected; their code turns."""
    now = datetime.fromisoformat(SEEDED_AT)
    system, clock = _system_at(container, now)
    seeded = seed_city(system, residents=200, days=1, now=now, password="healthcode demo office")
    run, citizen = seeded.run, seeded.citizen
    assert citizen is not None and run.city.residents[citizen].role is Role.WORKER
    infected = housemates(run.city, citizen) & set(run.epidemic.courses)
    assert infected and citizen not in run.epidemic.courses
    subject = run.enrolment.subjects[citizen]
    login = seed_demo_citizen(uow=container.uow(), clock=clock, jurisdiction="330100")
    assert (login.subject, login.created, login.resident) == (subject, True, True)
    with container.uow() as uow:
        person = uow.persons.get(subject)
        assert person is not None and person.name == DEMO_CITIZEN.name
    again = seed_demo_citizen(uow=container.uow(), clock=clock, jurisdiction="330100")
    assert (again.subject, again.created, again.resident) == (subject, False, None)

    run.play_until(system, run.played + 60)  # the timed result, the office, the worker
    assert run.office is not None and run.office.confirmed >= 1
    status = current_status(uow=container.uow(), clock=clock, subject=subject)
    assert status.colour is not Colour.GREEN and status.reasons
    with container.uow() as uow:
        exposures = uow.facts.for_subject(subject, kinds=[FactKind.EXPOSURE])
    assert any(isinstance(e, Exposure) and e.rule == "household" for e in exposures)
