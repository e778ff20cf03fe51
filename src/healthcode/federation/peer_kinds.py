"""``add_peer`` and ``remove_peer``: the four-eyes kinds that pin and unpin another city's root.

Pinning a root decides whose codes this city accepts, so one admin proposes and a second admin
approves (``oversight.proposals``: never the proposer, nor their sponsor). The peer is added or
removed inside the approval's transaction; until then nothing is trusted or dropped."""

from __future__ import annotations

import base64
import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Final

from healthcode.federation.model import NewPeer, parse_root_key, peer_problems
from healthcode.federation.ports import FederationUnitOfWork
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import Conflict, InvalidInput, NotAllowed, NotFound
from healthcode.kernel.text import TextKind, clean_text
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.kinds import Approval, Prepared, ProposalHandler
from healthcode.oversight.model import ProposalKind, ProposalStatus

log = logging.getLogger(__name__)

ADD_PEER: Final = ProposalKind.ADD_PEER.value
REMOVE_PEER: Final = ProposalKind.REMOVE_PEER.value
PEER_KINDS: Final = (ADD_PEER, REMOVE_PEER)


def peer_payload(peer: NewPeer) -> dict[str, str]:
    """An ``add_peer`` proposal's payload: the root as unpadded base64url."""
    key = base64.urlsafe_b64encode(peer.root_public_key).decode().rstrip("=")
    return {"jurisdiction": peer.jurisdiction, "url": peer.base_url, "root_key": key}


def _text(payload: Mapping[str, Any], field: str) -> str:
    value = payload.get(field)
    if not isinstance(value, str):
        raise InvalidInput.one(f"payload.{field}", "must be text")
    return value


def _serving(principal: Principal) -> str:
    """The jurisdiction the admin acts for: the one this instance serves (an official of
    another jurisdiction cannot be created here)."""
    if principal.jurisdiction is None:
        raise NotAllowed(Action.MANAGE_PEERS.value, "an admin without a jurisdiction")
    return principal.jurisdiction


def _pending(uow: FederationUnitOfWork, jurisdiction: str, serving: str) -> None:
    waiting = uow.proposals.list(
        status=ProposalStatus.PENDING, jurisdiction=serving, kinds=PEER_KINDS
    )
    if any(p.payload.get("jurisdiction") == jurisdiction for p in waiting):
        raise Conflict("jurisdiction", f"a proposal about peer {jurisdiction} waits already")


def new_peer(payload: Mapping[str, Any], *, serving: str) -> NewPeer:
    """The peer an ``add_peer`` payload names, checked (``payload.<field>`` on a problem)."""
    try:
        key = parse_root_key(_text(payload, "root_key"))
    except InvalidInput:
        raise InvalidInput.one(
            "payload.root_key", "must be 32 bytes in base64url or 64 hex digits"
        ) from None
    peer = NewPeer(_text(payload, "jurisdiction"), _text(payload, "url"), key)
    problems = peer_problems(peer, serving=serving)
    if problems:
        raise InvalidInput([replace(p, field=f"payload.{p.field}") for p in problems])
    return peer


def _prepare_add(
    uow: FederationUnitOfWork, clock: Clock, principal: Principal, payload: Mapping[str, Any]
) -> Prepared:
    serving = _serving(principal)
    peer = new_peer(payload, serving=serving)
    if uow.peers.get(peer.jurisdiction) is not None:
        raise Conflict("jurisdiction", f"{peer.jurisdiction} is a peer already")
    _pending(uow, peer.jurisdiction, serving)
    return Prepared(payload=peer_payload(peer), jurisdiction=serving)


def _by(approval: Approval[FederationUnitOfWork]) -> str:
    approver = approval.approver.name or approval.approver.id
    return f"admin:{approval.proposal.proposed_by} (approved by admin:{approver})"


def _add(approval: Approval[FederationUnitOfWork]) -> Mapping[str, Any]:
    uow = approval.uow
    peer = new_peer(approval.proposal.payload, serving=approval.proposal.jurisdiction)
    if uow.peers.get(peer.jurisdiction, for_update=True) is not None:
        raise Conflict("jurisdiction", f"{peer.jurisdiction} is a peer already")
    by = _by(approval)
    uow.peers.add(peer, at=approval.clock.now(), by=by)
    log.info(
        "peer added",
        extra={"peer": peer.jurisdiction, "url": peer.base_url, "by": by},
    )
    return {"added": peer.jurisdiction}


def _prepare_remove(
    uow: FederationUnitOfWork, clock: Clock, principal: Principal, payload: Mapping[str, Any]
) -> Prepared:
    serving = _serving(principal)
    jurisdiction = clean_text(
        _text(payload, "jurisdiction"), field="payload.jurisdiction", kind=TextKind.IDENTIFIER
    )
    found = uow.peers.get(jurisdiction)
    if found is None:
        raise NotFound("peer", jurisdiction)
    _pending(uow, jurisdiction, serving)
    return Prepared(
        payload={"jurisdiction": jurisdiction, "url": found.base_url, "root_kid": found.root_kid},
        jurisdiction=serving,
    )


def _remove(approval: Approval[FederationUnitOfWork]) -> Mapping[str, Any]:
    uow = approval.uow
    jurisdiction = str(approval.proposal.payload["jurisdiction"])
    if uow.peers.get(jurisdiction, for_update=True) is None:
        raise NotFound("peer", jurisdiction)
    uow.peers.remove(jurisdiction)
    log.info("peer removed", extra={"peer": jurisdiction, "by": _by(approval)})
    return {"removed": jurisdiction}


ADD_PEER_KIND: ProposalHandler[FederationUnitOfWork] = ProposalHandler(
    kind=ADD_PEER,
    propose_action=Action.MANAGE_PEERS,
    approve_action=Action.MANAGE_PEERS,
    prepare=_prepare_add,
    execute=_add,
    description="add a peer city, pinning its root key: its codes are accepted here",
)

REMOVE_PEER_KIND: ProposalHandler[FederationUnitOfWork] = ProposalHandler(
    kind=REMOVE_PEER,
    propose_action=Action.MANAGE_PEERS,
    approve_action=Action.MANAGE_PEERS,
    prepare=_prepare_remove,
    execute=_remove,
    description="remove a peer city: its codes are no longer accepted, its list is dropped",
)

PEER_HANDLERS = (ADD_PEER_KIND, REMOVE_PEER_KIND)
