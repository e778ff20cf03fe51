"""Answering an appeal: upheld by one official with a reason (the colour stands, nothing
changes), or corrected by four eyes (``appeals.kinds``). Either way the answer is saved with its
turnaround and the person's channels are told (``appeal.decided``)."""

from __future__ import annotations

from dataclasses import replace

from healthcode.appeals.filing import _reason
from healthcode.appeals.model import Appeal, AppealState, Correction
from healthcode.appeals.ports import AppealsUnitOfWork
from healthcode.appeals.queue import in_scope
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import Conflict, NotFound
from healthcode.notifications.notices import queue_notice
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.audit import record_access
from healthcode.oversight.authz import require, require_person_scope

APPEAL_DECIDED = "appeal.decided"


def open_appeal(
    uow: AppealsUnitOfWork, principal: Principal, appeal_id: str, action: Action
) -> Appeal:
    """The open appeal, locked, within the official's scope: not found when out of their
    sight, ``NotAllowed`` never leaks it; ``Conflict`` once answered."""
    appeal = uow.appeals.get(appeal_id, for_update=True)
    if appeal is None or not in_scope(uow, principal, appeal):
        raise NotFound("appeal", appeal_id)
    require_person_scope(
        principal,
        jurisdiction=appeal.jurisdiction,
        district=uow.persons.district_of(appeal.subject),
        action=action,
    )
    if appeal.state is not AppealState.OPEN:
        raise Conflict("state", f"the appeal is already {appeal.state.value}")
    return appeal


def decide_in(
    uow: AppealsUnitOfWork,
    *,
    clock: Clock,
    appeal: Appeal,
    decided_by: str,
    decision: str,
    correction: Correction | None = None,
    proposal_id: str | None = None,
) -> Appeal:
    """Save the answer and tell the person's channels, inside the caller's transaction."""
    now = clock.now()
    decided = replace(
        appeal,
        state=AppealState.UPHELD if correction is None else AppealState.CORRECTED,
        decided_at=now,
        decided_by=decided_by,
        decision=decision,
        correction=correction,
        proposal_id=proposal_id,
    )
    uow.appeals.save_decision(decided)
    queue_notice(
        uow,
        subject=appeal.subject,
        event=APPEAL_DECIDED,
        key=f"appeal-decided:{appeal.id}",
        fields={
            "appeal_id": appeal.id,
            "outcome": decided.state.value,
            "at": now.isoformat(),
        },
        now=now,
    )
    return decided


def uphold_appeal(
    *, uow: AppealsUnitOfWork, clock: Clock, principal: Principal, appeal_id: str, reason: str
) -> Appeal:
    """Answer that the colour stands, saying why (the citizen reads the reason). Nothing
    changes for the person, so one official decides."""
    principal = require(principal, Action.UPHOLD_APPEAL)
    clean = _reason(reason)
    with uow:
        appeal = open_appeal(uow, principal, appeal_id, Action.UPHOLD_APPEAL)
        decided = decide_in(
            uow,
            clock=clock,
            appeal=appeal,
            decided_by=principal.name or principal.id,
            decision=clean,
        )
        record_access(
            uow,
            clock=clock,
            principal=principal,
            subject=appeal.subject,
            what="appeal upheld",
            purpose=principal.purpose,
        )
        uow.commit()
    return decided
