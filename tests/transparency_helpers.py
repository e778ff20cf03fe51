"""A day of the system to report on: a wrong red corrected on appeal, an override by four
eyes, a break-glass read, and an appeal left unanswered past its deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from appeals_helpers import Scene, appeal, red_resident, resident
from healthcode.appeals.filing import file_appeal
from healthcode.appeals.kinds import ANSWER_APPEAL
from healthcode.appeals.model import AppealFiling
from healthcode.container import Container
from healthcode.kernel.clock import FixedClock
from healthcode.oversight import proposals
from healthcode.oversight.access import Principal, Role
from healthcode.oversight.audit import ConsoleOperator
from healthcode.status.assessment import current_status

OVERRIDE_REASON = "positive_result_not_yet_reported"


@dataclass(frozen=True)
class Day:
    scene: Scene
    other: str  # the resident overridden to red, whose appeal stays open


def _four_eyes(container: Container, scene: Scene, action: str, payload: dict) -> None:
    proposal = proposals.propose(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=scene.officials["wang"],
        action=action,
        payload=payload,
        reason="a health reason given by the proposer",
    )
    proposals.approve(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=scene.officials["li"],
        proposal_id=proposal.id,
    )


def a_day(container: Container, clock: FixedClock) -> Day:
    """From T0: resident 1 red by a wrong test, appeals, corrected 2 h 30 later; resident 2
    overridden red, appeals, left unanswered for 7 h; one break-glass read of resident 1."""
    scene = red_resident(container)
    other = resident(container, 2)
    filed = appeal(container, scene)
    clock.advance(timedelta(hours=2, minutes=30))
    _four_eyes(
        container,
        scene,
        ANSWER_APPEAL,
        {"appeal": filed.id, "correction": "retract", "fact": scene.test_id},
    )
    _four_eyes(
        container,
        scene,
        "override_colour",
        {
            "subject": other,
            "colour": "red",
            "reason_category": OVERRIDE_REASON,
            "expires_at": (clock.now() + timedelta(days=2)).isoformat(),
        },
    )
    file_appeal(
        uow=container.uow(),
        clock=clock,
        principal=Principal(role=Role.CITIZEN, id=other, channel="website"),
        filing=AppealFiling(reason="I have had no test at all", evidence=None),
    )
    current_status(
        uow=container.uow(),
        clock=clock,
        subject=scene.subject,
        reader=ConsoleOperator("root", reason="the official's phone was lost at a checkpoint"),
    )
    clock.advance(timedelta(hours=7))
    return Day(scene=scene, other=other)


def a_later_override(container: Container, day: Day) -> None:
    """Resident 2 overridden red again by four eyes, and one more break-glass read of resident
    1: what a later year of the emergency adds to the report."""
    _four_eyes(
        container,
        day.scene,
        "override_colour",
        {
            "subject": day.other,
            "colour": "red",
            "reason_category": OVERRIDE_REASON,
            "expires_at": (container.clock.now() + timedelta(days=2)).isoformat(),
        },
    )
    current_status(
        uow=container.uow(),
        clock=container.clock,
        subject=day.scene.subject,
        reader=ConsoleOperator("root", reason="the official's phone was lost again"),
    )
