"""Four eyes: a change that can harm a citizen is a proposal until a different official approves.

Pure model. The proposal kinds (manual override, release, policy activation, case confirmation
and withdrawal, risk areas) are registered by the services; the rules here are the same for
every kind: a proposer, a different approver with the right role, everything recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


class ProposalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class ProposalKind(StrEnum):
    """Kinds known to the system; a kind is usable once a handler is registered for it."""

    OVERRIDE_COLOUR = "override_colour"
    RELEASE_QUARANTINE = "release_quarantine"
    ACTIVATE_POLICY = "activate_policy"
    CONFIRM_CASE = "confirm_case"
    WITHDRAW_CASE = "withdraw_case"
    DECLARE_RISK_AREA = "declare_risk_area"
    END_RISK_AREA = "end_risk_area"
    ANSWER_APPEAL = "answer_appeal"
    SUNSET = "sunset"
    REACTIVATE = "reactivate"
    ADD_PEER = "add_peer"
    REMOVE_PEER = "remove_peer"
    RECORD_TEST_RESULT = "record_test_result"


# A manual colour needs a health reason from this list (DESIGN §8): never "stability",
# "petition", "debt" or any reason that is not about the person's health.
OVERRIDE_REASON_CATEGORIES: Mapping[str, str] = {
    "positive_result_not_yet_reported": "a positive result a clinic knows of, not yet recorded",
    "close_contact_by_investigation": "a close contact found by a field investigation",
    "symptoms_seen_by_clinic": "symptoms seen by a fever clinic",
    "quarantine_breach": "left an ordered quarantine",
    "record_correction": "a wrong colour caused by a data error (correction towards the truth)",
}

# A payload's key for what the approval needs but no one may read (a new official's password
# hash): never shown in a listing or an answer, and dropped from storage once decided.
SEALED = "sealed"

MAX_OVERRIDE_DURATION = timedelta(days=14)
MAX_REASON_LENGTH = 1000


@dataclass(frozen=True, kw_only=True)
class Proposal:
    """A proposed change, who proposed it and why, and (once decided) who decided and how."""

    id: str
    kind: str
    subject: str | None
    jurisdiction: str
    payload: Mapping[str, Any]
    reason: str
    proposed_by: str
    proposed_by_role: str
    proposed_at: datetime
    status: ProposalStatus = ProposalStatus.PENDING
    decided_by: str | None = None
    decided_by_role: str | None = None
    decided_at: datetime | None = None
    decision_note: str = ""
    result: Mapping[str, Any] | None = None
    case_id: str | None = None  # the case it reports, corrects or withdraws, if any
    proposer_sponsor: str | None = None  # who sponsored the proposer's account (see Principal)
    # a bulk action (``oversight.bulk``): how many people it touches, counted when proposed
    # (None: a kind that does not count), and whether that is above the policy's threshold
    people: int | None = None
    bulk: bool = False
    # a bulk proposal's first approval: it stays pending until a second, different approver
    first_approved_by: str | None = None
    first_approved_by_role: str | None = None
    first_approved_at: datetime | None = None
    first_approval_note: str = ""

    @property
    def shown_payload(self) -> dict[str, Any]:
        """The payload as listings and answers show it: without its sealed part."""
        return {key: value for key, value in self.payload.items() if key != SEALED}


@dataclass(frozen=True, kw_only=True)
class BreakGlassUse:
    """The operator holding the data key read ``people`` people's ``what`` without an
    official's session, for ``reason``."""

    id: int
    at: datetime
    operator: str
    what: str
    people: int
    reason: str
