"""Trust lists v3: their own expiry, the announced next root, and what a trust store makes of
them (refusals, the last good list, age and staleness, root rotation). No I/O."""

from __future__ import annotations

import json
from datetime import timedelta

import cbor2
import pytest
from codekit import LIFETIME, NOW, SCAN, T0, Kit, seeded_key
from hypothesis import given, settings
from hypothesis import strategies as st

from healthcode.credentials import (
    Acceptance,
    Colour,
    Outcome,
    Reason,
    TrustStore,
    dump_trust_list,
    kid_of,
    load_trust_list,
    verify,
)
from healthcode.credentials.cose import public_key_bytes
from healthcode.credentials.trustlist import epoch_seconds
from healthcode.credentials.truststore import LIST_CLOCK_SKEW
from healthcode.credentials.verify import IssuerRule
from healthcode.kernel.errors import Conflict, InvalidInput

WEEK = timedelta(days=7)
NEW_ROOT = seeded_key("330100 next root")
HANGZHOU = Acceptance.green_only({"330100"})


def _store(kit: Kit) -> TrustStore:
    return TrustStore(roots={c.code: c.root.public_key() for c in kit.cities})


def test_v3_signs_exactly_the_published_layout(kit: Kit) -> None:
    """The root signs [context, j, seq, iat, root_kid, max, exp, keys, next_root] in CBOR."""
    signed = kit.hangzhou.trust_list(expires_at=T0 + WEEK, next_root=NEW_ROOT)
    tl = signed.trust_list
    keys = [
        [k.kid, k.public_key, epoch_seconds(k.valid_from), epoch_seconds(k.valid_until)]
        for k in tl.keys
    ]
    expected = [
        "healthcode trust list v3",
        "330100",
        1,
        epoch_seconds(T0),
        kid_of(kit.hangzhou.root.public_key()),
        300,
        epoch_seconds(T0 + WEEK),
        keys,
        public_key_bytes(NEW_ROOT.public_key()),
    ]
    assert tl.to_be_signed() == cbor2.dumps(expected, canonical=True)
    assert tl.version == 3
    plain = kit.hangzhou.trust_list(expires_at=T0 + WEEK).trust_list
    assert cbor2.loads(plain.to_be_signed())[-1] is None  # no next root: null


def test_v3_file_round_trips_with_its_new_fields(kit: Kit) -> None:
    """The file says /3, expires_at in the time form, next_root_public_key in base64url."""
    signed = kit.hangzhou.trust_list(expires_at=T0 + WEEK, next_root=NEW_ROOT)
    text = dump_trust_list(signed)
    document = json.loads(text)
    assert document["format"] == "healthcode-trust-list/3"
    assert document["expires_at"] == "2026-03-08T01:00:00Z"
    assert len(document["next_root_public_key"]) == 43
    assert load_trust_list(text) == signed
    without = kit.hangzhou.trust_list(expires_at=T0 + WEEK)
    assert "next_root_public_key" not in json.loads(dump_trust_list(without))
    assert load_trust_list(dump_trust_list(without)) == without


def test_v2_files_are_still_read_and_never_expire(kit: Kit) -> None:
    """A list without an expiry is written and read as /2 and held however old."""
    signed = kit.hangzhou.trust_list()
    assert json.loads(dump_trust_list(signed))["format"] == "healthcode-trust-list/2"
    store = _store(kit)
    store.accept(signed, at=T0 + timedelta(days=400))
    assert store.trust_list("330100") == signed.trust_list


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.pop("expires_at"), "trust_list.expires_at"),
        (lambda d: d.update(expires_at="2026-03-01T00:00:00Z"), "trust_list.expires_at"),
        (lambda d: d.update(next_root_public_key="AAAA"), "trust_list.next_root_public_key"),
        (lambda d: d.update(format="healthcode-trust-list/2"), "trust_list.expires_at"),
    ],
)
def test_v3_file_is_read_strictly(kit: Kit, change: object, field: str) -> None:
    """A missing or earlier expiry, a malformed next root, or v3 fields in /2 are refused."""
    document = json.loads(
        dump_trust_list(kit.hangzhou.trust_list(expires_at=T0 + WEEK, next_root=NEW_ROOT))
    )
    change(document)  # type: ignore[operator]
    with pytest.raises(InvalidInput) as refused:
        load_trust_list(json.dumps(document))
    assert any(p.field.startswith(field) for p in refused.value.problems)


def test_expiry_is_signed(kit: Kit) -> None:
    """A list edited to live longer fails its root signature."""
    document = json.loads(dump_trust_list(kit.hangzhou.trust_list(expires_at=T0 + WEEK)))
    document["expires_at"] = "2027-03-01T00:00:00Z"
    with pytest.raises(InvalidInput, match="does not verify"):
        _store(kit).accept_json(json.dumps(document), at=NOW)


def test_a_list_issued_in_the_future_is_refused_and_the_last_good_kept(kit: Kit) -> None:
    """Issued beyond the skew ahead of the store's clock: refused, the held list stays."""
    store = _store(kit)
    good = store.accept(kit.hangzhou.trust_list(expires_at=T0 + WEEK), at=NOW)
    ahead = NOW + LIST_CLOCK_SKEW + timedelta(seconds=1)
    future = kit.hangzhou.trust_list(sequence=2, issued_at=ahead, expires_at=ahead + WEEK)
    with pytest.raises(InvalidInput, match="in the future"):
        store.accept(future, at=NOW)
    assert store.trust_list("330100") == good
    assert "in the future" in (store.last_refusal("330100") or "")
    within = NOW + LIST_CLOCK_SKEW
    store.accept(
        kit.hangzhou.trust_list(sequence=2, issued_at=within, expires_at=within + WEEK), at=NOW
    )
    assert store.trust_list("330100").sequence == 2  # type: ignore[union-attr]


def test_an_expired_list_is_refused_and_the_last_good_kept(kit: Kit) -> None:
    """A list whose own expiry has passed is refused; the list held before stays."""
    store = _store(kit)
    good = store.accept(kit.hangzhou.trust_list(expires_at=T0 + WEEK), at=NOW)
    stale = kit.hangzhou.trust_list(sequence=2, expires_at=NOW)
    with pytest.raises(InvalidInput, match="expired"):
        store.accept(stale, at=NOW)
    assert store.trust_list("330100") == good


def test_age_and_staleness_per_jurisdiction(kit: Kit) -> None:
    """Age counts from issue; stale past the limit, or once expired, or when none is held."""
    store = _store(kit)
    store.accept(kit.hangzhou.trust_list(expires_at=T0 + WEEK), at=NOW)
    store.accept(kit.beijing.trust_list(), at=NOW)
    day = timedelta(days=1)
    assert store.age("330100", at=T0 + day) == day
    assert store.age("310000", at=NOW) is None
    assert not store.stale("330100", at=T0 + day, limit=day)
    assert store.stale("330100", at=T0 + day + timedelta(seconds=1), limit=day)
    assert store.stale("330100", at=T0 + WEEK, limit=timedelta(days=30))  # expired
    assert store.stale("310000", at=NOW, limit=day)  # none held


def test_codes_under_an_expired_list_are_refused(kit: Kit) -> None:
    """Once the held list has expired (beyond the skew), its codes are trust_list_expired."""
    store = _store(kit)
    store.accept(kit.hangzhou.trust_list(expires_at=SCAN), at=NOW)
    token = kit.hangzhou.token()
    before = verify(token, trust_lists=store, at=SCAN - timedelta(seconds=1), acceptance=HANGZHOU)
    assert before.passed
    after = verify(token, trust_lists=store, at=SCAN + timedelta(minutes=1), acceptance=HANGZHOU)
    assert after.reason is Reason.TRUST_LIST_EXPIRED
    assert after.outcome is Outcome.INVALID


def test_rotation_announced_under_the_old_root_then_only_the_new(kit: Kit) -> None:
    """Announced next root: its later lists are accepted, then the old root's are refused."""
    store = _store(kit)
    store.accept(kit.hangzhou.trust_list(expires_at=T0 + WEEK, next_root=NEW_ROOT), at=NOW)
    assert store.announced_root("330100") is not None
    old_again = kit.hangzhou.trust_list(sequence=2, expires_at=T0 + WEEK, next_root=NEW_ROOT)
    store.accept(old_again, at=NOW)  # the old root still signs until the new one is used
    store.accept(kit.hangzhou.trust_list(sequence=3, root=NEW_ROOT, expires_at=T0 + WEEK), at=NOW)
    assert kid_of(store.pinned_root("330100")) == kid_of(NEW_ROOT.public_key())  # type: ignore[arg-type]
    assert store.announced_root("330100") is None
    with pytest.raises(InvalidInput, match="signed by another root"):
        store.accept(kit.hangzhou.trust_list(sequence=4, expires_at=T0 + WEEK), at=NOW)
    assert store.trust_list("330100").sequence == 3  # type: ignore[union-attr]


def test_an_unannounced_root_is_refused(kit: Kit) -> None:
    """Without an announcement under the pinned root, another root's list is refused."""
    store = _store(kit)
    store.accept(kit.hangzhou.trust_list(expires_at=T0 + WEEK), at=NOW)
    with pytest.raises(InvalidInput, match="signed by another root"):
        store.accept(kit.hangzhou.trust_list(sequence=2, root=NEW_ROOT, expires_at=T0 + WEEK))


def test_a_rotation_never_goes_back_in_sequence(kit: Kit) -> None:
    """The new root's list must still carry a higher sequence than the one held."""
    store = _store(kit)
    store.accept(kit.hangzhou.trust_list(sequence=5, expires_at=T0 + WEEK, next_root=NEW_ROOT))
    with pytest.raises(Conflict):
        store.accept(kit.hangzhou.trust_list(sequence=4, root=NEW_ROOT, expires_at=T0 + WEEK))
    assert store.announced_root("330100") is not None


# each step: (signer: "old" | "new" | "stranger", announces the new root)
_STEPS = st.lists(st.tuples(st.sampled_from(["old", "new", "stranger"]), st.booleans()), max_size=8)


@settings(max_examples=60, deadline=None)
@given(steps=_STEPS)
def test_rotation_model(kit: Kit, steps: list[tuple[str, bool]]) -> None:
    """Against a model: a root is accepted only in force or announced by the one in force."""
    keys = {"old": kit.hangzhou.root, "new": NEW_ROOT, "stranger": kit.stranger}
    store = _store(kit)
    in_force, announced = "old", False
    for sequence, (signer, announces) in enumerate(steps, start=1):
        next_root = NEW_ROOT if announces and signer == "old" else None
        signed = kit.hangzhou.trust_list(
            sequence=sequence, root=keys[signer], expires_at=T0 + WEEK, next_root=next_root
        )
        should = signer == in_force or (signer == "new" and announced)
        try:
            store.accept(signed, at=NOW)
            accepted = True
        except InvalidInput:
            accepted = False
        assert accepted == should, (steps, sequence)
        if accepted:
            in_force = signer
            announced = next_root is not None
    held = store.trust_list("330100")
    assert held is None or held.root_kid == kid_of(keys[in_force].public_key())


def test_acceptance_rule_of_an_issuer_names_the_rule(kit: Kit) -> None:
    """A foreign issuer's rule decides its colours here, and the message names the rule."""
    office = Acceptance(
        frozenset({"110000", "330100"}),
        frozenset({Colour.GREEN}),
        {"330100": IssuerRule(frozenset({Colour.GREEN}), "acceptance rule visitors")},
    )
    hospital = Acceptance(
        frozenset({"110000", "330100"}),
        frozenset({Colour.GREEN, Colour.YELLOW}),
        {"330100": IssuerRule(frozenset(), "acceptance: no rule admits 330100 at hospital")},
    )
    store = kit.store()
    green = kit.hangzhou.token()
    passed = verify(green, trust_lists=store, at=SCAN, acceptance=office)
    assert passed.passed and "acceptance rule visitors" in passed.message
    stopped = verify(green, trust_lists=store, at=SCAN, acceptance=hospital)
    assert stopped.outcome is Outcome.STOP
    assert stopped.reason is Reason.COLOUR_NOT_ACCEPTED
    assert "not admitted here" in stopped.message and "330100 at hospital" in stopped.message
    own_yellow = kit.beijing.token(colour=Colour.YELLOW)
    assert verify(own_yellow, trust_lists=store, at=SCAN, acceptance=hospital).passed


def test_acceptance_refuses_a_rule_for_an_issuer_not_accepted() -> None:
    """A rule for an issuer outside `issuers` is a programming error, named."""
    with pytest.raises(InvalidInput, match="not accepted"):
        Acceptance(frozenset({"110000"}), by_issuer={"330100": IssuerRule(frozenset(), "x")})


def test_lifetime_is_unchanged_by_v3(kit: Kit) -> None:
    """v3 keeps the lifetime check of v2."""
    store = _store(kit)
    store.accept(kit.hangzhou.trust_list(expires_at=T0 + WEEK, max_code_lifetime=LIFETIME))
    token = kit.hangzhou.token(expires_at=NOW + LIFETIME + timedelta(seconds=1))
    assert verify(token, trust_lists=store, at=SCAN, acceptance=HANGZHOU).reason is (
        Reason.LIFETIME_TOO_LONG
    )
