"""Stricter codes: one deterministic encoding of the claims, and the issuer's longest lifetime."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import cbor2
import pytest
from codekit import LIFETIME, NOW, SCAN, T0, Kit, craft
from hypothesis import given
from hypothesis import strategies as st

from healthcode.credentials import (
    Acceptance,
    Colour,
    Outcome,
    Reason,
    TrustList,
    TrustStore,
    dump_trust_list,
    kid_of,
    load_trust_list,
    sign_trust_list,
    verify,
)
from healthcode.credentials.claims import CLAIM_HEALTHCODE, encode_claims
from healthcode.credentials.cose import protected_header
from healthcode.credentials.deterministic import decode_deterministic
from healthcode.credentials.trustlist import SIGNING_CONTEXT_V1
from healthcode.kernel.errors import InvalidInput

RED, GREEN = 3, 1


def _signed(kit: Kit, payload: bytes) -> str:
    """`payload` as the claims of a code correctly signed by Hangzhou's current key."""
    key = kit.hangzhou.key
    return craft(protected=protected_header(kid_of(key.public_key())), payload=payload, key=key)


def _pairs(*pairs: tuple[Any, Any], head: bytes | None = None) -> bytes:
    """A CBOR map written pair by pair, in the order given (duplicates allowed)."""
    body = b"".join(cbor2.dumps(k) + cbor2.dumps(v) for k, v in pairs)
    return (head if head is not None else bytes((0xA0 + len(pairs),))) + body


def _claims(kit: Kit) -> dict[int, Any]:
    return dict(cbor2.loads(encode_claims(kit.hangzhou.claims())))


def _refused(kit: Kit, payload: bytes, fragment: str) -> None:
    decision = verify(
        _signed(kit, payload),
        trust_lists=kit.store(),
        at=SCAN,
        acceptance=Acceptance.green_and_yellow({"330100"}),
    )
    assert (decision.outcome, decision.reason) == (Outcome.INVALID, Reason.BAD_ENCODING)
    assert fragment in decision.message, decision.message
    assert decision.colour is None and decision.masked_name is None


def test_duplicate_private_claim_is_refused(kit: Kit) -> None:
    """A signed map naming the application claims twice (red, then green) is refused."""
    good = _claims(kit)
    _, name, subject = good[CLAIM_HEALTHCODE]
    payload = _pairs(
        *[(k, good[k]) for k in (1, 4, 6)],
        (CLAIM_HEALTHCODE, [RED, name, subject]),
        (CLAIM_HEALTHCODE, [GREEN, name, subject]),
    )
    assert cbor2.loads(payload)[CLAIM_HEALTHCODE][0] == GREEN  # a lenient reader sees green
    _refused(kit, payload, "claims: not in deterministic encoding: duplicate map key -65537")


def test_duplicate_expiry_is_refused(kit: Kit) -> None:
    """A signed map with two expiries (five minutes, then a year) is refused."""
    good = _claims(kit)
    payload = _pairs(
        (1, good[1]),
        (4, good[4]),
        (4, good[4] + 365 * 86400),
        (6, good[6]),
        (CLAIM_HEALTHCODE, good[CLAIM_HEALTHCODE]),
    )
    _refused(kit, payload, "duplicate map key 4 at byte")


def test_keys_out_of_order_are_refused(kit: Kit) -> None:
    """The same claims with two keys swapped are another encoding, and refused."""
    good = _claims(kit)
    payload = _pairs(*[(k, good[k]) for k in (1, 6, 4, CLAIM_HEALTHCODE)])
    assert cbor2.loads(payload) == good  # the very same claims to a lenient reader
    _refused(kit, payload, "map key 4 out of order at byte")


@pytest.mark.parametrize(
    ("encode", "fragment"),
    [
        # the expiry as an 8-byte integer (1b) rather than 4 bytes (1a)
        (
            lambda g: _pairs(
                (1, g[1]),
                (4, g[4]),
                (6, g[6]),
                (CLAIM_HEALTHCODE, g[CLAIM_HEALTHCODE]),
            ).replace(b"\x04\x1a", b"\x04\x1b\x00\x00\x00\x00", 1),
            "integer or length not in shortest form at byte 10",
        ),
        # the colour 1 as a one-byte integer (18 01) rather than in its head (01)
        (
            lambda g: (
                cbor2.dumps({**g, CLAIM_HEALTHCODE: 0}, canonical=True)[:-1]
                + b"\x83\x18\x01"
                + b"".join(cbor2.dumps(v) for v in g[CLAIM_HEALTHCODE][1:])
            ),
            "integer or length not in shortest form at byte 27",
        ),
        # the masked name's length in a byte of its own (78 07) rather than in its head (67)
        (
            lambda g: encode_claims_bytes(g).replace(b"\x67\xe5", b"\x78\x07\xe5", 1),
            "integer or length not in shortest form at byte 28",
        ),
    ],
)
def test_non_minimal_integers_and_lengths_are_refused(kit: Kit, encode: Any, fragment: str) -> None:
    """An integer or a length written longer than it needs to be is refused."""
    payload = encode(_claims(kit))
    assert cbor2.loads(payload) == _claims(kit)
    _refused(kit, payload, fragment)


def encode_claims_bytes(claims: dict[int, Any]) -> bytes:
    return cbor2.dumps(claims, canonical=True)


@pytest.mark.parametrize(
    ("rewrite", "fragment"),
    [
        # the map with an indefinite length: bf ... ff
        (lambda p: b"\xbf" + p[1:] + b"\xff", "indefinite length at byte 0"),
        # the private array with an indefinite length: 9f ... ff
        (lambda p: p.replace(b"\x83", b"\x9f", 1) + b"\xff", "indefinite length at byte 26"),
        # the masked name as an indefinite text made of one chunk: 7f 67 ... ff
        (
            lambda p: p.replace(
                b"\x67\xe5\xbc\xa0\x2a\xe4\xb8\x89", b"\x7f\x67\xe5\xbc\xa0\x2a\xe4\xb8\x89\xff"
            ),
            "indefinite length at byte 28",
        ),
    ],
)
def test_indefinite_lengths_are_refused(kit: Kit, rewrite: Any, fragment: str) -> None:
    """A map, array or text with an indefinite length (RFC 8949 §3.2.2) is refused."""
    payload = rewrite(encode_claims(kit.hangzhou.claims()))
    assert cbor2.loads(payload) == _claims(kit)
    _refused(kit, payload, fragment)


def test_trailing_bytes_after_the_claims_are_refused(kit: Kit) -> None:
    """Bytes after the claims map are refused, though a lenient reader ignores them."""
    payload = encode_claims(kit.hangzhou.claims()) + b"\x00"
    assert cbor2.loads(payload) == _claims(kit)
    _refused(kit, payload, "1 trailing byte(s) after the item")


def test_the_deterministic_encoding_still_passes(kit: Kit) -> None:
    """The issuer's own encoding of the same claims passes (the refusals are not blanket)."""
    payload = cbor2.dumps(_claims(kit), canonical=True)
    assert payload == encode_claims(kit.hangzhou.claims())
    decision = verify(
        _signed(kit, payload),
        trust_lists=kit.store(),
        at=SCAN,
        acceptance=Acceptance.green_only({"330100"}),
    )
    assert decision.passed and decision.colour is Colour.GREEN


_values = st.recursive(
    st.one_of(st.integers(-(2**64), 2**64 - 1), st.text(max_size=30), st.binary(max_size=30)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(st.integers(-(2**40), 2**40), st.text(max_size=5)), inner, max_size=4
        ),
    ),
    max_leaves=12,
)


@given(value=_values)
def test_deterministic_decoder_accepts_exactly_the_canonical_form(value: Any) -> None:
    """Any value decodes from its canonical bytes, and from no other encoding cbor2 writes."""
    canonical = cbor2.dumps(value, canonical=True)
    assert decode_deterministic(canonical) == value
    other = cbor2.dumps(value)  # insertion order of map keys
    if other != canonical:
        with pytest.raises(ValueError, match="not in deterministic encoding"):
            decode_deterministic(other)
    with pytest.raises(ValueError, match="trailing"):
        decode_deterministic(canonical + b"\x00")


# --- the issuer's longest lifetime ------------------------------------------------------------


def test_code_living_longer_than_the_published_maximum_is_refused(kit: Kit) -> None:
    """A code whose exp - iat exceeds its issuer's max_code_lifetime is lifetime_too_long."""
    token = kit.hangzhou.token(expires_at=NOW + LIFETIME + timedelta(seconds=1))
    decision = verify(
        token,
        trust_lists=kit.store(),
        at=SCAN,
        acceptance=Acceptance.green_only({"330100"}),
    )
    assert (decision.outcome, decision.reason) == (Outcome.INVALID, Reason.LIFETIME_TOO_LONG)
    assert decision.message == (
        "lives 301 s; the trust list of 330100 allows its codes at most 300 s"
    )
    assert decision.colour is Colour.GREEN  # the claims were read: the signature held


def test_code_living_exactly_the_maximum_passes(kit: Kit) -> None:
    """A code living exactly the published maximum passes."""
    token = kit.hangzhou.token(expires_at=NOW + LIFETIME)
    decision = verify(
        token,
        trust_lists=kit.store(),
        at=SCAN,
        acceptance=Acceptance.green_only({"330100"}),
    )
    assert decision.passed


def test_each_issuer_is_held_to_its_own_maximum(kit: Kit) -> None:
    """A one-hour code passes under a list allowing an hour, and not under Hangzhou's 5 min."""
    store = TrustStore(roots={c.code: c.root.public_key() for c in kit.cities})
    store.accept(kit.hangzhou.trust_list())
    store.accept(kit.shanghai.trust_list(max_code_lifetime=timedelta(hours=1)))
    acceptance = Acceptance.green_only({"330100", "310000"})
    outcomes = {
        city.code: verify(
            city.token(expires_at=NOW + timedelta(hours=1)),
            trust_lists=store,
            at=SCAN,
            acceptance=acceptance,
        ).reason
        for city in (kit.hangzhou, kit.shanghai)
    }
    assert outcomes == {"330100": Reason.LIFETIME_TOO_LONG, "310000": Reason.OK}


def _v1_list(kit: Kit) -> TrustList:
    """Hangzhou's list as published before trust lists had a maximum lifetime."""
    city = kit.hangzhou
    return TrustList("330100", 1, T0, kid_of(city.root.public_key()), tuple(city.entries()))


def test_a_v1_list_still_verifies_and_is_held(kit: Kit) -> None:
    """A list of the first format (signed v1 bytes, no maximum) is read, accepted and used."""
    v1 = _v1_list(kit)
    expected = cbor2.dumps(
        [
            SIGNING_CONTEXT_V1,
            "330100",
            1,
            int(T0.timestamp()),
            v1.root_kid,
            [
                [k.kid, k.public_key, int(k.valid_from.timestamp()), int(k.valid_until.timestamp())]
                for k in v1.keys
            ],
        ]
    )
    assert v1.to_be_signed() == expected  # the very bytes the roots signed before
    text = dump_trust_list(sign_trust_list(v1, root_private_key=kit.hangzhou.root))
    document = json.loads(text)
    assert document["format"] == "healthcode-trust-list/1"
    assert "max_code_lifetime" not in document
    store = TrustStore(roots={"330100": kit.hangzhou.root.public_key()})
    assert store.accept_json(text) == v1
    # a list without a maximum bounds no lifetime: a day-long code is judged on the rest
    token = kit.hangzhou.token(expires_at=NOW + timedelta(days=1))
    decision = verify(
        token, trust_lists=store, at=SCAN, acceptance=Acceptance.green_only({"330100"})
    )
    assert decision.passed


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.pop("max_code_lifetime"), "trust_list.max_code_lifetime"),
        (lambda d: d.update(max_code_lifetime=0), "trust_list.max_code_lifetime"),
        (lambda d: d.update(max_code_lifetime=2**32), "trust_list.max_code_lifetime"),
        (lambda d: d.update(max_code_lifetime="300"), "trust_list.max_code_lifetime"),
        (lambda d: d.update(format="healthcode-trust-list/1"), "trust_list.max_code_lifetime"),
        (lambda d: d.update(format="healthcode-trust-list/3"), "trust_list.expires_at"),
        (lambda d: d.update(format="healthcode-trust-list/4"), "trust_list.format"),
    ],
)
def test_max_code_lifetime_is_required_in_v2_and_unknown_in_v1(
    kit: Kit, change: Any, field: str
) -> None:
    """A v2 file must carry a lifetime of 1 s to 2^32 - 1 s; a v1 file must not carry one."""
    document = json.loads(dump_trust_list(kit.hangzhou.trust_list()))
    change(document)
    with pytest.raises(InvalidInput) as refused:
        load_trust_list(json.dumps(document))
    assert field in {p.field for p in refused.value.problems}


def test_changing_the_maximum_changes_what_the_root_signs(kit: Kit) -> None:
    """The maximum is signed: a list edited to allow longer codes fails its root signature."""
    signed = kit.hangzhou.trust_list()
    document = json.loads(dump_trust_list(signed))
    document["max_code_lifetime"] = 86400
    store = TrustStore(roots={"330100": kit.hangzhou.root.public_key()})
    with pytest.raises(InvalidInput, match="does not verify"):
        store.accept_json(json.dumps(document))
