"""Peers and the exchange of trust lists on a real database (SQLite and PostgreSQL): a peer
serving garbage, another root's list, an older sequence, a reused one or a future-dated list is
refused and its last good list kept; a peer down loses nothing and the next sync catches up."""

from __future__ import annotations

from datetime import timedelta

import pytest

from federation_helpers import (
    SHANGHAI,
    SHANGHAI_URL,
    FakeFetcher,
    PeerCity,
    add_shanghai,
    admin_of,
)
from healthcode.codes.keys import init_keys
from healthcode.container import Container
from healthcode.credentials.signer import generate_private_key
from healthcode.credentials.verify import Acceptance, verify
from healthcode.credentials.verify import Outcome as Verdict
from healthcode.federation.bundle import open_bundle
from healthcode.federation.model import NewPeer, Outcome, refusal_outcome
from healthcode.federation.peers import (
    list_peers,
    peer_health,
    peer_proposals,
    propose_peer,
    propose_peer_removal,
)
from healthcode.federation.sync import sync_all, sync_peers
from healthcode.federation.trust import federated_trust_store, trust_bundle_document
from healthcode.kernel.clock import FixedClock
from healthcode.kernel.errors import Conflict, InvalidInput, NotAllowed, NotFound
from healthcode.oversight.access import Principal
from healthcode.oversight.model import Proposal, ProposalStatus
from healthcode.oversight.proposals import approve, propose
from identity_helpers import add_test_official, principal


def _sync(container: Container, fetcher: FakeFetcher) -> Outcome:
    (result,) = sync_all(
        uow_factory=container.uow,
        clock=container.clock,
        fetcher=fetcher,
        clock_skew=container.settings.clock_skew,
    )
    return result.outcome


def _propose(container: Container, who: Principal, peer: NewPeer) -> Proposal:
    return propose_peer(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=who,
        peer=peer,
        serving="330100",
        reason="their codes are accepted here",
    )


def _decide(container: Container, who: Principal, proposal: Proposal) -> Proposal:
    return approve(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=who,
        proposal_id=proposal.id,
    )


def _peers(container: Container, who: Principal) -> list[str]:
    views = list_peers(uow=container.uow(), clock=container.clock, principal=who, serving="330100")
    return [v.peer.jurisdiction for v in views]


def test_peers_are_added_and_removed_by_two_admins(container: Container) -> None:
    """One admin proposes a peer, a second approves; refusals; removal by four eyes too."""
    city = PeerCity()
    admin = admin_of(container)
    bob = admin_of(container, "bob")
    add_test_official(container, "wang", "official")
    peer = NewPeer(SHANGHAI, SHANGHAI_URL, city.root_public)
    with pytest.raises(NotAllowed):
        _propose(container, principal(container, "wang"), peer)
    with pytest.raises(InvalidInput, match="the one this instance serves"):
        _propose(container, admin, NewPeer("330100", SHANGHAI_URL, city.root_public))
    with pytest.raises(InvalidInput) as bad:
        _propose(container, admin, NewPeer("31", "ftp://x", b"short"))
    assert {p.field for p in bad.value.problems} == {"jurisdiction", "url", "root_key"}
    proposal = _propose(container, admin, peer)
    assert proposal.kind == "add_peer" and _peers(container, admin) == []  # nothing pinned yet
    with pytest.raises(Conflict, match="waits already"):
        _propose(container, bob, peer)
    with pytest.raises(NotAllowed, match="own proposal"):
        _decide(container, admin, proposal)
    assert _decide(container, bob, proposal).result == {"added": SHANGHAI}
    (view,) = list_peers(
        uow=container.uow(), clock=container.clock, principal=admin, serving="330100"
    )
    added = view.peer
    assert (added.jurisdiction, added.held, added.added_by) == (
        SHANGHAI,
        None,
        "admin:ada (approved by admin:bob)",
    )
    assert view.stale and view.outcomes == {}  # no list held yet
    with pytest.raises(Conflict, match="a peer already"):
        _propose(container, admin, peer)
    removal = propose_peer_removal(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=admin,
        jurisdiction=SHANGHAI,
        reason="it stopped publishing",
    )
    assert _peers(container, admin) == [SHANGHAI]  # kept until approved
    pending = peer_proposals(uow=container.uow(), principal=bob, status=ProposalStatus.PENDING)
    assert [p.kind for p in pending] == ["remove_peer"]
    _decide(container, bob, removal)
    assert _peers(container, admin) == []
    with pytest.raises(NotFound):
        propose_peer_removal(
            uow=container.uow(),
            clock=container.clock,
            kinds=container.proposal_kinds,
            principal=admin,
            jurisdiction=SHANGHAI,
            reason="again",
        )


def test_a_peer_proposed_through_the_generic_route_is_checked_and_pinned_on_approval(
    container: Container,
) -> None:
    """Generic `add_peer` names payload faults; a hex key is kept as base64url and pinned."""
    city = PeerCity()
    admin, bob = admin_of(container), admin_of(container, "bob")
    args = {"uow": container.uow(), "clock": container.clock, "kinds": container.proposal_kinds}
    bad = {"jurisdiction": "330100", "url": "ftp://x", "root_key": "short"}
    with pytest.raises(InvalidInput) as refused:
        propose(**args, principal=admin, action="add_peer", payload=bad, reason="x")  # type: ignore[arg-type]
    assert {p.field for p in refused.value.problems} == {"payload.root_key"}
    bad["root_key"] = city.root_text
    with pytest.raises(InvalidInput) as refused:
        propose(**args, principal=admin, action="add_peer", payload=bad, reason="x")  # type: ignore[arg-type]
    assert {p.field for p in refused.value.problems} == {"payload.jurisdiction", "payload.url"}
    good = {"jurisdiction": SHANGHAI, "url": SHANGHAI_URL, "root_key": city.root_public.hex()}
    made = propose(**args, principal=admin, action="add_peer", payload=good, reason="x")  # type: ignore[arg-type]
    assert made.payload["root_key"] == city.root_text  # kept as base64url, however written
    _decide(container, bob, made)
    (view,) = list_peers(
        uow=container.uow(), clock=container.clock, principal=bob, serving="330100"
    )
    assert view.peer.root_public_key == city.root_public


def test_refused_lists_keep_the_last_good_one(container: Container, clock: FixedClock) -> None:
    """Garbage, another root, older, reused or future-dated lists are refused; the last kept."""
    city = PeerCity()
    add_shanghai(container, city)
    fetcher = FakeFetcher()
    now = clock.now()
    good = city.trust_list(sequence=5, issued_at=now - timedelta(hours=1))
    fetcher.served[SHANGHAI_URL] = good
    assert _sync(container, fetcher) is Outcome.ACCEPTED
    assert _sync(container, fetcher) is Outcome.UNCHANGED
    other_root = generate_private_key()
    served = [
        (Outcome.MALFORMED, b"<html>maintenance</html>"),
        (Outcome.WRONG_ROOT, city.trust_list(sequence=6, issued_at=now, root=other_root)),
        (Outcome.OLDER_SEQUENCE, city.trust_list(sequence=4, issued_at=now)),
        (Outcome.SEQUENCE_REUSED, city.trust_list(sequence=5, issued_at=now)),
        (Outcome.FUTURE_DATED, city.trust_list(sequence=6, issued_at=now + timedelta(hours=1))),
        (
            Outcome.WRONG_JURISDICTION,
            PeerCity("110000", city.root).trust_list(sequence=6, issued_at=now),
        ),
        (Outcome.MALFORMED, b"\xff\xfe not utf-8"),
    ]
    for outcome, body in served:
        fetcher.served[SHANGHAI_URL] = body
        assert _sync(container, fetcher) is outcome
        (peer,) = peer_health(uow=container.uow()).peers
        assert peer.held is not None and peer.held.document == good.decode()
        assert peer.last_error is not None and refusal_outcome(peer.last_error) is outcome
    counts = peer_health(uow=container.uow()).counts
    assert counts[(SHANGHAI, "accepted")] == 1 and counts[(SHANGHAI, "wrong_root")] == 1
    assert counts[(SHANGHAI, "malformed")] == 2


def test_a_peer_down_loses_nothing(container: Container, clock: FixedClock) -> None:
    """A peer that does not answer keeps its list; when it is back, the newer one is taken."""
    city = PeerCity()
    add_shanghai(container, city)
    fetcher = FakeFetcher()
    now = clock.now()
    fetcher.served[SHANGHAI_URL] = city.trust_list(sequence=1, issued_at=now)
    assert _sync(container, fetcher) is Outcome.ACCEPTED
    fetcher.served[SHANGHAI_URL] = None
    clock.advance(timedelta(hours=1))
    assert _sync(container, fetcher) is Outcome.UNREACHABLE
    (peer,) = peer_health(uow=container.uow()).peers
    assert peer.held is not None and peer.held.sequence == 1
    assert peer.last_success_at == now and peer.last_error_at == clock.now()
    assert peer.list_age(clock.now()) == timedelta(hours=1)
    fetcher.served[SHANGHAI_URL] = city.trust_list(sequence=2, issued_at=clock.now())
    assert _sync(container, fetcher) is Outcome.ACCEPTED
    (peer,) = peer_health(uow=container.uow()).peers
    assert peer.held is not None and peer.held.sequence == 2
    assert peer.last_success_at == clock.now()


def test_an_admin_syncs_one_peer_now(container: Container, clock: FixedClock) -> None:
    """`peer sync` for one peer fetches it now; an unknown peer is not found."""
    city = PeerCity()
    add_shanghai(container, city)
    fetcher = FakeFetcher()
    fetcher.served[SHANGHAI_URL] = city.trust_list(sequence=3, issued_at=clock.now())
    args = {
        "uow_factory": container.uow,
        "clock": clock,
        "principal": principal(container, "peer-admin"),
        "fetcher": fetcher,
        "clock_skew": container.settings.clock_skew,
    }
    (result,) = sync_peers(**args, only=SHANGHAI)  # type: ignore[arg-type]
    assert (result.outcome, result.sequence) == (Outcome.ACCEPTED, 3)
    with pytest.raises(NotFound):
        sync_peers(**args, only="110000")  # type: ignore[arg-type]


def test_peer_codes_verify_with_the_city_s_and_in_the_bundle(
    container: Container, clock: FixedClock
) -> None:
    """Once a peer's list is held, its codes verify on the server and from the signed bundle."""
    init_keys(
        uow=container.uow(),
        clock=clock,
        private_keys=container.private_keys,
        jurisdiction="330100",
    )
    city = PeerCity()
    args = {
        "uow": container.uow,
        "clock": clock,
        "private_keys": container.private_keys,
        "jurisdiction": "330100",
        "code_lifetime": container.settings.code_lifetime,
        "clock_skew": container.settings.clock_skew,
    }
    store, issuers = federated_trust_store(**{**args, "uow": container.uow()})  # type: ignore[arg-type]
    assert issuers == {"330100"}
    add_shanghai(container, city)
    fetcher = FakeFetcher()
    fetcher.served[SHANGHAI_URL] = city.trust_list(sequence=1, issued_at=clock.now())
    assert _sync(container, fetcher) is Outcome.ACCEPTED
    store, issuers = federated_trust_store(**{**args, "uow": container.uow()})  # type: ignore[arg-type]
    assert issuers == {"330100", SHANGHAI}
    acceptance = Acceptance.green_only(issuers)
    code = city.code(clock.now())
    assert verify(code, trust_lists=store, at=clock.now(), acceptance=acceptance).outcome is (
        Verdict.PASS
    )
    bundle = trust_bundle_document(**{**args, "uow": container.uow()})  # type: ignore[arg-type]
    own_root = container.private_keys.load(_root_kid(container)).public_key()
    offline = open_bundle(bundle, root_public_key=own_root)
    assert offline.jurisdictions == {"330100", SHANGHAI}
    decision = verify(code, trust_lists=offline, at=clock.now(), acceptance=acceptance)
    assert decision.outcome is Verdict.PASS and decision.issuer == SHANGHAI
    with pytest.raises(InvalidInput, match="root"):
        open_bundle(bundle, root_public_key=city.root.public_key())


def _root_kid(container: Container) -> str:
    with (uow := container.uow()):
        (root,) = uow.keys.all("330100", role="root")
    return root.kid
