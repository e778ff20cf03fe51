"""``sunset`` and ``reactivate``: the four-eyes kinds that end the emergency and start it again.

A sunset is proposed by an admin and needs two approvals, the bulk actions' mechanism
(``oversight.proposals``): another admin's and an auditor's, in either order. Approved, the
instance is retired at once (``oversight.instance``: nothing collects any more) and its personal
data is purged by the worker once the grace period is over (``sunset.purge``). Collecting again
takes a ``reactivate`` proposal approved by a second admin."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import Conflict, InvalidInput, NotAllowed
from healthcode.oversight.access import Action, Principal, Role
from healthcode.oversight.instance import COLLECTING, InstanceState, Phase
from healthcode.oversight.kinds import Approval, Prepared, ProposalHandler
from healthcode.oversight.model import ProposalKind
from healthcode.oversight.ports import OversightUnitOfWork

SUNSET = ProposalKind.SUNSET.value
REACTIVATE = ProposalKind.REACTIVATE.value
DEFAULT_GRACE_DAYS = 30
MAX_GRACE_DAYS = 365


def _grace_days(payload: Mapping[str, Any]) -> int:
    days = payload.get("grace_days", DEFAULT_GRACE_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_GRACE_DAYS:
        raise InvalidInput.one(
            "payload.grace_days", f"must be a whole number of days from 0 to {MAX_GRACE_DAYS}"
        )
    return days


def _prepare_sunset(
    uow: OversightUnitOfWork, clock: Clock, principal: Principal, payload: Mapping[str, Any]
) -> Prepared:
    if uow.instance.get().retired:
        raise Conflict("instance", "the system is retired already")
    # two approvals, as a bulk action: another admin's and an auditor's
    return Prepared(payload={"grace_days": _grace_days(payload)}, bulk=True)


def _execute_sunset(approval: Approval[OversightUnitOfWork]) -> Mapping[str, Any]:
    proposal, approver = approval.proposal, approval.approver
    roles = {proposal.first_approved_by_role, approver.role.value}
    if Role.AUDITOR.value not in roles:
        raise NotAllowed(Action.APPROVE_SUNSET.value, "a sunset needs an auditor's approval")
    if Role.ADMIN.value not in roles:
        raise NotAllowed(Action.APPROVE_SUNSET.value, "a sunset needs a second admin's approval")
    uow = approval.uow
    if uow.instance.get(for_update=True).retired:
        raise Conflict("instance", "the system is retired already")
    now = approval.clock.now()
    purge_after = now + timedelta(days=int(proposal.payload["grace_days"]))
    uow.instance.save(
        InstanceState(
            phase=Phase.RETIRED, changed_at=now, proposal=proposal.id, purge_after=purge_after
        )
    )
    return {"retired_at": now.isoformat(), "purge_after": purge_after.isoformat()}


def _prepare_reactivate(
    uow: OversightUnitOfWork, clock: Clock, principal: Principal, payload: Mapping[str, Any]
) -> Prepared:
    if not uow.instance.get().retired:
        raise Conflict("instance", "the system is collecting: there is nothing to reactivate")
    return Prepared(payload={})


def _execute_reactivate(approval: Approval[OversightUnitOfWork]) -> Mapping[str, Any]:
    uow = approval.uow
    if not uow.instance.get(for_update=True).retired:
        raise Conflict("instance", "the system is collecting: there is nothing to reactivate")
    now = approval.clock.now()
    uow.instance.save(
        InstanceState(phase=COLLECTING.phase, changed_at=now, proposal=approval.proposal.id)
    )
    return {"reactivated_at": now.isoformat()}


SUNSET_KIND: ProposalHandler[OversightUnitOfWork] = ProposalHandler(
    kind=SUNSET,
    propose_action=Action.PROPOSE_SUNSET,
    approve_action=Action.APPROVE_SUNSET,
    prepare=_prepare_sunset,
    execute=_execute_sunset,
    description="end the emergency: no new data, codes retired, personal data purged later",
)

REACTIVATE_KIND: ProposalHandler[OversightUnitOfWork] = ProposalHandler(
    kind=REACTIVATE,
    propose_action=Action.PROPOSE_REACTIVATION,
    approve_action=Action.APPROVE_REACTIVATION,
    prepare=_prepare_reactivate,
    execute=_execute_reactivate,
    description="activate a retired instance again: it collects data again",
)

SUNSET_HANDLERS = (SUNSET_KIND, REACTIVATE_KIND)
