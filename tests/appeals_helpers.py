"""A resident turned red by a positive test, their appeal, and officials to answer it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from factories import register, resident_id
from healthcode.appeals.filing import file_appeal
from healthcode.appeals.model import Appeal, AppealFiling
from healthcode.container import Container
from healthcode.identity.registration import register_person
from healthcode.jobs.tables import JobRow
from healthcode.oversight.access import Principal, Role
from healthcode.status.test_results import record_test_result
from identity_helpers import OfficialKit, add_test_official, principal


@dataclass(frozen=True)
class Scene:
    subject: str
    citizen: Principal
    test_id: str  # the wrong positive test
    officials: dict[str, Principal]  # wang (official), li (supervisor), xh (Xihu official)
    kits: dict[str, OfficialKit]  # their passwords' and TOTP's kits, to log in at the console


def resident(container: Container, seq: int = 1, district: str | None = "330106") -> str:
    return register_person(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction="330100",
        person=register(id_number=resident_id(seq), phone=f"1390000{seq:04d}", district=district),
    ).subject


def red_resident(container: Container, seq: int = 1, district: str | None = "330106") -> Scene:
    """A resident red from a positive PCR (recorded in error), and officials wang, li, xh."""
    subject = resident(container, seq, district)
    fact, status = record_test_result(
        uow=container.uow(),
        clock=container.clock,
        subject=subject,
        test_kind="pcr",
        result="positive",
        sampled_at=container.clock.now() - timedelta(hours=2),
    )
    assert status.colour.value == "red"
    kits = {
        "wang": ("official", None),
        "li": ("supervisor", None),
        "xh": ("official", "330106" if district != "330106" else "330102"),
    }
    who, made = {}, {}
    for name, (role, where) in kits.items():
        made[name] = add_test_official(container, name, role, district=where)
        who[name] = principal(container, name)
    return Scene(
        subject=subject,
        citizen=Principal(role=Role.CITIZEN, id=subject, channel="website"),
        test_id=fact.id,
        officials=who,
        kits=made,
    )


def appeal(container: Container, scene: Scene, reason: str = "that test was not mine") -> Appeal:
    return file_appeal(
        uow=container.uow(),
        clock=container.clock,
        principal=scene.citizen,
        filing=AppealFiling(reason=reason, evidence="PCR-2026-0301-17"),
    )


def webhook_bodies(container: Container, event: str) -> list[dict[str, object]]:
    """The bodies of the queued webhooks of ``event``."""
    with container.uow() as uow:
        payloads = uow.session.scalars(select(JobRow.payload)).all()
    return [json.loads(p["body"]) for p in payloads if p.get("event") == event]
