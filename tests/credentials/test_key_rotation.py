"""Key rotation and trust-list updates, as a checkpoint lives through them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from codekit import LIFETIME, T0, Kit, city, seeded_key

from healthcode.credentials import Acceptance, Colour, Outcome, Reason, TrustedKey, verify
from healthcode.kernel.errors import Conflict, InvalidInput

HANGZHOU_BUS = Acceptance.green_only({"330100"})


def test_code_of_retired_key_verifies_until_its_own_expiry(kit: Kit) -> None:
    """A code signed by the old key just before rotation passes until it expires, then not."""
    issued = T0 - timedelta(minutes=1)  # the old key's last minute of signing
    token = kit.hangzhou.token(key=kit.hangzhou.old_key, issued_at=issued)
    store = kit.store()
    expiry = issued + LIFETIME

    def reason_at(when: datetime, skew: timedelta = timedelta(0)) -> Reason:
        decision = verify(
            token, trust_lists=store, at=when, acceptance=HANGZHOU_BUS, max_clock_skew=skew
        )
        return decision.reason

    assert reason_at(T0 + timedelta(minutes=2)) is Reason.OK  # key retired, its code lives on
    assert reason_at(expiry - timedelta(seconds=1)) is Reason.OK
    assert reason_at(expiry) is Reason.EXPIRED
    assert reason_at(expiry + timedelta(seconds=59), timedelta(minutes=1)) is Reason.OK
    assert reason_at(expiry + timedelta(minutes=1), timedelta(minutes=1)) is Reason.EXPIRED


def test_retired_key_cannot_sign_new_codes(kit: Kit) -> None:
    """A code the old key signs after its validity ended is refused as key_not_valid."""
    token = kit.hangzhou.token(key=kit.hangzhou.old_key, issued_at=T0 + timedelta(minutes=1))
    decision = verify(
        token, trust_lists=kit.store(), at=T0 + timedelta(minutes=2), acceptance=HANGZHOU_BUS
    )
    assert (decision.outcome, decision.reason) == (Outcome.INVALID, Reason.KEY_NOT_VALID)


def test_new_list_without_old_key_makes_its_codes_unknown(kit: Kit) -> None:
    """Once a newer list drops the old key, codes it signed are refused as unknown_kid."""
    token = kit.hangzhou.token(key=kit.hangzhou.old_key, issued_at=T0 - timedelta(minutes=1))
    store = kit.store()
    store.accept(kit.hangzhou.trust_list(sequence=2, keys=kit.hangzhou.entries()[1:]))
    decision = verify(token, trust_lists=store, at=T0, acceptance=HANGZHOU_BUS)
    assert decision.reason is Reason.UNKNOWN_KID
    current = kit.hangzhou.token()
    at = T0 + timedelta(hours=1)
    assert verify(current, trust_lists=store, at=at, acceptance=HANGZHOU_BUS).passed


def test_added_key_verifies_after_list_update(kit: Kit) -> None:
    """A key added in a newer list verifies codes as soon as that list is accepted."""
    next_key = seeded_key("330100 next signing key")
    token = kit.hangzhou.token(key=next_key)
    store = kit.store()
    before = verify(token, trust_lists=store, at=T0 + timedelta(hours=1), acceptance=HANGZHOU_BUS)
    entry = TrustedKey.of(next_key.public_key(), valid_from=T0, valid_until=T0 + timedelta(days=60))
    store.accept(kit.hangzhou.trust_list(sequence=2, keys=[*kit.hangzhou.entries(), entry]))
    after = verify(token, trust_lists=store, at=T0 + timedelta(hours=1), acceptance=HANGZHOU_BUS)
    assert before.reason is Reason.UNKNOWN_KID
    assert after.passed


def test_list_signed_by_another_root_is_refused(kit: Kit) -> None:
    """A Hangzhou list signed by a root other than the pinned one is refused; nothing changes."""
    store = kit.store()
    forged = kit.hangzhou.trust_list(sequence=9, keys=[], root=seeded_key("impostor root"))
    with pytest.raises(InvalidInput) as caught:
        store.accept(forged)
    assert caught.value.problems[0].field == "trust_list.root_kid"
    assert "signed by another root" in str(caught.value)
    assert store.trust_list("330100") == kit.hangzhou.trust_list().trust_list


def test_list_with_forged_signature_is_refused(kit: Kit) -> None:
    """A list naming the pinned root but carrying a signature the root did not make is refused."""
    genuine = kit.hangzhou.trust_list(sequence=2)
    other = kit.hangzhou.trust_list(sequence=3)
    tampered = type(genuine)(genuine.trust_list, other.signature)
    with pytest.raises(InvalidInput) as caught:
        kit.store().accept(tampered)
    assert caught.value.problems[0].field == "trust_list.signature"


def test_list_for_unpinned_jurisdiction_is_refused(kit: Kit) -> None:
    """A list from a jurisdiction with no pinned root (Shenzhen) cannot be accepted."""
    shenzhen = city("440300")
    with pytest.raises(InvalidInput, match="no root key is pinned for 440300"):
        kit.store().accept(shenzhen.trust_list())


def test_lower_sequence_is_refused(kit: Kit) -> None:
    """Replaying an older list (to bring back a dropped key) is refused as a conflict."""
    store = kit.store()
    store.accept(kit.hangzhou.trust_list(sequence=5, keys=kit.hangzhou.entries()[1:]))
    with pytest.raises(Conflict) as caught:
        store.accept(kit.hangzhou.trust_list(sequence=4))
    assert caught.value.field == "trust_list.sequence"
    assert "4 is lower than the 5 already held" in str(caught.value)
    held = store.trust_list("330100")
    assert held is not None
    assert held.sequence == 5


def test_same_sequence_other_content_is_refused(kit: Kit) -> None:
    """Two different lists under one sequence number are refused (the root equivocated)."""
    store = kit.store()
    with pytest.raises(Conflict, match="already held"):
        store.accept(kit.hangzhou.trust_list(sequence=1, keys=kit.hangzhou.entries()[1:]))


def test_accepting_the_held_list_again_is_a_no_op(kit: Kit) -> None:
    """Re-accepting the very list held (a checkpoint re-syncing) succeeds and changes nothing."""
    store = kit.store()
    again = store.accept(kit.hangzhou.trust_list())
    assert again == store.trust_list("330100")


def test_untrusted_jurisdiction_stops_and_trusted_one_passes(kit: Kit) -> None:
    """At a Hangzhou-only checkpoint, a Beijing code does not pass; a Hangzhou one does."""
    store = kit.store()
    at = T0 + timedelta(hours=1, minutes=1)
    beijing = verify(kit.beijing.token(), trust_lists=store, at=at, acceptance=HANGZHOU_BUS)
    hangzhou = verify(kit.hangzhou.token(), trust_lists=store, at=at, acceptance=HANGZHOU_BUS)
    assert not beijing.passed
    assert beijing.reason is Reason.ISSUER_NOT_TRUSTED
    assert hangzhou.passed


def test_yellow_person_stops_at_green_only_checkpoint(kit: Kit) -> None:
    """A yellow Hangzhou resident's valid code stops at a green-only Hangzhou checkpoint."""
    token = kit.hangzhou.token(colour=Colour.YELLOW)
    at = T0 + timedelta(hours=1, minutes=1)
    decision = verify(token, trust_lists=kit.store(), at=at, acceptance=HANGZHOU_BUS)
    assert decision.outcome is Outcome.STOP
    assert decision.colour is Colour.YELLOW


def test_peer_listing_anothers_key_cannot_hijack_its_codes(kit: Kit) -> None:
    """Beijing listing Hangzhou's public key does not turn Hangzhou codes into wrong_issuer ones."""
    store = kit.store()
    copied = TrustedKey.of(
        kit.hangzhou.key.public_key(), valid_from=T0, valid_until=T0 + timedelta(days=1)
    )
    store.accept(kit.beijing.trust_list(sequence=2, keys=[copied]))
    at = T0 + timedelta(hours=1, minutes=1)
    accept_both = Acceptance.green_only({"330100", "110000"})
    assert verify(kit.hangzhou.token(), trust_lists=store, at=at, acceptance=accept_both).passed
    # Beijing's root vouches for that key too, so a code claiming Beijing verifies as Beijing's:
    # each code is judged against its claimed issuer's own entry.
    as_beijing = kit.hangzhou.token(issuer="110000")
    assert verify(as_beijing, trust_lists=store, at=at, acceptance=accept_both).issuer == "110000"
