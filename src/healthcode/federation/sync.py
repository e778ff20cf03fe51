"""Fetching each peer's signed trust list and keeping the last good one.

The fetch happens outside any transaction (a slow peer holds no lock); then, in one
transaction per peer, its row is locked, the list judged against the pinned root and the list
held (``model.judge``), kept when newer, and the attempt recorded and counted. A peer that is
unreachable or serves a list that is refused loses nothing: its last good list stays held.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from healthcode.federation.model import (
    HeldList,
    ListRefused,
    Outcome,
    SyncResult,
    judge,
    next_pinned_root,
    refusal_text,
)
from healthcode.federation.ports import FederationUnitOfWork, PeerUnreachable, TrustListFetcher
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import NotFound
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.authz import require

log = logging.getLogger(__name__)

MAX_ERROR = 500


def sync_peers(
    *,
    uow_factory: Callable[[], FederationUnitOfWork],
    clock: Clock,
    principal: Principal,
    fetcher: TrustListFetcher,
    clock_skew: timedelta,
    only: str | None = None,
) -> list[SyncResult]:
    """Fetch now (admins): every peer, or the one ``only`` names (``NotFound`` if none)."""
    require(principal, Action.MANAGE_PEERS)
    results = sync_all(
        uow_factory=uow_factory, clock=clock, fetcher=fetcher, clock_skew=clock_skew, only=only
    )
    if only is not None and not results:
        raise NotFound("peer", only)
    return results


def sync_all(
    *,
    uow_factory: Callable[[], FederationUnitOfWork],
    clock: Clock,
    fetcher: TrustListFetcher,
    clock_skew: timedelta,
    only: str | None = None,
) -> list[SyncResult]:
    """The worker's pass: each peer (or ``only``) fetched and recorded in its own
    transaction, one after the other; a peer that fails does not stop the others."""
    with (uow := uow_factory()):
        targets = [(p.jurisdiction, p.base_url) for p in uow.peers.all()]
    return [
        sync_peer(
            uow=uow_factory(),
            clock=clock,
            fetcher=fetcher,
            clock_skew=clock_skew,
            jurisdiction=jurisdiction,
            base_url=base_url,
        )
        for jurisdiction, base_url in targets
        if only is None or jurisdiction == only
    ]


def sync_peer(
    *,
    uow: FederationUnitOfWork,
    clock: Clock,
    fetcher: TrustListFetcher,
    clock_skew: timedelta,
    jurisdiction: str,
    base_url: str,
) -> SyncResult:
    """Fetch ``jurisdiction``'s list from ``base_url`` and record what came of it."""
    try:
        body: bytes | None = fetcher.fetch(base_url)
        unreachable = ""
    except PeerUnreachable as exc:
        body, unreachable = None, str(exc) or exc.__class__.__name__
    now = clock.now()
    with uow:
        peer = uow.peers.get(jurisdiction, for_update=True)
        if peer is None:  # removed while we fetched
            return SyncResult(jurisdiction, Outcome.UNREACHABLE, None, "no longer a peer")
        held = peer.held
        if body is None:
            outcome, message = Outcome.UNREACHABLE, unreachable
        else:
            try:
                outcome, signed = judge(body, peer=peer, now=now, clock_skew=clock_skew)
                message = ""
            except ListRefused as refused:
                outcome, message = refused.outcome, refused.message
        if outcome is Outcome.ACCEPTED and body is not None:
            tl = signed.trust_list
            held = HeldList(body.decode("utf-8"), tl.sequence, tl.issued_at, now)
            uow.peers.hold(jurisdiction, held, root_public_key=next_pinned_root(peer, signed))
        error = refusal_text(outcome, message)[:MAX_ERROR] if outcome.refused else None
        uow.peers.record_attempt(jurisdiction, outcome=outcome, at=now, error=error)
        uow.commit()
    sequence = None if held is None else held.sequence
    if outcome.refused:
        log.warning(
            "peer trust list refused",
            extra={"peer": jurisdiction, "outcome": outcome.value, "detail": message},
        )
    elif outcome is Outcome.ACCEPTED:
        log.info("peer trust list accepted", extra={"peer": jurisdiction, "sequence": sequence})
    return SyncResult(jurisdiction, outcome, sequence, message)
