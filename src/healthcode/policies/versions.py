"""Policy operations for a health office: check a file, measure its impact, activate it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from healthcode.appeals.settings import appeals_problems
from healthcode.checkpoint.acceptance import acceptance_problems
from healthcode.kernel.budget import TimeBudget, TookTooLong
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import InvalidInput, Problem
from healthcode.kernel.facts import Colour
from healthcode.kernel.regions import time_zone
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.bulk import oversight_problems
from healthcode.oversight.kinds import Approval, Prepared, ProposalHandler
from healthcode.oversight.model import ProposalKind
from healthcode.policies.model import ActivatedPolicy, PolicyActivated, source_sha256
from healthcode.policies.ports import PoliciesUnitOfWork
from healthcode.policy.assess import assess
from healthcode.policy.factset import FactSet
from healthcode.policy.loader import policy_of
from healthcode.policy.model import Policy
from healthcode.policy.yaml_text import read_yaml
from healthcode.presence.settings import presence_problems
from healthcode.presence.venue_kinds import VenueKind
from healthcode.tracing.settings import parse_tracing, tracing_problems

IMPACT_BATCH = 2_000
CHECK_SECONDS = 10.0
"""The time budget of a policy check unless one is given (``Settings.policy_check_seconds``)."""
IMPACT_SECONDS = 1_800.0
"""The time budget of ``policy_impact`` unless one is given (``policy_impact_seconds``)."""


def check_policy(*, source: str, budget: TimeBudget | None = None) -> Policy:
    """Validate a policy source, its ``tracing`` section included; ``InvalidInput`` lists every
    problem with rule id and field (``tracing.<key>`` for a tracing parameter).

    The text is read within the YAML bounds of ``healthcode.policy.yaml_text``, and the check
    stops with ``TookTooLong`` past ``budget`` (default ``CHECK_SECONDS``)."""
    deadline = (budget or TimeBudget(CHECK_SECONDS)).start("checking the policy", field="policy")
    document = read_yaml(source, tick=deadline.check)
    try:
        policy = policy_of(document, tick=deadline.check)
    except TookTooLong:
        raise
    except InvalidInput as refused:
        raise InvalidInput([*refused.problems, *_tracing_section_problems(document)]) from None
    refuse_bad_settings(policy)
    return policy


def _tracing_section_problems(document: object) -> list[Problem]:
    """What is wrong with the ``tracing`` section of a document that did not load as a policy,
    so that one check lists these beside the rules' problems. Nothing when the document is not
    a mapping or the section not a mapping: the policy loader names those."""
    section = document.get("tracing") if isinstance(document, dict) else None
    return parse_tracing(section)[1] if isinstance(section, dict) else []


def refuse_bad_settings(policy: Policy) -> None:
    """Refuse a policy whose ``tracing``, ``entry``, ``checkin``, ``retention``, ``appeals``,
    ``oversight`` or ``acceptance`` section is wrong, naming each key, or whose ``timezone`` is
    not its jurisdiction's."""
    problems = [
        *tracing_problems(policy),
        *presence_problems(policy),
        *appeals_problems(policy),
        *oversight_problems(policy),
        *acceptance_problems(policy, kinds=[k.value for k in VenueKind]),
        *_zone_problems(policy),
    ]
    if problems:
        raise InvalidInput(problems)


# a winter and a summer instant: a zone with daylight saving has no single UTC offset
_SEASONS = (datetime(2026, 1, 15, tzinfo=UTC), datetime(2026, 7, 15, tzinfo=UTC))


def _zone_problems(policy: Policy) -> list[Problem]:
    """The policy counts calendar days (``normal_declarations``) in its ``timezone``; the rest
    of the service counts them in the jurisdiction's zone (``kernel.regions.time_zone``). Two
    different days would be wrong, so they must agree."""
    zone = time_zone(policy.jurisdiction)
    offsets = {moment.astimezone(zone).utcoffset() for moment in _SEASONS}
    if offsets == {policy.timezone.utcoffset(None)}:
        return []
    return [
        Problem(
            "timezone",
            f"must be the UTC offset of {policy.jurisdiction}'s time zone {zone.key} "
            f"(calendar days are counted in it), not {policy.utc_offset}",
        )
    ]


@dataclass(frozen=True)
class Impact:
    """How many people would move from one colour to another if a policy were active now."""

    jurisdiction: str
    current_version: str
    proposed_version: str
    people: int
    moves: dict[tuple[Colour, Colour], int]

    @property
    def changed(self) -> int:
        return sum(n for (old, new), n in self.moves.items() if old is not new)


def policy_impact(
    *,
    uow: PoliciesUnitOfWork,
    clock: Clock,
    source: str,
    progress: Callable[[int], None] | None = None,
    check: TimeBudget | None = None,
    budget: TimeBudget | None = None,
) -> Impact:
    """Compare every registered person's colour now under the active and the proposed policy.

    The source is checked within ``check`` (as ``check_policy``); the comparison stops with
    ``TookTooLong`` past ``budget`` (default ``IMPACT_SECONDS``). Nothing is written: this is
    a read-only use case."""
    proposed = check_policy(source=source, budget=check)
    deadline = (budget or TimeBudget(IMPACT_SECONDS)).start(
        "measuring the policy's impact", field="policy"
    )
    now = clock.now()
    moves: Counter[tuple[Colour, Colour]] = Counter()
    people = 0
    with uow:
        current = uow.policies.active(proposed.jurisdiction)
        for batch in uow.persons.iter_subjects(
            jurisdiction=proposed.jurisdiction, batch_size=IMPACT_BATCH
        ):
            for subject, facts in uow.facts.by_subject(batch).items():
                deadline.check()
                prepared = FactSet.of(facts, subject=subject)  # once for both policies
                before = assess(prepared, current, now, subject=subject).colour
                after = assess(prepared, proposed, now, subject=subject).colour
                moves[(before, after)] += 1
            people += len(batch)
            if progress is not None:
                progress(len(batch))
    return Impact(
        jurisdiction=proposed.jurisdiction,
        current_version=current.version,
        proposed_version=proposed.version,
        people=people,
        moves=dict(moves),
    )


def activate_policy(
    uow: PoliciesUnitOfWork,
    *,
    clock: Clock,
    source: str,
    activated_by: str,
    approved_by: str | None,
) -> ActivatedPolicy:
    """Make a policy version the active one of its jurisdiction, recording who and when.

    Publishes ``PolicyActivated``: the worker then reassesses everyone of the jurisdiction under
    it, a batch at a time (``status.sweep``), recording each change of colour with the new
    version in its cause and telling the person's channels; a person read before their batch is
    reassessed at that read (each cached status names its policy version). Runs only inside an
    approved four-eyes proposal's transaction (``activate_policy`` kind)."""
    policy = uow.policies.parse(source)
    refuse_bad_settings(policy)  # proposing checked it too; a bad section never becomes active
    # a cached status is reassessed when its policy version changes: a version must never
    # name two policies, the bundled one included
    used = {earlier.version for earlier in uow.policies.history(policy.jurisdiction)}
    used.add(uow.policies.active(policy.jurisdiction).version)
    if policy.version in used:
        raise InvalidInput.one(
            "version", f"version {policy.version} was already in force; bump the version"
        )
    uow.policies.add(
        source=source,
        policy=policy,
        activated_at=clock.now(),
        activated_by=activated_by,
        approved_by=approved_by,
    )
    uow.publish(PolicyActivated(policy.jurisdiction, policy.version, clock.now()))
    return uow.policies.history(policy.jurisdiction)[-1]


def policy_history(*, uow: PoliciesUnitOfWork, jurisdiction: str) -> list[ActivatedPolicy]:
    with uow:
        return uow.policies.history(jurisdiction)


def _preparer(
    budget: TimeBudget,
) -> Callable[[PoliciesUnitOfWork, Clock, Principal, Mapping[str, Any]], Prepared]:
    def prepare(
        _uow: PoliciesUnitOfWork, _clock: Clock, _principal: Principal, payload: Mapping[str, Any]
    ) -> Prepared:
        source = payload.get("source")
        if not isinstance(source, str) or not source.strip():
            raise InvalidInput.one("payload.source", "is required: the policy text (YAML)")
        policy = check_policy(source=source, budget=budget)
        return Prepared(
            jurisdiction=policy.jurisdiction,
            payload={
                "source": source,
                "version": policy.version,
                "jurisdiction": policy.jurisdiction,
                # the approver is shown the simulator's runs of this exact text by it
                "sha256": source_sha256(source),
            },
        )

    return prepare


def _execute_policy(approval: Approval[PoliciesUnitOfWork]) -> Mapping[str, Any]:
    proposal = approval.proposal
    activated = activate_policy(
        approval.uow,
        clock=approval.clock,
        source=str(proposal.payload["source"]),
        activated_by=proposal.proposed_by,
        approved_by=approval.approver.name or approval.approver.id,
    )
    return {"jurisdiction": activated.jurisdiction, "version": activated.version}


def activate_policy_kind(check: TimeBudget) -> ProposalHandler[PoliciesUnitOfWork]:
    """The ``activate_policy`` kind, whose proposals are checked within ``check``."""
    return ProposalHandler[PoliciesUnitOfWork](
        kind=ProposalKind.ACTIVATE_POLICY.value,
        propose_action=Action.PROPOSE_POLICY,
        approve_action=Action.APPROVE_POLICY,
        prepare=_preparer(check),
        execute=_execute_policy,
        description="activate a policy version for its jurisdiction",
    )


ACTIVATE_POLICY = activate_policy_kind(TimeBudget(CHECK_SECONDS))
"""The kind under the default check budget; ``bootstrap.proposal_kinds`` applies the setting."""
