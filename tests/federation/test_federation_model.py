"""The pure rules of federation: peers to add, root keys as written, judging a fetched list,
and the trust bundle's signature (no database, no network)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from federation_helpers import SHANGHAI, PeerCity
from healthcode.credentials.signer import generate_private_key, public_key_bytes
from healthcode.credentials.trustfile import load_trust_list
from healthcode.federation.bundle import TrustBundle, open_bundle, sign_bundle
from healthcode.federation.model import (
    HeldList,
    ListRefused,
    NewPeer,
    Outcome,
    Peer,
    judge,
    next_pinned_root,
    parse_root_key,
    peer_problems,
    refusal_outcome,
    refusal_text,
)
from healthcode.kernel.errors import InvalidInput

NOW = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
SKEW = timedelta(minutes=1)


def _peer(city: PeerCity, held: bytes | None = None) -> Peer:
    kept = None
    if held is not None:
        tl = load_trust_list(held).trust_list
        kept = HeldList(held.decode(), tl.sequence, tl.issued_at, NOW)
    return Peer(
        jurisdiction=city.jurisdiction,
        base_url="https://sh.example",
        root_public_key=city.root_public,
        added_at=NOW,
        added_by="admin:ada",
        held=kept,
    )


def test_a_peer_to_add_is_checked_field_by_field() -> None:
    """A good peer passes; this city, bad URLs and keys are named."""
    key = PeerCity().root_public
    assert peer_problems(NewPeer(SHANGHAI, "https://sh.example/hc", key), serving="330100") == []
    for url in ("file:///etc", "https://", "https://x/?q=1", "https://x/#f", "x" * 501):
        (problem,) = peer_problems(NewPeer(SHANGHAI, url, key), serving="330100")
        assert problem.field == "url"
    (own,) = peer_problems(NewPeer("330100", "https://x", key), serving="330100")
    assert own.field == "jurisdiction" and "serves" in own.message
    (bad_key,) = peer_problems(NewPeer(SHANGHAI, "https://x", b"\x00" * 31), serving="330100")
    assert bad_key.field == "root_key"


def test_root_keys_are_read_in_base64url_or_hex() -> None:
    """The two spellings of a key give its 32 bytes; anything else is refused."""
    city = PeerCity()
    assert parse_root_key(city.root_text) == city.root_public
    assert parse_root_key(city.root_public.hex()) == city.root_public
    with pytest.raises(InvalidInput, match="root_key"):
        parse_root_key("not-a-key")


def test_judging_a_list_against_the_pinned_root_and_the_held_sequence() -> None:
    """Newer accepted, same unchanged; every refusal says why."""
    city = PeerCity()
    first = city.trust_list(sequence=1, issued_at=NOW)
    assert judge(first, peer=_peer(city), now=NOW, clock_skew=SKEW)[0] is Outcome.ACCEPTED
    peer = _peer(city, held=first)
    assert judge(first, peer=peer, now=NOW, clock_skew=SKEW)[0] is Outcome.UNCHANGED
    newer = city.trust_list(sequence=2, issued_at=NOW)
    assert judge(newer, peer=peer, now=NOW, clock_skew=SKEW)[0] is Outcome.ACCEPTED
    signed = json.loads(newer)
    signed["signature"] = json.loads(first)["signature"]
    cases = [
        (b"{}", Outcome.MALFORMED),
        (json.dumps(signed).encode(), Outcome.BAD_SIGNATURE),
        (
            city.trust_list(sequence=2, issued_at=NOW, root=generate_private_key()),
            Outcome.WRONG_ROOT,
        ),
        (city.trust_list(sequence=0, issued_at=NOW), Outcome.OLDER_SEQUENCE),
        (city.trust_list(sequence=1, issued_at=NOW - timedelta(1)), Outcome.SEQUENCE_REUSED),
        (city.trust_list(sequence=2, issued_at=NOW + SKEW * 2), Outcome.FUTURE_DATED),
    ]
    for body, outcome in cases:
        with pytest.raises(ListRefused) as refused:
            judge(body, peer=peer, now=NOW, clock_skew=SKEW)
        assert refused.value.outcome == outcome
    within_skew = city.trust_list(sequence=2, issued_at=NOW + SKEW)
    assert judge(within_skew, peer=peer, now=NOW, clock_skew=SKEW)[0] is Outcome.ACCEPTED


def test_a_tampered_bundle_is_refused() -> None:
    """The bundle verifies under the city's root; a list slipped in or a root swapped fails."""
    hangzhou, shanghai = PeerCity("330100"), PeerCity(SHANGHAI)
    lists = (
        hangzhou.trust_list(sequence=1, issued_at=NOW).decode(),
        shanghai.trust_list(sequence=1, issued_at=NOW).decode(),
    )
    bundle = TrustBundle(
        "330100",
        NOW,
        bytes.fromhex(_kid(hangzhou)),
        ((SHANGHAI, shanghai.root_public),),
        lists,
    )
    text = sign_bundle(bundle, root_private_key=hangzhou.root)
    store = open_bundle(text, root_public_key=hangzhou.root.public_key())
    assert store.jurisdictions == {"330100", SHANGHAI}
    swapped = json.loads(text)
    swapped["roots"][0]["root_public_key"] = PeerCity().root_text
    with pytest.raises(InvalidInput, match="signature"):
        open_bundle(json.dumps(swapped), root_public_key=hangzhou.root.public_key())
    with pytest.raises(InvalidInput, match="root_kid"):
        open_bundle(text, root_public_key=shanghai.root.public_key())


def _kid(city: PeerCity) -> str:
    return load_trust_list(city.trust_list(sequence=0, issued_at=NOW)).trust_list.root_kid.hex()


def test_an_expired_list_is_refused_and_the_held_one_kept() -> None:
    """A v3 list past its own expiry is refused as expired; one still in force is accepted."""
    city = PeerCity()
    live = city.trust_list(sequence=1, issued_at=NOW, expires_at=NOW + timedelta(days=7))
    assert judge(live, peer=_peer(city), now=NOW, clock_skew=SKEW)[0] is Outcome.ACCEPTED
    stale = city.trust_list(
        sequence=2, issued_at=NOW - timedelta(days=8), expires_at=NOW - timedelta(days=1)
    )
    with pytest.raises(ListRefused) as refused:
        judge(stale, peer=_peer(city, held=live), now=NOW, clock_skew=SKEW)
    assert refused.value.outcome is Outcome.EXPIRED


def test_a_root_rotation_announced_by_the_pinned_root_takes_over() -> None:
    """A next root is trusted, then pinned, only once a list of the pinned root announced it."""
    city = PeerCity()
    new_root = generate_private_key()
    week = NOW + timedelta(days=7)
    early = city.trust_list(sequence=2, issued_at=NOW, root=new_root, expires_at=week)
    with pytest.raises(ListRefused) as refused:
        judge(early, peer=_peer(city), now=NOW, clock_skew=SKEW)
    assert refused.value.outcome is Outcome.WRONG_ROOT
    announcing = city.trust_list(sequence=1, issued_at=NOW, expires_at=week, next_root=new_root)
    peer = _peer(city, held=announcing)
    assert next_pinned_root(peer, load_trust_list(announcing)) == city.root_public
    outcome, signed = judge(early, peer=peer, now=NOW, clock_skew=SKEW)
    assert outcome is Outcome.ACCEPTED
    assert next_pinned_root(peer, signed) == public_key_bytes(new_root.public_key())


@pytest.mark.parametrize("outcome", [o for o in Outcome if o.refused])
def test_a_recorded_refusal_names_its_outcome(outcome: Outcome) -> None:
    """The outcome is read back from the text a refusal is recorded as, whatever its detail."""
    assert refusal_outcome(refusal_text(outcome, "signed by: another root")) is outcome


def test_text_that_names_no_outcome_has_none() -> None:
    """No refusal, or text written another way, names no outcome."""
    assert refusal_outcome(None) is None
    assert refusal_outcome("timeout: no answer") is None
    assert refusal_outcome("") is None
