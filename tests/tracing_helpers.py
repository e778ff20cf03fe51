"""A small world for tracing tests: residents with their own homes, officials, hand-built
presences, and the four-eyes steps of a case."""

from __future__ import annotations

from datetime import datetime, timedelta

from factories import register, resident_id
from healthcode.container import Container
from healthcode.identity.registration import register_person
from healthcode.jobs.queue import JobKinds
from healthcode.kernel.facts import Presence
from healthcode.kernel.ids import new_id
from healthcode.oversight.access import Principal
from healthcode.tracing import cases
from healthcode.tracing.model.cases import CaseReport
from healthcode.worker import PassReport, Worker
from identity_helpers import add_test_official, principal


def resident(
    container: Container,
    seq: int,
    *,
    home: int | None = None,
    jurisdiction: str = "330100",
) -> str:
    """A registered person living at house number ``home`` (their own ``seq`` by default):
    people with the same ``home`` are one household."""
    return register_person(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction=jurisdiction,
        person=register(
            id_number=resident_id(seq),
            phone=f"139{seq:08d}",
            address=f"杭州市西湖区文三路{home if home is not None else seq}号",
        ),
    ).subject


def officials(container: Container, jurisdiction: str = "330100") -> dict[str, Principal]:
    """wang (official) reports, li and zhao (supervisors) confirm and withdraw."""
    for name, role in (("wang", "official"), ("li", "supervisor"), ("zhao", "supervisor")):
        add_test_official(container, f"{name}", role, jurisdiction)
    return {name: principal(container, name) for name in ("wang", "li", "zhao")}


def stay(
    container: Container,
    subject: str,
    place: str,
    start: datetime,
    end: datetime | None = None,
    *,
    kind: str = "restaurant",
    source: str = "checkin",
    cell: str | None = None,
) -> Presence:
    """Record a presence as the presence use cases would (an instant when ``end`` is None)."""
    presence = Presence(
        id=new_id(),
        subject=subject,
        at=start,
        recorded_at=container.clock.now(),
        place_id=place,
        place_kind=kind,
        until=end or start,
        source=source,
        cell=cell,
    )
    with container.uow() as uow:
        uow.facts.add(presence)
        uow.commit()
    return presence


def ride(container: Container, subject: str, trip: str, start: datetime, end: datetime) -> Presence:
    return stay(container, subject, trip, start, end, kind="bus_route", source="transit")


def report(
    container: Container,
    reporter: Principal,
    subject: str,
    *,
    sampled_at: datetime,
    onset_at: datetime | None = None,
    isolated_at: datetime | None = None,
) -> str:
    """Report a case (the proposal's payload carries the new case id); asymptomatic when no
    onset is given."""
    proposal = cases.report_case(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=reporter,
        report=CaseReport(
            subject=subject,
            sampled_at=sampled_at,
            test_reference="HZ-PCR-0001",
            onset_at=onset_at,
            asymptomatic=onset_at is None,
            isolated_at=isolated_at,
        ),
        reason="positive PCR at the fever clinic",
    )
    return str(proposal.payload["case_id"])


def confirm(container: Container, approver: Principal, case_id: str) -> None:
    cases.confirm_case(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=approver,
        case_id=case_id,
    )


def work(container: Container, kinds: JobKinds | None = None) -> PassReport:
    """One pass of a worker (jobs of the system's kinds, or of ``kinds``; due statuses; no
    webhooks sent)."""
    return Worker(
        uow_factory=container.uow,
        clock=container.clock,
        kinds=container.job_kinds if kinds is None else kinds,
    ).run_once()


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def traced_case_with_contacts(
    container: Container,
    who: dict[str, Principal],
    *,
    contacts: int,
    place: str = "cafe",
    stagger: float = 0.0,
) -> tuple[str, list[str]]:
    """A case confirmed and traced (resident 1) with ``contacts`` close contacts (residents 2
    on), each an hour at ``place`` with it 30 hours ago, each ``stagger`` hours after the last
    (so their orders end that far apart); the case's id and the contacts."""
    case = resident(container, 1)
    met = [resident(container, n) for n in range(2, contacts + 2)]
    now = container.clock.now()
    stay(container, case, place, now - hours(30), now - hours(29 - (contacts - 1) * stagger))
    for n, contact in enumerate(met):
        stay(
            container, contact, place, now - hours(30 - n * stagger), now - hours(29 - n * stagger)
        )
    case_id = report(container, who["wang"], case, sampled_at=now - hours(2), onset_at=now)
    confirm(container, who["li"], case_id)
    work(container)
    return case_id, met
