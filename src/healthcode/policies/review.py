"""Policies for officials at the API and the console: the version in force with its history,
checking a policy text and measuring its impact. Each authorises its caller (the officials
who may propose a policy) and then runs the same use cases as `healthcode policy`."""

from __future__ import annotations

from dataclasses import dataclass

from healthcode.kernel.budget import TimeBudget
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import InvalidInput
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.authz import require, require_scope
from healthcode.policies import versions
from healthcode.policies.model import ActivatedPolicy
from healthcode.policies.ports import PoliciesUnitOfWork
from healthcode.policy.model import Policy


@dataclass(frozen=True, kw_only=True)
class InForce:
    """The policy in force in a jurisdiction, and every version activated there."""

    policy: Policy
    activated: ActivatedPolicy | None  # None: the bundled policy, never activated here
    history: list[ActivatedPolicy]


def _jurisdiction(principal: Principal) -> str:
    if principal.jurisdiction is None:
        raise InvalidInput.one("jurisdiction", "an official has a jurisdiction")
    return principal.jurisdiction


def policy_in_force(*, uow: PoliciesUnitOfWork, principal: Principal) -> InForce:
    """The caller's jurisdiction's policy now (its version, rules and notices) and history."""
    principal = require(principal, Action.PROPOSE_POLICY)
    jurisdiction = _jurisdiction(principal)
    with uow:
        policy = uow.policies.active(jurisdiction)
        history = uow.policies.history(jurisdiction)
    latest = history[-1] if history else None
    activated = latest if latest is not None and latest.version == policy.version else None
    return InForce(policy=policy, activated=activated, history=history)


def review_policy(*, principal: Principal, source: str, budget: TimeBudget) -> Policy:
    """``versions.check_policy`` for an official who may propose one, for their jurisdiction
    (``InvalidInput`` naming every field that is wrong)."""
    principal = require(principal, Action.PROPOSE_POLICY)
    policy = versions.check_policy(source=source, budget=budget)
    require_scope(principal, policy.jurisdiction, action=Action.PROPOSE_POLICY)
    return policy


def measure_policy(
    *,
    uow: PoliciesUnitOfWork,
    clock: Clock,
    principal: Principal,
    source: str,
    check: TimeBudget,
    budget: TimeBudget,
) -> versions.Impact:
    """``versions.policy_impact`` (who would change colour now, counts only, nothing written)
    for an official who may propose the policy."""
    review_policy(principal=principal, source=source, budget=check)
    return versions.policy_impact(uow=uow, clock=clock, source=source, check=check, budget=budget)


def published_rules(*, uow: PoliciesUnitOfWork, jurisdiction: str) -> Policy:
    """The policy in force in ``jurisdiction``, whose rules and notices are published: anyone
    may read what each means and how it clears (``NotFound`` for a jurisdiction with none)."""
    with uow:
        return uow.policies.active(jurisdiction)
