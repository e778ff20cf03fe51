"""Adding, listing and removing peers (admins). Adding pins the peer's root key: every list
it serves from then on must be signed by that root."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from healthcode.federation.model import NewPeer, Peer, peer_problems
from healthcode.federation.ports import FederationUnitOfWork
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import Conflict, InvalidInput, NotFound
from healthcode.kernel.text import TextKind, clean_text
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.authz import require

log = logging.getLogger(__name__)


def add_peer(
    *,
    uow: FederationUnitOfWork,
    clock: Clock,
    principal: Principal,
    peer: NewPeer,
    serving: str,
) -> Peer:
    """Add ``peer`` (admins). Refused: this instance's own jurisdiction (``serving``), a bad
    code, URL or key, and a jurisdiction that is a peer already (remove it first to pin
    another root)."""
    admin = require(principal, Action.MANAGE_PEERS)
    problems = peer_problems(peer, serving=serving)
    if problems:
        raise InvalidInput(problems)
    with uow:
        if uow.peers.get(peer.jurisdiction) is not None:
            raise Conflict("jurisdiction", f"{peer.jurisdiction} is a peer already")
        uow.peers.add(peer, at=clock.now(), by=admin.actor)
        added = uow.peers.get(peer.jurisdiction)
        uow.commit()
    if added is None:  # never: added in this transaction
        raise NotFound("peer", peer.jurisdiction)
    log.info(
        "peer added",
        extra={"peer": peer.jurisdiction, "url": peer.base_url, "by": admin.actor},
    )
    return added


def list_peers(*, uow: FederationUnitOfWork, principal: Principal) -> list[Peer]:
    """Every peer with its held list and how its last sync went (admins)."""
    require(principal, Action.MANAGE_PEERS)
    with uow:
        return uow.peers.all()


def remove_peer(*, uow: FederationUnitOfWork, principal: Principal, jurisdiction: str) -> Peer:
    """Remove a peer (admins): its codes are no longer accepted and its list is dropped."""
    admin = require(principal, Action.MANAGE_PEERS)
    jurisdiction = clean_text(jurisdiction, field="jurisdiction", kind=TextKind.IDENTIFIER)
    with uow:
        found = uow.peers.get(jurisdiction)
        if found is None:
            raise NotFound("peer", jurisdiction)
        uow.peers.remove(jurisdiction)
        uow.commit()
    log.info("peer removed", extra={"peer": jurisdiction, "by": admin.actor})
    return found


@dataclass(frozen=True, slots=True)
class PeerHealth:
    """What /metrics shows of the peers: each one, and its syncs counted by outcome."""

    peers: list[Peer]
    counts: Mapping[tuple[str, str], int]


def peer_health(*, uow: FederationUnitOfWork) -> PeerHealth:
    """The peers and their sync counts (the metrics scrape: no personal data, no principal)."""
    with uow:
        return PeerHealth(uow.peers.all(), uow.peers.outcome_counts())
