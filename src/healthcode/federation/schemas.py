"""Bodies of the peers' routes and of the trust bundle."""

from __future__ import annotations

import base64
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from healthcode.api.types import Text
from healthcode.federation.model import Outcome, SyncResult, refusal_outcome
from healthcode.federation.peers import PeerView
from healthcode.kernel.regions import KNOWN_NAMES


class PeerIn(BaseModel):
    """A peer to add: its jurisdiction, where its instance answers, its root public key."""

    model_config = ConfigDict(extra="forbid")

    jurisdiction: str = Field(max_length=6, description="GB/T 2260 code, e.g. 310000")
    url: str = Field(max_length=500, description="Base URL of the peer's instance (http/https)")
    root_key: str = Field(
        max_length=100,
        description="The peer's root public key: 32 bytes in unpadded base64url or 64 hex digits",
    )
    reason: Text = Field(
        description="Why this city should accept its codes: the approving admin reads it"
    )


class PeerRemovalIn(BaseModel):
    """Why a peer should be removed (a second admin approves)."""

    model_config = ConfigDict(extra="forbid")

    reason: Text = Field(description="Why: the approving admin reads it")


class PeerOut(BaseModel):
    """A peer, the root pinned for it, the list held and how its syncs went."""

    jurisdiction: str
    name: dict[str, str] = Field(description="The jurisdiction's name by language (zh, en)")
    url: str
    root_kid: str = Field(description="The pinned root's key id (16 hex digits)")
    root_public_key: str = Field(description="The pinned root, unpadded base64url")
    added_at: datetime
    added_by: str
    list_sequence: int | None = Field(description="The last good list's sequence (null: none)")
    list_issued_at: datetime | None
    list_received_at: datetime | None
    list_expires_at: datetime | None = Field(description="The held list's own expiry (v3)")
    list_age_seconds: int | None = Field(description="Now minus the held list's issue time")
    stale: bool = Field(
        description="No list held, the held one expired, or older than max_age_seconds"
    )
    max_age_seconds: int = Field(
        description="The policy's acceptance.max_trust_list_age: past it a list is stale"
    )
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None = Field(description="Why the last refused or failed sync failed")
    last_error_at: datetime | None
    last_refusal: str | None = Field(
        description="The outcome of the last refused or failed sync (a key of syncs), for a "
        "reader to name it in its own language; null: none"
    )
    syncs: dict[str, int] = Field(
        description="Fetches by outcome (accepted, unchanged, or a refusal) since it was added"
    )
    refusals: int = Field(description="Fetches refused or unanswered since it was added")

    @classmethod
    def of(cls, view: PeerView, now: datetime) -> PeerOut:
        peer = view.peer
        age = peer.list_age(now)
        held = peer.held
        zh, en = KNOWN_NAMES.get(peer.jurisdiction, (peer.jurisdiction, peer.jurisdiction))
        refused = refusal_outcome(peer.last_error)
        return cls(
            jurisdiction=peer.jurisdiction,
            name={"zh": zh, "en": en},
            url=peer.base_url,
            root_kid=peer.root_kid,
            root_public_key=base64.urlsafe_b64encode(peer.root_public_key).decode().rstrip("="),
            added_at=peer.added_at,
            added_by=peer.added_by,
            list_sequence=None if held is None else held.sequence,
            list_issued_at=None if held is None else held.issued_at,
            list_received_at=None if held is None else held.received_at,
            list_expires_at=view.expires_at,
            list_age_seconds=None if age is None else int(age.total_seconds()),
            stale=view.stale,
            max_age_seconds=int(view.max_age.total_seconds()),
            last_attempt_at=peer.last_attempt_at,
            last_success_at=peer.last_success_at,
            last_error=peer.last_error,
            last_error_at=peer.last_error_at,
            last_refusal=None if refused is None else refused.value,
            syncs=dict(view.outcomes),
            refusals=sum(n for o, n in view.outcomes.items() if Outcome(o).refused),
        )


class SyncOut(BaseModel):
    """One peer's sync: accepted, unchanged, or the refusal (the last good list kept)."""

    jurisdiction: str
    outcome: str = Field(
        description="accepted, unchanged, or a refusal: unreachable, malformed, "
        "wrong_jurisdiction, wrong_root, bad_signature, older_sequence, sequence_reused, "
        "future_dated, expired"
    )
    sequence: int | None = Field(description="The sequence held after the sync")
    message: str

    @classmethod
    def of(cls, result: SyncResult) -> SyncOut:
        return cls(
            jurisdiction=result.jurisdiction,
            outcome=result.outcome.value,
            sequence=result.sequence,
            message=result.message,
        )


class RootOut(BaseModel):
    jurisdiction: str
    root_public_key: str


class TrustBundleOut(BaseModel):
    """The trust bundle (healthcode-trust-bundle/1, docs/federation.md)."""

    format: str
    jurisdiction: str
    issued_at: str
    root_kid: str
    roots: list[RootOut]
    lists: list[str] = Field(description="Each trust-list file as its jurisdiction signed it")
    signature: str


class PeerMessageOut(BaseModel):
    """A peer's message taken: its id, the sending city, and whether it was new (a message
    sent again is acknowledged and changes nothing)."""

    id: str
    sender: str = Field(description="The city that sent it (GB/T 2260 code)")
    recorded: bool = Field(description="False: the same message was received before")
