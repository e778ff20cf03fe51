"""Appeals on a real database: filing, the queue by deadline, upholding, and a correction by
four eyes that returns the person to green at once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from appeals_helpers import appeal, red_resident, resident, webhook_bodies
from healthcode.appeals.decisions import APPEAL_DECIDED, uphold_appeal
from healthcode.appeals.filing import file_appeal, my_appeals
from healthcode.appeals.kinds import ANSWER_APPEAL
from healthcode.appeals.model import AppealFiling, AppealState, Correction
from healthcode.appeals.queue import appeal_counts, appeal_queue, get_appeal
from healthcode.container import Container
from healthcode.kernel.clock import FixedClock
from healthcode.kernel.errors import Conflict, InvalidInput, NotAllowed, NotFound
from healthcode.kernel.facts import Colour
from healthcode.oversight import proposals
from healthcode.oversight.access import Principal, Role
from healthcode.status.assessment import current_status, status_history
from identity_helpers import add_test_channel, bind_to_channel
from scope_helpers import access_entries


def _correct(container: Container, scene_officials: dict[str, Principal], payload: dict) -> str:
    return proposals.propose(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=scene_officials["wang"],
        action=ANSWER_APPEAL,
        payload=payload,
        reason="the positive PCR was another person's sample",
    ).id


def test_a_correction_returns_the_person_to_green_at_once(
    container: Container, clock: FixedClock
) -> None:
    """Taking back a wrong test answers the appeal: green at once, says why, turnaround kept."""
    scene = red_resident(container)
    kit = add_test_channel(container)
    bind_to_channel(container, kit, scene.subject, "alipay-user-1")
    filed = appeal(container, scene)
    assert (filed.colour, filed.state) == (Colour.RED, AppealState.OPEN)
    assert filed.due_at == filed.filed_at + timedelta(hours=6)
    clock.advance(timedelta(hours=2))
    proposal_id = _correct(
        container,
        scene.officials,
        {"appeal": filed.id, "correction": "retract", "fact": scene.test_id},
    )
    clock.advance(timedelta(minutes=30))
    approved = proposals.approve(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=scene.officials["li"],
        proposal_id=proposal_id,
    )
    assert approved.result is not None and approved.result["colour"] == "green"
    status = current_status(uow=container.uow(), clock=container.clock, subject=scene.subject)
    assert status.colour is Colour.GREEN
    last = status_history(uow=container.uow(), clock=container.clock, subject=scene.subject)[-1]
    assert (last.colour_from, last.colour_to) == (Colour.RED, Colour.GREEN)
    assert last.cause.startswith(f"appeal {filed.id} corrected: retract")
    (decided,) = my_appeals(uow=container.uow(), principal=scene.citizen)
    assert decided.state is AppealState.CORRECTED and decided.correction is Correction.RETRACT
    assert decided.proposal_id == proposal_id and decided.decided_by == "li"
    assert decided.decision == "the positive PCR was another person's sample"
    assert decided.turnaround == timedelta(hours=2, minutes=30)
    (notice,) = webhook_bodies(container, APPEAL_DECIDED)
    assert notice["channel_user_id"] == "alipay-user-1" and notice["outcome"] == "corrected"


def test_a_correction_waits_for_a_second_official(container: Container) -> None:
    """A correction proposed for an appeal changes nothing until a supervisor approves it."""
    scene = red_resident(container)
    filed = appeal(container, scene)
    proposal_id = _correct(
        container,
        scene.officials,
        {"appeal": filed.id, "correction": "retract", "fact": scene.test_id},
    )
    with pytest.raises(NotAllowed, match="may not"):
        proposals.approve(
            uow=container.uow(),
            clock=container.clock,
            kinds=container.proposal_kinds,
            principal=scene.officials["wang"],
            proposal_id=proposal_id,
        )
    assert appeal_counts(uow=container.uow(), clock=container.clock).open == 1
    proposals.approve(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=scene.officials["li"],
        proposal_id=proposal_id,
    )
    status = current_status(uow=container.uow(), clock=container.clock, subject=scene.subject)
    assert status.colour is Colour.GREEN
    (decided,) = my_appeals(uow=container.uow(), principal=scene.citizen)
    assert decided.correction is Correction.RETRACT


def test_upholding_keeps_the_colour_and_tells_the_citizen_why(container: Container) -> None:
    """An upheld appeal leaves the colour, records the reason and notifies the channel."""
    scene = red_resident(container)
    kit = add_test_channel(container)
    bind_to_channel(container, kit, scene.subject, "u-9")
    filed = appeal(container, scene)
    decided = uphold_appeal(
        uow=container.uow(),
        clock=container.clock,
        principal=scene.officials["wang"],
        appeal_id=filed.id,
        reason="the clinic confirmed the sample is yours",
    )
    assert decided.state is AppealState.UPHELD and decided.turnaround == timedelta(0)
    status = current_status(uow=container.uow(), clock=container.clock, subject=scene.subject)
    assert status.colour is Colour.RED
    (notice,) = webhook_bodies(container, APPEAL_DECIDED)
    assert notice["outcome"] == "upheld"
    with pytest.raises(Conflict, match="already upheld"):
        uphold_appeal(
            uow=container.uow(),
            clock=container.clock,
            principal=scene.officials["li"],
            appeal_id=filed.id,
            reason="again",
        )


def test_filing_refuses_green_a_second_open_appeal_and_an_empty_reason(
    container: Container,
) -> None:
    """A green code, a second open appeal and an empty reason are refused."""
    green = resident(container, 5)
    citizen = Principal(role=Role.CITIZEN, id=green, channel="website")
    with pytest.raises(Conflict, match="green"):
        file_appeal(
            uow=container.uow(),
            clock=container.clock,
            principal=citizen,
            filing=AppealFiling(reason="why"),
        )
    scene = red_resident(container)
    with pytest.raises(InvalidInput, match="reason"):
        appeal(container, scene, reason="   ")
    appeal(container, scene)
    with pytest.raises(Conflict, match="still open"):
        appeal(container, scene)


def test_queue_orders_by_deadline_flags_overdue_and_is_logged(
    container: Container, clock: FixedClock
) -> None:
    """The queue is soonest deadline first, flags overdue ones, counts them, and logs each read."""
    scene = red_resident(container)
    first = appeal(container, scene)
    clock.advance(timedelta(hours=7))
    counts = appeal_counts(uow=container.uow(), clock=container.clock)
    assert (counts.open, counts.overdue) == (1, 1)
    (listed,) = appeal_queue(
        uow=container.uow(), clock=container.clock, principal=scene.officials["wang"]
    )
    assert listed.id == first.id and listed.overdue(clock.now())
    assert ("official:wang", "appeals") in access_entries(container, scene.subject)
    shown = get_appeal(
        uow=container.uow(),
        clock=container.clock,
        principal=scene.officials["wang"],
        appeal_id=first.id,
    )
    assert shown.evidence == "PCR-2026-0301-17"
    assert ("official:wang", "appeal") in access_entries(container, scene.subject)


def test_district_officials_see_and_answer_only_their_district(container: Container) -> None:
    """An official of another district neither lists, reads nor answers the appeal."""
    scene = red_resident(container)
    filed = appeal(container, scene)
    outsider = scene.officials["xh"]
    assert appeal_queue(uow=container.uow(), clock=container.clock, principal=outsider) == []
    with pytest.raises(NotFound):
        get_appeal(
            uow=container.uow(), clock=container.clock, principal=outsider, appeal_id=filed.id
        )
    with pytest.raises(NotFound):
        uphold_appeal(
            uow=container.uow(),
            clock=container.clock,
            principal=outsider,
            appeal_id=filed.id,
            reason="no",
        )
    with pytest.raises((NotFound, NotAllowed)):
        _correct(
            container,
            {"wang": outsider},
            {"appeal": filed.id, "correction": "release", "rules": []},
        )


def test_a_correction_names_a_standing_fact_of_the_person(container: Container) -> None:
    """Taking back a fact that is not the person's, or of a kind not taken back, is refused."""
    scene = red_resident(container)
    filed = appeal(container, scene)
    for bad in ("no-such-fact", ""):
        with pytest.raises(InvalidInput, match=r"payload\.fact"):
            _correct(
                container,
                scene.officials,
                {"appeal": filed.id, "correction": "retract", "fact": bad},
            )
    with pytest.raises(InvalidInput, match=r"payload\.correction"):
        _correct(container, scene.officials, {"appeal": filed.id, "correction": "forgive"})
