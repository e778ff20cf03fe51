"""Two districts of one city, each with a resident who has a confirmed case, a quarantine order,
a pending proposal and a flagged check-in; a city-wide official and a Xihu official to read
them; and counting the access log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from factories import register, resident_id
from healthcode.container import Container
from healthcode.identity.registration import register_person
from healthcode.oversight import proposals
from healthcode.oversight.access import Principal
from healthcode.oversight.tables import AccessAuditRow
from identity_helpers import OfficialKit, add_test_official, principal
from presence_helpers import FAR_AWAY, City, check_in_at, city
from tracing_helpers import confirm, hours, report, work

XIHU = "330106"
SHANGCHENG = "330102"


@dataclass(frozen=True)
class Holdings:
    """What the city holds about one resident."""

    subject: str
    case_id: str
    proposal_id: str
    checkin_id: str


@dataclass(frozen=True)
class TwoDistricts:
    xihu: Holdings
    shangcheng: Holdings
    city_official: Principal  # wang: no district, sees the whole city
    district_official: Principal  # xh: Xihu only
    district_kit: OfficialKit
    officials: dict[str, Principal]
    kits: dict[str, OfficialKit]  # wang (official), li and zhao (supervisors), audit (auditor)
    venues: City


def _resident(container: Container, seq: int, district: str) -> str:
    return register_person(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction="330100",
        person=register(
            id_number=resident_id(seq),
            phone=f"1390000{seq:04d}",
            district=district,
            consent_location=True,
        ),
    ).subject


def _override(container: Container, proposer: Principal, subject: str) -> str:
    return proposals.propose(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=proposer,
        action="override_colour",
        payload={
            "subject": subject,
            "colour": "red",
            "reason_category": "positive_result_not_yet_reported",
            "expires_at": (container.clock.now() + timedelta(days=2)).isoformat(),
        },
        reason="positive PCR reported by phone",
    ).id


def two_districts(container: Container) -> TwoDistricts:
    """A Xihu and a Shangcheng resident, each with everything an official may list."""
    kits = {
        name: add_test_official(container, name, role)
        for name, role in (
            ("wang", "official"),
            ("li", "supervisor"),
            ("zhao", "supervisor"),
            ("audit", "auditor"),
        )
    }
    who = {name: principal(container, name) for name in kits}
    venues = city(container)
    held: dict[str, Holdings] = {}
    for seq, district in ((1, XIHU), (2, SHANGCHENG)):
        subject = _resident(container, seq, district)
        far = check_in_at(container, subject, venues.restaurant.place_code, FAR_AWAY).checkin
        case_id = report(
            container, who["wang"], subject, sampled_at=container.clock.now() - hours(3)
        )
        confirm(container, who["li"], case_id)
        held[district] = Holdings(
            subject=subject,
            case_id=case_id,
            proposal_id=_override(container, who["wang"], subject),
            checkin_id=far.id,
        )
    work(container)
    kit = add_test_official(container, "xh", "official", district=XIHU)
    return TwoDistricts(
        xihu=held[XIHU],
        shangcheng=held[SHANGCHENG],
        city_official=who["wang"],
        district_official=principal(container, "xh"),
        district_kit=kit,
        officials=who,
        kits=kits,
        venues=venues,
    )


def access_records(container: Container, subject: str | None = None) -> int:
    """How many records the access log holds (of ``subject``, when given)."""
    query = select(func.count()).select_from(AccessAuditRow)
    if subject is not None:
        query = query.where(AccessAuditRow.subject == subject)
    with container.uow() as uow:
        return int(uow.session.scalar(query) or 0)


def access_entries(container: Container, subject: str) -> list[tuple[str, str]]:
    """(actor, what) of each record of ``subject``, oldest first."""
    with container.uow() as uow:
        return [(r.actor, r.what) for r in uow.audit.for_subject(subject)]
