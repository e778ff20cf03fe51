"""A confirmed case traced end to end on both databases: who is flagged by which rule and who is
not, the evidence, when codes change, idempotent tracing, corrections and withdrawal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from healthcode.container import Container
from healthcode.kernel.errors import Conflict, NotAllowed
from healthcode.kernel.facts import Colour, FactKind
from healthcode.oversight.access import Principal
from healthcode.status.assessment import current_status, status_history
from healthcode.tracing import cases
from healthcode.tracing.model.cases import CaseCorrection
from healthcode.tracing.model.findings import Interval
from healthcode.tracing.quarantine import my_exposures
from healthcode.tracing.trace import trace_case
from tracing_helpers import confirm, hours, officials, report, resident, ride, stay, work

TRIP = "line7:浙A12345"


@dataclass
class World:
    officials: dict[str, Principal]
    people: dict[str, str]
    case_id: str


def colour(container: Container, subject: str) -> Colour:
    return current_status(uow=container.uow(), clock=container.clock, subject=subject).colour


@pytest.fixture
def world(container: Container) -> World:
    """A case who dined at a restaurant and rode a bus almost three days ago, and the people
    around."""
    now = container.clock.now()
    people = {
        name: resident(container, seq)
        for seq, name in enumerate(
            ["case", "diner", "brief", "early", "rider", "colleague", "stranger"], start=1
        )
    }
    people["spouse"] = resident(container, 20, home=1)  # lives with the case
    dinner = now - timedelta(days=2, hours=20)
    stay(container, people["case"], "louwailou", dinner, dinner + hours(1))
    stay(container, people["diner"], "louwailou", dinner + hours(0.5), dinner + hours(2))
    stay(container, people["brief"], "louwailou", dinner - hours(0.5), dinner + hours(1 / 6))
    stay(container, people["early"], "louwailou", now - timedelta(days=5))
    ride(container, people["case"], TRIP, dinner + hours(1.5), dinner + hours(2))
    ride(container, people["rider"], TRIP, dinner + hours(1.9), dinner + hours(3))
    ride(container, people["stranger"], "line7:浙A99999", dinner + hours(1.5), dinner + hours(2))
    # the diner (a close contact) works with the colleague the next day
    work_day = now - timedelta(days=1)
    stay(container, people["diner"], "office-9", work_day, work_day + hours(8), kind="office")
    stay(container, people["colleague"], "office-9", work_day, work_day + hours(8), kind="office")
    who = officials(container)
    case_id = report(
        container,
        who["wang"],
        people["case"],
        sampled_at=now - hours(12),
        onset_at=now - timedelta(days=1),
    )
    return World(officials=who, people=people, case_id=case_id)


def test_preview_counts_people_per_rule_before_approval(container: Container, world: World) -> None:
    """The approver sees how many people each rule would flag; nothing is recorded by it."""
    preview = cases.preview_case(
        uow=container.uow(),
        clock=container.clock,
        principal=world.officials["li"],
        case_id=world.case_id,
    )
    assert preview.state == "reported"
    assert preview.by_rule == {
        "household": 1,
        "secondary-venue": 1,
        "transit": 1,
        "venue": 1,
    }
    assert preview.people == 4 and preview.quarantine_orders == 3
    assert colour(container, world.people["diner"]) is Colour.GREEN


def test_confirmation_turns_the_right_codes_red_or_yellow(
    container: Container, world: World
) -> None:
    """Confirmation turns the case and close contacts red, secondary ones yellow and no one else."""
    # Each reason names its exposure, whose evidence the person can see.
    p = world.people
    with pytest.raises(NotAllowed):
        confirm(container, world.officials["wang"], world.case_id)  # not the reporter
    confirm(container, world.officials["li"], world.case_id)
    assert colour(container, p["case"]) is Colour.RED
    assert colour(container, p["diner"]) is Colour.GREEN  # tracing is a job: not yet run
    report_ = work(container)
    assert report_.jobs_done == 1
    expected = {
        "case": Colour.RED,
        "diner": Colour.RED,
        "spouse": Colour.RED,
        "rider": Colour.RED,
        "colleague": Colour.YELLOW,
        "brief": Colour.GREEN,
        "early": Colour.GREEN,
        "stranger": Colour.GREEN,
    }
    assert {name: colour(container, s) for name, s in p.items()} == expected
    status = current_status(uow=container.uow(), clock=container.clock, subject=p["diner"])
    rules = {r.rule_id for r in status.reasons}
    assert rules == {"close-contact", "quarantine-central"}
    (exposure,) = [
        e for e in my_exposures(uow=container.uow(), subject=p["diner"]) if e.kind == "exposure"
    ]
    assert exposure.rule == "venue" and exposure.category == "close_contact"
    assert exposure.place_id == "louwailou" and exposure.overlap_minutes == 30
    (contact,) = exposure.contacts
    now = container.clock.now()
    dinner = now - timedelta(days=2, hours=20)
    assert contact.source == Interval(dinner, dinner + hours(1))
    assert contact.contact.start == dinner + hours(0.5)
    assert contact.minutes == 30
    reason = next(r for r in status.reasons if r.rule_id == "close-contact")
    assert exposure.fact in reason.fact_ids
    history = status_history(uow=container.uow(), clock=container.clock, subject=p["diner"])
    assert history[-1].colour_to is Colour.RED
    assert history[-1].cause == f"case {world.case_id} confirmed: traced"


def test_tracing_twice_records_nothing_new(container: Container, world: World) -> None:
    """Running the trace again adds and retracts nothing: the same evidence has the same ids."""
    confirm(container, world.officials["li"], world.case_id)
    work(container)
    with container.uow() as uow:
        before = len(uow.facts.for_subject(world.people["diner"]))
        again = trace_case(uow, container.clock, case_id=world.case_id)
        uow.commit()
    assert again.added == 0 and again.retracted == 0
    with container.uow() as uow:
        assert len(uow.facts.for_subject(world.people["diner"])) == before


def test_withdrawal_returns_everyone_with_the_correction_in_their_history(
    container: Container, world: World
) -> None:
    """A withdrawal returns everyone to their colour without the case, noted in their history."""
    p = world.people
    confirm(container, world.officials["li"], world.case_id)
    work(container)
    container.clock.advance(hours(1))  # type: ignore[attr-defined]
    cases.withdraw_case(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=world.officials["wang"],
        case_id=world.case_id,
        reason="lab mix-up: sample belonged to someone else",
    )
    assert colour(container, p["case"]) is Colour.RED  # nothing happens before the approval
    with pytest.raises(NotAllowed):  # an official never approves
        cases.approve_withdrawal(
            uow=container.uow(),
            clock=container.clock,
            kinds=container.proposal_kinds,
            principal=world.officials["wang"],
            case_id=world.case_id,
        )
    cases.approve_withdrawal(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=world.officials["zhao"],
        case_id=world.case_id,
    )
    assert colour(container, p["case"]) is Colour.GREEN
    work(container)
    assert {name: colour(container, s) for name, s in p.items()} == dict.fromkeys(p, Colour.GREEN)
    history = status_history(uow=container.uow(), clock=container.clock, subject=p["diner"])
    assert [(h.colour_from, h.colour_to) for h in history][-2:] == [
        (Colour.GREEN, Colour.RED),
        (Colour.RED, Colour.GREEN),
    ]
    assert history[-1].cause == f"correction: case {world.case_id} withdrawn"
    case_history = status_history(uow=container.uow(), clock=container.clock, subject=p["case"])
    assert case_history[-1].cause == f"correction: case {world.case_id} withdrawn"
    shown = my_exposures(uow=container.uow(), subject=p["diner"])
    assert shown and all(e.retracted_at is not None for e in shown)
    with container.uow() as uow:
        facts = uow.facts.for_subject(p["diner"], kinds=[FactKind.EXPOSURE])
    assert sorted(f.retracted for f in facts) == [False, True]  # the exposure, its retraction
    with pytest.raises(Conflict):
        cases.withdraw_case(
            uow=container.uow(),
            clock=container.clock,
            kinds=container.proposal_kinds,
            principal=world.officials["zhao"],
            case_id=world.case_id,
            reason="again",
        )


def test_correction_removes_only_exposures_that_no_longer_hold(
    container: Container, world: World
) -> None:
    """An approved correction retracts only the exposures its new infectious window excludes."""
    p = world.people
    confirm(container, world.officials["li"], world.case_id)
    work(container)
    spouse_changes = len(
        status_history(uow=container.uow(), clock=container.clock, subject=p["spouse"])
    )
    now = container.clock.now()
    proposal = cases.correct_case(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=world.officials["wang"],
        case_id=world.case_id,
        correction=CaseCorrection(onset_at=now - hours(10), sampled_at=now - hours(10)),
        reason="onset date misread from the clinic form",
    )
    assert proposal.payload["corrects"] == world.case_id
    preview = cases.preview_case(
        uow=container.uow(),
        clock=container.clock,
        principal=world.officials["li"],
        case_id=world.case_id,
    )
    assert preview.by_rule == {"household": 1}
    confirm(container, world.officials["li"], world.case_id)
    assert colour(container, p["case"]) is Colour.RED  # still a case
    work(container)
    assert colour(container, p["diner"]) is Colour.GREEN
    assert colour(container, p["rider"]) is Colour.GREEN
    assert colour(container, p["colleague"]) is Colour.GREEN
    assert colour(container, p["spouse"]) is Colour.RED
    # the household exposure's evidence changed (a shorter window): it is replaced, the
    # quarantine order (counted from the same last contact) is kept, and the colour never moved
    with container.uow() as uow:
        orders = uow.facts.for_subject(p["spouse"], kinds=[FactKind.QUARANTINE_ORDER])
        exposures = uow.facts.for_subject(p["spouse"], kinds=[FactKind.EXPOSURE])
    assert len(orders) == 1 and sorted(e.retracted for e in exposures) == [False, False, True]
    spouse_history = status_history(uow=container.uow(), clock=container.clock, subject=p["spouse"])
    assert len(spouse_history) == spouse_changes
    view = cases.get_case(
        uow=container.uow(),
        clock=container.clock,
        principal=world.officials["li"],
        case_id=world.case_id,
    )
    assert view.record.version == 2 and view.record.trace_counts == {"household": 1}
