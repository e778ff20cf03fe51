"""Peers over HTTP (admins): add, list, remove, sync now; and the public trust bundle
checkpoints hold."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Response, status

from healthcode.api.auth import Authorized, Public
from healthcode.api.deps import ContainerDep
from healthcode.api.responses import CONFLICT, SIGNED, refusals
from healthcode.federation.model import NewPeer, parse_root_key
from healthcode.federation.peers import add_peer, list_peers, remove_peer
from healthcode.federation.schemas import (
    PeerIn,
    PeerMessageOut,
    PeerOut,
    SyncOut,
    TrustBundleOut,
)
from healthcode.federation.sync import sync_peers
from healthcode.federation.trust import trust_bundle_document
from healthcode.oversight.access import Action, Principal
from healthcode.tracing.visitors import receive_visitor_exposure

router = APIRouter(tags=["federation"])

Admin = Annotated[Principal, Depends(Authorized(Action.MANAGE_PEERS))]
JurisdictionPath = Annotated[str, Path(max_length=6, description="The peer's GB/T 2260 code")]


@router.post(
    "/api/v1/peers",
    status_code=status.HTTP_201_CREATED,
    response_model=PeerOut,
    responses=CONFLICT,
)
def add(body: PeerIn, admin: Admin, container: ContainerDep) -> PeerOut:
    """Add a peer jurisdiction, pinning its root key (admins). This instance's own
    jurisdiction is refused (422), a peer already added too (409)."""
    peer = add_peer(
        uow=container.uow(),
        clock=container.clock,
        principal=admin,
        peer=NewPeer(body.jurisdiction, body.url, parse_root_key(body.root_key)),
        serving=container.settings.jurisdiction,
    )
    return PeerOut.of(peer, container.clock.now())


@router.get("/api/v1/peers", response_model=list[PeerOut])
def peers(admin: Admin, container: ContainerDep) -> list[PeerOut]:
    """The peers, each with its pinned root, the list held (sequence, age) and its last sync
    (time, error) (admins)."""
    now = container.clock.now()
    return [PeerOut.of(p, now) for p in list_peers(uow=container.uow(), principal=admin)]


@router.delete("/api/v1/peers/{jurisdiction}", response_model=PeerOut)
def remove(jurisdiction: JurisdictionPath, admin: Admin, container: ContainerDep) -> PeerOut:
    """Remove a peer (admins): its codes are no longer accepted, its list is dropped."""
    removed = remove_peer(uow=container.uow(), principal=admin, jurisdiction=jurisdiction)
    return PeerOut.of(removed, container.clock.now())


@router.post("/api/v1/peers/sync", response_model=list[SyncOut])
def sync_all_peers(admin: Admin, container: ContainerDep) -> list[SyncOut]:
    """Fetch every peer's trust list now (admins), as the worker does on its schedule."""
    return _sync(admin, container, None)


@router.post("/api/v1/peers/{jurisdiction}/sync", response_model=SyncOut)
def sync_one_peer(jurisdiction: JurisdictionPath, admin: Admin, container: ContainerDep) -> SyncOut:
    """Fetch one peer's trust list now (admins)."""
    return _sync(admin, container, jurisdiction)[0]


def _sync(admin: Principal, container: ContainerDep, only: str | None) -> list[SyncOut]:
    fetcher = container.peer_fetcher()
    try:
        results = sync_peers(
            uow_factory=container.uow,
            clock=container.clock,
            principal=admin,
            fetcher=fetcher,
            clock_skew=container.settings.clock_skew,
            only=only,
        )
    finally:
        fetcher.close()
    return [SyncOut.of(r) for r in results]


@router.get(
    "/.well-known/healthcode/trust-bundle",
    dependencies=[Depends(Public(Action.READ_TRUST_LIST))],
    responses={200: {"model": TrustBundleOut, "description": "The signed bundle"}, **SIGNED},
)
def trust_bundle(container: ContainerDep) -> Response:
    """This city's trust list and every peer's last good list, each as its jurisdiction
    signed it, with the peers' pinned roots, the whole signed by this city's root key
    (healthcode-trust-bundle/1). A checkpoint pinning this city's root verifies codes of
    every peer offline with it."""
    settings = container.settings
    document = trust_bundle_document(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction=settings.jurisdiction,
        code_lifetime=settings.code_lifetime,
        clock_skew=settings.clock_skew,
        list_lifetime=settings.trust_list_lifetime,
    )
    return Response(document, media_type="application/json")


@router.post(
    "/api/v1/federation/exposures",
    response_model=PeerMessageOut,
    dependencies=[Depends(Public(Action.RECEIVE_PEER_MESSAGES))],
    responses=refusals(404, 409),
)
def receive_exposure(
    container: ContainerDep,
    message: Annotated[
        dict[str, Any], Body(description="A healthcode-peer-message/1 of kind visitor_exposure")
    ],
) -> PeerMessageOut:
    """A peer city tells this one that a resident of it was exposed while visiting there: the
    message is signed by the peer's root, pinned when it was added (no session). Recorded
    once as an exposure with its evidence, which reassesses the resident; the same message
    again is acknowledged (``recorded`` false). Refused: not signed by the sender's pinned
    root, not a peer, for another city, sent over an hour ago or in the future (422); not a
    resident here (404); another message under a used id (409)."""
    received = receive_visitor_exposure(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction=container.settings.jurisdiction,
        document=json.dumps(message, ensure_ascii=False),
        clock_skew=container.settings.clock_skew,
    )
    return PeerMessageOut(
        id=received.message_id, sender=received.sender, recorded=received.recorded
    )
