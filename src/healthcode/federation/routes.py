"""Peers over HTTP (admins): propose adding or removing one (four eyes), list, sync now;
and the public trust bundle checkpoints hold."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Response, status

from healthcode.api.auth import Authorized, CurrentCitizen, Public
from healthcode.api.deps import ContainerDep
from healthcode.api.language import Language
from healthcode.api.responses import CONFLICT, NOT_FOUND, SIGNED, refusals
from healthcode.federation.arrivals import answer_arrival_status, issue_consent
from healthcode.federation.arrivals_destination import record_arrival, visitor_status
from healthcode.federation.arrivals_link import b64decode, b64encode
from healthcode.federation.arrivals_schemas import (
    ArrivalIn,
    ArrivalStatusIn,
    ArrivalStatusOut,
    ConsentIn,
    ConsentOut,
    VisitorOut,
)
from healthcode.federation.model import NewPeer, parse_root_key
from healthcode.federation.peers import (
    list_peers,
    peer_proposals,
    propose_peer,
    propose_peer_removal,
)
from healthcode.federation.schemas import (
    PeerIn,
    PeerMessageOut,
    PeerOut,
    PeerRemovalIn,
    SyncOut,
    TrustBundleOut,
)
from healthcode.federation.sync import sync_peers
from healthcode.federation.trust import trust_bundle_document
from healthcode.kernel.errors import InvalidInput
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.model import ProposalStatus
from healthcode.oversight.schemas import ProposalOut
from healthcode.tracing.visitors import receive_visitor_exposure

router = APIRouter(tags=["federation"])

Admin = Annotated[Principal, Depends(Authorized(Action.MANAGE_PEERS))]
JurisdictionPath = Annotated[str, Path(max_length=6, description="The peer's GB/T 2260 code")]


@router.post(
    "/api/v1/peers",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ProposalOut,
    responses=CONFLICT,
)
def add(body: PeerIn, admin: Admin, container: ContainerDep) -> ProposalOut:
    """Propose a peer jurisdiction, pinning its root key once a second admin approves it
    (`POST /proposals/{id}/approve`; four eyes: `add_peer`). This instance's own
    jurisdiction is refused (422); a peer already added, or one a pending proposal is about,
    too (409)."""
    proposal = propose_peer(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=admin,
        peer=NewPeer(body.jurisdiction, body.url, parse_root_key(body.root_key)),
        serving=container.settings.jurisdiction,
        reason=body.reason,
    )
    return ProposalOut.of(proposal)


@router.get("/api/v1/peers", response_model=list[PeerOut])
def peers(admin: Admin, container: ContainerDep) -> list[PeerOut]:
    """The peers, each with its pinned root, the list held (sequence, issue, expiry, age,
    stale by the policy's limit), its last sync and last refusal (time, reason) and its
    syncs counted by outcome (admins)."""
    now = container.clock.now()
    views = list_peers(
        uow=container.uow(),
        clock=container.clock,
        principal=admin,
        serving=container.settings.jurisdiction,
    )
    return [PeerOut.of(v, now) for v in views]


@router.get("/api/v1/peers/proposals", response_model=list[ProposalOut])
def proposals_about_peers(
    admin: Admin, container: ContainerDep, status: ProposalStatus | None = None
) -> list[ProposalOut]:
    """Proposals to add or remove peers, oldest first (admins; filter by `status`): approve
    or reject them with `POST /proposals/{id}/approve` or `/reject`."""
    found = peer_proposals(uow=container.uow(), principal=admin, status=status)
    return [ProposalOut.of(p) for p in found]


@router.post(
    "/api/v1/peers/{jurisdiction}/remove",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ProposalOut,
    responses={**NOT_FOUND, **CONFLICT},
)
def remove(
    jurisdiction: JurisdictionPath, body: PeerRemovalIn, admin: Admin, container: ContainerDep
) -> ProposalOut:
    """Propose removing a peer (admins): once a second admin approves (`remove_peer`), its
    codes are no longer accepted and its list is dropped."""
    proposal = propose_peer_removal(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=admin,
        jurisdiction=jurisdiction,
        reason=body.reason,
    )
    return ProposalOut.of(proposal)


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


# arrivals with consent (docs/federation.md#arrivals)

Official = Annotated[Principal, Depends(Authorized(Action.READ_STATUS))]


@router.post(
    "/api/v1/me/arrival-consent",
    status_code=status.HTTP_201_CREATED,
    response_model=ConsentOut,
    responses={**NOT_FOUND, **SIGNED},
)
def arrival_consent(
    body: ConsentIn, citizen: CurrentCitizen, container: ContainerDep
) -> ConsentOut:
    """A consent token for the city the citizen arrives in (a peer): with it, that city may ask
    this one for the citizen's colour and reasons once, until it expires."""
    issued = issue_consent(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        principal=citizen,
        destination=body.destination,
        serving=container.settings.jurisdiction,
        lifetime=timedelta(minutes=body.minutes),
    )
    return ConsentOut.of(issued)


@router.post(
    "/api/v1/arrivals",
    status_code=status.HTTP_201_CREATED,
    response_model=VisitorOut,
    responses={**CONFLICT, **SIGNED},
)
def arrival(
    body: ArrivalIn, official: Official, container: ContainerDep, lang: Language
) -> VisitorOut:
    """Record a visitor's arrival on their consent token (officials): the token is verified
    against the home city's trust list, the home city asked for the colour and reasons, and
    this city's policy decides the visitor's colour here. The home city down: 400, nothing
    recorded; a token used already: 409."""
    link = container.peer_link()
    try:
        visitor = record_arrival(
            uow_factory=container.uow,
            clock=container.clock,
            private_keys=container.private_keys,
            principal=official,
            token=body.token,
            link=link,
            serving=container.settings.jurisdiction,
        )
    finally:
        link.close()
    return VisitorOut.of(visitor, lang)


@router.get("/api/v1/arrivals/{jurisdiction}/{subject}", response_model=VisitorOut)
def visitor(
    jurisdiction: JurisdictionPath,
    subject: Annotated[str, Path(max_length=64)],
    official: Official,
    container: ContainerDep,
    lang: Language,
) -> VisitorOut:
    """A visitor of ``jurisdiction`` (their home city) by their opaque subject there: their
    arrivals and status here now (officials; the read is in the access log)."""
    found = visitor_status(
        uow=container.uow(),
        clock=container.clock,
        principal=official,
        issuer=jurisdiction,
        subject=subject,
        serving=container.settings.jurisdiction,
    )
    return VisitorOut.of(found, lang)


@router.post(
    "/api/v1/federation/arrival-status",
    response_model=ArrivalStatusOut,
    dependencies=[Depends(Public(Action.ANSWER_PEER))],
    responses={**NOT_FOUND, **SIGNED},
)
def arrival_status(body: ArrivalStatusIn, container: ContainerDep) -> ArrivalStatusOut:
    """A peer asks, with a citizen's consent token, for that citizen's colour, reasons and
    valid_until. No bearer token: the request must be signed by the peer's pinned root, and
    the answer is signed by this city's root. The read is in the citizen's access log."""
    try:
        request = b64decode(body.request)
    except ValueError:
        raise InvalidInput.one("request", "must be base64url") from None
    answer = answer_arrival_status(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        body=request,
        serving=container.settings.jurisdiction,
    )
    return ArrivalStatusOut(answer=b64encode(answer))
