"""Adding, listing and removing peers (admins). Adding pins the peer's root key: every list
it serves from then on must be signed by that root, so adding and removing are four-eyes
proposals (``federation.peer_kinds``), approved by a second admin."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from healthcode.checkpoint.acceptance import max_trust_list_age
from healthcode.credentials.trustfile import load_trust_list
from healthcode.federation.model import NewPeer, Peer, peer_problems
from healthcode.federation.peer_kinds import ADD_PEER, PEER_KINDS, REMOVE_PEER, peer_payload
from healthcode.federation.ports import FederationUnitOfWork
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import Conflict, InvalidInput
from healthcode.kernel.text import TextKind, clean_text
from healthcode.oversight import proposals
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.authz import require
from healthcode.oversight.kinds import ProposalKinds
from healthcode.oversight.model import Proposal, ProposalStatus

log = logging.getLogger(__name__)


def propose_peer(
    *,
    uow: FederationUnitOfWork,
    clock: Clock,
    kinds: ProposalKinds,
    principal: Principal,
    peer: NewPeer,
    serving: str,
    reason: str,
) -> Proposal:
    """Propose adding ``peer`` (admins): a second admin approves it (``add_peer``), and only
    then is its root pinned. Refused: this instance's own jurisdiction (``serving``), a bad
    code, URL or key, a jurisdiction that is a peer already (remove it first to pin another
    root) or that a pending proposal is about."""
    admin = require(principal, Action.MANAGE_PEERS)
    problems = peer_problems(peer, serving=serving)
    if problems:
        raise InvalidInput(problems)
    proposal = _propose(uow, clock, kinds, admin, ADD_PEER, peer_payload(peer), reason)
    log.info(
        "peer proposed",
        extra={"peer": peer.jurisdiction, "url": peer.base_url, "by": admin.actor},
    )
    return proposal


def propose_peer_removal(
    *,
    uow: FederationUnitOfWork,
    clock: Clock,
    kinds: ProposalKinds,
    principal: Principal,
    jurisdiction: str,
    reason: str,
) -> Proposal:
    """Propose removing a peer (admins): once a second admin approves (``remove_peer``), its
    codes are no longer accepted and its list is dropped."""
    admin = require(principal, Action.MANAGE_PEERS)
    jurisdiction = clean_text(jurisdiction, field="jurisdiction", kind=TextKind.IDENTIFIER)
    payload = {"jurisdiction": jurisdiction}
    proposal = _propose(uow, clock, kinds, admin, REMOVE_PEER, payload, reason)
    log.info("peer removal proposed", extra={"peer": jurisdiction, "by": admin.actor})
    return proposal


def _propose(
    uow: FederationUnitOfWork,
    clock: Clock,
    kinds: ProposalKinds,
    admin: Principal,
    kind: str,
    payload: Mapping[str, Any],
    reason: str,
) -> Proposal:
    """The proposal, its problems named as the caller's fields (``payload.url`` → ``url``)."""
    try:
        return proposals.propose(
            uow=uow,
            clock=clock,
            kinds=kinds,
            principal=admin,
            action=kind,
            payload=payload,
            reason=reason,
        )
    except InvalidInput as refused:
        fields = [replace(p, field=p.field.removeprefix("payload.")) for p in refused.problems]
        raise InvalidInput(fields) from None
    except Conflict as clash:
        raise Conflict(clash.field.removeprefix("payload."), clash.message) from None


def peer_proposals(
    *, uow: FederationUnitOfWork, principal: Principal, status: ProposalStatus | None = None
) -> list[Proposal]:
    """Proposals to add or remove peers in the admin's jurisdiction, oldest first (admins: the
    generic list is for epidemic control and would show them people's cases)."""
    principal = require(principal, Action.MANAGE_PEERS)
    with uow:
        return uow.proposals.list(
            status=status, jurisdiction=principal.jurisdiction, kinds=PEER_KINDS
        )


@dataclass(frozen=True, slots=True)
class PeerView:
    """A peer as officials read it: its held list's expiry, whether that list is stale by the
    policy's ``acceptance.max_trust_list_age`` (or expired, or none held), and its syncs
    counted by outcome."""

    peer: Peer
    expires_at: datetime | None
    stale: bool
    max_age: timedelta
    outcomes: Mapping[str, int]


def list_peers(
    *, uow: FederationUnitOfWork, clock: Clock, principal: Principal, serving: str
) -> list[PeerView]:
    """Every peer with its held list, how its syncs went and whether its list is stale by the
    policy in force of ``serving`` (admins)."""
    require(principal, Action.MANAGE_PEERS)
    now = clock.now()
    with uow:
        peers = uow.peers.all()
        counts = uow.peers.outcome_counts()
        limit = max_trust_list_age(uow.policies.active(serving))
    return [_view(p, counts, now, limit) for p in peers]


def _view(
    peer: Peer, counts: Mapping[tuple[str, str], int], now: datetime, limit: timedelta
) -> PeerView:
    expires_at = None
    if peer.held is not None:
        try:
            expires_at = load_trust_list(peer.held.document).trust_list.expires_at
        except InvalidInput:  # never: the list was parsed before it was held
            expires_at = None
    age = peer.list_age(now)
    expired = expires_at is not None and now >= expires_at
    stale = age is None or expired or age > limit
    outcomes = {o: n for (j, o), n in sorted(counts.items()) if j == peer.jurisdiction}
    return PeerView(peer, expires_at, stale, limit, outcomes)


@dataclass(frozen=True, slots=True)
class PeerHealth:
    """What /metrics shows of the peers: each one, and its syncs counted by outcome."""

    peers: list[Peer]
    counts: Mapping[tuple[str, str], int]


def peer_health(*, uow: FederationUnitOfWork) -> PeerHealth:
    """The peers and their sync counts (the metrics scrape: no personal data, no principal)."""
    with uow:
        return PeerHealth(uow.peers.all(), uow.peers.outcome_counts())


@dataclass(frozen=True, slots=True)
class PeerSite:
    """A peer as a resident visiting it needs it: where its pages are."""

    jurisdiction: str
    base_url: str


def peer_sites(*, uow: FederationUnitOfWork) -> list[PeerSite]:
    """The peer cities, by jurisdiction: a resident visiting one checks in there on their own
    code through its ``/visit`` page (public: the peers are no one's data)."""
    with uow:
        return sorted(
            (PeerSite(p.jurisdiction, p.base_url.rstrip("/")) for p in uow.peers.all()),
            key=lambda p: p.jurisdiction,
        )
