"""Ending a risk area before its planned end, by four eyes (``end_risk_area``): one official
proposes it with a reason, a different one approves, and the area ends at the approval. Its
window up to then stands (the exposures found in it stay); nothing after it is an exposure.
An area that has not started yet ends with an empty window."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import Conflict, InvalidInput, NotFound
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.kinds import Approval, Prepared, ProposalHandler
from healthcode.oversight.model import ProposalKind
from healthcode.tracing.model.risk_areas import RiskArea
from healthcode.tracing.ports import TracingUnitOfWork


def _open_area(uow: TracingUnitOfWork, clock: Clock, area_id: object) -> RiskArea:
    if not isinstance(area_id, str) or not area_id:
        raise InvalidInput.one("payload.risk_area", "is required: the risk area's id")
    area = uow.risk_areas.get(area_id)
    if area is None:
        raise NotFound("risk area", area_id)
    if area.ends_at <= clock.now():
        raise Conflict("payload.risk_area", "the risk area has already ended")
    return area


def _prepare(
    uow: TracingUnitOfWork, clock: Clock, principal: Principal, payload: Mapping[str, Any]
) -> Prepared:
    area = _open_area(uow, clock, payload.get("risk_area"))
    if principal.jurisdiction is not None and area.jurisdiction != principal.jurisdiction:
        raise NotFound("risk area", area.id)  # outside your jurisdiction: as if absent
    return Prepared(
        jurisdiction=area.jurisdiction,
        payload={
            "risk_area": area.id,
            "name": area.name,
            "level": area.level,
            "planned_end": area.ends_at.isoformat(),
        },
    )


def _execute(approval: Approval[TracingUnitOfWork]) -> Mapping[str, Any]:
    uow, now = approval.uow, approval.clock.now()
    area = _open_area(uow, approval.clock, approval.proposal.payload.get("risk_area"))
    uow.risk_areas.end(area.id, now)
    return {"risk_area": area.id, "ended_at": now.isoformat()}


END_RISK_AREA_HANDLER: Final = ProposalHandler[TracingUnitOfWork](
    kind=ProposalKind.END_RISK_AREA.value,
    propose_action=Action.PROPOSE_RISK_AREA,
    approve_action=Action.APPROVE_RISK_AREA,
    prepare=_prepare,
    execute=_execute,
    description="end a risk area now, before its planned end",
)
