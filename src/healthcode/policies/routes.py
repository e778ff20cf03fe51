"""Policies over HTTP: the published rules in force (anyone), and for officials who may propose
a policy the version in force, checking a policy text, measuring its impact, and proposing its
activation (a different supervisor approves it at `/proposals/{id}/approve`). The same use
cases as `healthcode policy`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from healthcode.api.auth import Authorized, Public
from healthcode.api.deps import ContainerDep
from healthcode.api.responses import CONFLICT, NOT_FOUND
from healthcode.oversight import proposals
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.model import ProposalKind
from healthcode.oversight.schemas import ProposalOut
from healthcode.policies import review
from healthcode.policies.schemas import (
    ActivatedOut,
    ActivationIn,
    ImpactOut,
    PolicyCheckOut,
    PolicyInForceOut,
    PolicyReadOut,
    PolicyRulesOut,
    PolicySourceIn,
)

router = APIRouter(prefix="/api/v1", tags=["policies"])

ProposesPolicies = Annotated[Principal, Depends(Authorized(Action.PROPOSE_POLICY))]


@router.get("/policies", response_model=PolicyInForceOut)
def policy_in_force(official: ProposesPolicies, container: ContainerDep) -> PolicyInForceOut:
    """The policy in force in your jurisdiction (`activated` null: the city's bundled one) and
    every version activated there, oldest first."""
    found = review.policy_in_force(uow=container.uow(), principal=official)
    return PolicyInForceOut(
        **PolicyReadOut.of(found.policy).model_dump(),
        activated=None if found.activated is None else ActivatedOut.of(found.activated),
        history=[ActivatedOut.of(a) for a in found.history],
    )


@router.get(
    "/policies/rules",
    response_model=PolicyRulesOut,
    dependencies=[Depends(Public(Action.READ_POLICY_RULES))],
)
def policy_rules(container: ContainerDep) -> PolicyRulesOut:
    """The rules and notices of the policy in force in this jurisdiction, as it words them
    (each rule's meaning and how it clears, in each language): public, no one named."""
    policy = review.published_rules(
        uow=container.uow(), jurisdiction=container.settings.jurisdiction
    )
    return PolicyRulesOut.of(policy)


@router.post("/policies/check", response_model=PolicyCheckOut)
def check_policy(
    body: PolicySourceIn, official: ProposesPolicies, container: ContainerDep
) -> PolicyCheckOut:
    """Check a policy text, its sections included: 422 names every field that is wrong (rule
    id and field, `tracing.<key>` for a tracing parameter). Nothing is recorded."""
    policy = review.review_policy(
        principal=official, source=body.source, budget=container.settings.policy_check_budget
    )
    return PolicyCheckOut.checked(policy, source=body.source)


@router.post("/policies/impact", response_model=ImpactOut)
def policy_impact(
    body: PolicySourceIn, official: ProposesPolicies, container: ContainerDep
) -> ImpactOut:
    """How many registered people would change colour now under the policy, by colour (counts
    only; nothing is applied or recorded)."""
    settings = container.settings
    impact = review.measure_policy(
        uow=container.uow(),
        clock=container.clock,
        principal=official,
        source=body.source,
        check=settings.policy_check_budget,
        budget=settings.policy_impact_budget,
    )
    return ImpactOut.of(impact)


@router.post(
    "/policies/activate",
    status_code=status.HTTP_201_CREATED,
    response_model=ProposalOut,
    responses={**NOT_FOUND, **CONFLICT},
)
def propose_activation(
    body: ActivationIn, official: ProposesPolicies, container: ContainerDep
) -> ProposalOut:
    """Propose activating the policy (checked first): nothing changes until a different
    supervisor approves the proposal, which records both names."""
    policy = review.review_policy(
        principal=official, source=body.source, budget=container.settings.policy_check_budget
    )
    proposal = proposals.propose(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=official,
        action=ProposalKind.ACTIVATE_POLICY.value,
        payload={"source": body.source},
        reason=body.reason or f"activate {policy.jurisdiction} policy {policy.version}",
    )
    return ProposalOut.of(proposal)
