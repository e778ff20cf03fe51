"""Bodies for four-eyes proposals and the access log."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from healthcode.api.types import Identifier, JsonPayload, Text
from healthcode.oversight.model import Proposal


class ProposalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Identifier = Field(description="override_colour, release_quarantine, activate_policy…")
    payload: JsonPayload
    reason: Text


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Text = ""


class ProposalOut(BaseModel):
    id: str
    action: str
    subject: str | None
    jurisdiction: str
    payload: dict[str, Any]
    reason: str
    proposed_by: str
    proposed_by_role: str
    proposed_at: datetime
    status: str
    decided_by: str | None
    decided_by_role: str | None
    decided_at: datetime | None
    decision_note: str
    result: dict[str, Any] | None
    people: int | None = Field(
        default=None, description="People it touches, counted when proposed (None: not counted)"
    )
    bulk: bool = Field(
        default=False, description="Above the policy's bulk threshold: two approvers needed"
    )
    first_approved_by: str | None = Field(
        default=None, description="A bulk proposal's first approver (it is pending until a second)"
    )
    first_approved_at: datetime | None = None

    @classmethod
    def of(cls, proposal: Proposal) -> ProposalOut:
        """The answer for a proposal, whichever route made or decided it."""
        return cls(
            id=proposal.id,
            action=proposal.kind,
            subject=proposal.subject,
            jurisdiction=proposal.jurisdiction,
            payload=proposal.shown_payload,
            reason=proposal.reason,
            proposed_by=proposal.proposed_by,
            proposed_by_role=proposal.proposed_by_role,
            proposed_at=proposal.proposed_at,
            status=proposal.status.value,
            decided_by=proposal.decided_by,
            decided_by_role=proposal.decided_by_role,
            decided_at=proposal.decided_at,
            decision_note=proposal.decision_note,
            result=None if proposal.result is None else dict(proposal.result),
            people=proposal.people,
            bulk=proposal.bulk,
            first_approved_by=proposal.first_approved_by,
            first_approved_at=proposal.first_approved_at,
        )


class AccessRecordOut(BaseModel):
    seq: int
    at: datetime
    actor: str
    role: str
    purpose: str
    what: str


class BreakGlassOut(BaseModel):
    """A read by the operator holding the data key without an official's session."""

    at: datetime
    operator: str
    what: str
    people: int
    reason: str


class VerificationOut(BaseModel):
    intact: bool
    records: int
    problem: str | None = None
    first_bad_record: int | None = None
    kind: str | None = None


class AuditAnchorOut(BaseModel):
    """The access log's signed head (documents the published file; its bytes are served as
    signed, never rebuilt from this model)."""

    format: Literal["healthcode-audit-anchor/1"]
    jurisdiction: str
    seq: int = Field(description="The last record's number (0: the log is empty)")
    head: str = Field(description="The last record's MAC, 64 hex digits")
    issued_at: datetime
    root_kid: str = Field(description="16 hex digits")
    signature: str = Field(
        description="The root key's signature over the anchor's deterministic CBOR, base64url"
    )
