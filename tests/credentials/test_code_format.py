"""The wire format of a code: claims, COSE_Sign1 bytes, base45 text."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import base45
import cbor2
import pytest
from codekit import NOW, Kit, seeded_key
from hypothesis import given
from hypothesis import strategies as st

from healthcode.credentials import PREFIX, CodeClaims, CodeRejected, Colour, Reason, issue, kid_of
from healthcode.credentials.claims import (
    CLAIM_EXP,
    CLAIM_HEALTHCODE,
    CLAIM_IAT,
    CLAIM_ISS,
    decode_claims,
    encode_claims,
)
from healthcode.credentials.cose import parse_sign1, sig_structure, sign1
from healthcode.credentials.token import b45decode_strict, decode_token
from healthcode.kernel.errors import InvalidInput


def test_claims_use_cwt_numbers_and_one_private_claim(kit: Kit) -> None:
    """Claims are iss=1, exp=4, iat=6 and [colour, name, subject] under private key -65537."""
    claims = kit.hangzhou.claims(colour=Colour.RED)
    raw = cbor2.loads(encode_claims(claims))
    assert raw == {
        CLAIM_ISS: "330100",
        CLAIM_EXP: int(claims.expires_at.timestamp()),
        CLAIM_IAT: int(claims.issued_at.timestamp()),
        CLAIM_HEALTHCODE: [3, "张*三", claims.subject],
    }
    assert (CLAIM_ISS, CLAIM_EXP, CLAIM_IAT) == (1, 4, 6)
    # no key in the range the IANA CWT registry reserves (-256...255) but its own claims
    assert CLAIM_HEALTHCODE < -65536
    assert encode_claims(claims)[21:26] == b"\x3a\x00\x01\x00\x00"


@pytest.mark.parametrize("colour", list(Colour))
def test_claims_round_trip(kit: Kit, colour: Colour) -> None:
    """Encoding then decoding claims gives back equal claims for every colour."""
    claims = kit.hangzhou.claims(colour=colour)
    assert decode_claims(encode_claims(claims)) == claims


def test_claims_times_are_normalised_to_utc(kit: Kit) -> None:
    """An aware time in China's offset is stored as the same instant in UTC."""
    china = timezone(timedelta(hours=8))
    claims = kit.hangzhou.claims(issued_at=NOW.astimezone(china))
    assert claims.issued_at.tzinfo is UTC
    assert claims.issued_at == NOW


def test_colour_given_as_text_is_accepted(kit: Kit) -> None:
    """A colour passed as its string value becomes the enum member."""
    assert kit.hangzhou.claims(colour="yellow").colour is Colour.YELLOW


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"issuer": "33010"}, "issuer"),
        ({"issuer": "033010"}, "issuer"),
        ({"subject": ""}, "subject"),
        ({"subject": "x" * 65}, "subject"),
        ({"masked_name": "张\n三"}, "masked_name"),
        ({"colour": "blue"}, "colour"),
        ({"issued_at": datetime(2026, 3, 1, 2, 0)}, "issued_at"),
        ({"issued_at": NOW + timedelta(microseconds=5)}, "issued_at"),
        ({"expires_at": NOW}, "expires_at"),
        ({"issued_at": datetime(1969, 1, 1, tzinfo=UTC)}, "issued_at"),
        ({"expires_at": datetime(2107, 1, 1, tzinfo=UTC)}, "expires_at"),
    ],
)
def test_bad_claims_are_refused_naming_the_field(
    kit: Kit, overrides: dict[str, object], field: str
) -> None:
    """Claims that break a rule cannot be built; the problem names the field."""
    with pytest.raises(InvalidInput) as caught:
        kit.hangzhou.claims(**overrides)
    assert field in {p.field for p in caught.value.problems}


def test_kid_is_sha256_prefix_of_raw_key() -> None:
    """The kid is the first eight bytes of SHA-256 over the 32-byte public key."""
    key = seeded_key("kid").public_key()
    raw = key.public_bytes_raw()
    assert kid_of(key) == hashlib.sha256(raw).digest()[:8]
    assert kid_of(raw) == kid_of(key)


def test_cose_bytes_match_rfc9052_structure(kit: Kit) -> None:
    """The code is tag 18 over [protected {1:-8, 4:kid}, {}, claims, signature over Sig1]."""
    key = kit.hangzhou.key
    token = issue(kit.hangzhou.claims(), private_key=key)
    decoded = cbor2.loads(decode_token(token))
    assert decoded.tag == 18
    protected, unprotected, payload, signature = decoded.value
    assert cbor2.loads(protected) == {1: -8, 4: kid_of(key.public_key())}
    assert unprotected == {}
    assert payload == encode_claims(kit.hangzhou.claims())
    to_be_signed = cbor2.dumps(["Signature1", protected, b"", payload])
    assert sig_structure(protected, payload) == to_be_signed
    key.public_key().verify(signature, to_be_signed)  # raises if not


@given(st.binary(max_size=70_000))
def test_sig_structure_matches_cbor2_for_any_payload_length(payload: bytes) -> None:
    """The hand-built Sig_structure equals cbor2's encoding for every length class."""
    protected = b"\xa2\x01\x27\x04\x48" + bytes(8)
    assert sig_structure(protected, payload) == cbor2.dumps(["Signature1", protected, b"", payload])


@given(st.binary(max_size=300))
def test_parse_round_trips_signed_payload(payload: bytes) -> None:
    """Any payload signed by sign1 parses back with the same payload and kid."""
    key = seeded_key("parse")
    message = parse_sign1(sign1(payload, private_key=key))
    assert message.payload == payload
    assert message.kid == kid_of(key.public_key())


@given(st.binary(max_size=400))
def test_strict_base45_agrees_with_reference_on_valid_text(data: bytes) -> None:
    """The strict decoder returns exactly the bytes the base45 package encoded."""
    assert b45decode_strict(base45.b45encode(data).decode()) == data


@given(st.text(alphabet=base45.BASE45_CHARSET + "abc\n\t€", max_size=60))
def test_strict_base45_accepts_only_what_reference_accepts(text: str) -> None:
    """On any text, the strict decoder agrees with the reference or refuses (never differs)."""
    reason: Reason | None = None
    try:
        ours: bytes | None = b45decode_strict(text)
    except CodeRejected as exc:
        reason, ours = exc.reason, None
    assert reason in (None, Reason.BAD_ENCODING)
    if ours is not None:
        assert base45.b45decode(text) == ours
        assert base45.b45encode(ours).decode() == text


def test_token_is_prefix_and_base45(kit: Kit) -> None:
    """A token is HZ2: followed by the base45 of the COSE bytes, all QR-alphanumeric."""
    token = kit.hangzhou.token()
    assert token.startswith(PREFIX)
    assert set(token) <= set(base45.BASE45_CHARSET)
    assert base45.b45decode(token[len(PREFIX) :]) == decode_token(token)


def test_typical_token_length(kit: Kit) -> None:
    """A typical code (22-character subject, 张*三) is 220 characters: QR version 8 at level M."""
    assert len(kit.hangzhou.token()) == 220


_subjects = st.one_of(
    st.text(max_size=70),
    st.text(alphabet="0123456789abcdefA", max_size=66),
    st.binary(max_size=34),
    st.integers(0, 3),
)
_near_valid_claims = st.fixed_dictionaries(
    {
        CLAIM_ISS: st.sampled_from(
            ["330100", "310000", "033010", "33010", "3301000", "3301O0", 330100]
        ),
        CLAIM_EXP: st.one_of(st.integers(-5, 2**32 + 5), st.just(True), st.floats(0, 10)),
        CLAIM_IAT: st.one_of(st.integers(-5, 2**32 + 5), st.sampled_from([1, 2**32 - 1])),
        CLAIM_HEALTHCODE: st.one_of(
            st.tuples(
                st.one_of(st.integers(-1, 5), st.just(True), st.just("green")),
                st.one_of(st.text(max_size=40), st.just("张*三"), st.binary(max_size=3)),
                _subjects,
            ).map(list),
            st.lists(st.integers(1, 3), max_size=4),
            st.just({0: 1}),
        ),
    }
)


def _modelled(raw: dict[int, Any]) -> CodeClaims | None:
    """The valid claims whose one encoding is `raw`, or None when there are none."""
    fields = raw[CLAIM_HEALTHCODE]
    if type(fields) is not list or len(fields) != 3:
        return None
    colour, name, subject = fields
    ints = all(type(v) is int for v in (raw[CLAIM_EXP], raw[CLAIM_IAT], colour))
    texts = all(type(v) is str for v in (raw[CLAIM_ISS], name))
    if isinstance(subject, bytes):
        subject = subject.hex()
    if not (ints and texts and isinstance(subject, str)) or colour not in (1, 2, 3):
        return None
    try:
        claims = CodeClaims(
            issuer=raw[CLAIM_ISS],
            subject=subject,
            issued_at=datetime.fromtimestamp(raw[CLAIM_IAT], UTC),
            expires_at=datetime.fromtimestamp(raw[CLAIM_EXP], UTC),
            colour=list(Colour)[colour - 1],
            masked_name=name,
        )
    except (InvalidInput, ValueError, OverflowError, OSError):
        return None
    return claims if cbor2.loads(encode_claims(claims)) == raw else None


@given(raw=_near_valid_claims)
def test_wire_parser_accepts_exactly_encodings_of_valid_claims(raw: dict[int, Any]) -> None:
    """The verifier's claims parser accepts a map iff it is the one encoding of valid claims."""
    try:
        parsed: CodeClaims | None = decode_claims(cbor2.dumps(raw, canonical=True))
    except CodeRejected:
        parsed = None
    assert parsed == _modelled(raw)


@given(subject=st.one_of(_subjects.filter(bool), st.binary(min_size=1, max_size=32).map(bytes.hex)))
def test_any_valid_subject_round_trips(kit: Kit, subject: str) -> None:
    """Every valid subject id, hex or not, comes back unchanged from the wire."""
    try:
        claims = kit.hangzhou.claims(subject=subject)
    except InvalidInput:
        return
    assert decode_claims(encode_claims(claims)) == claims


def test_hex_subject_travels_as_bytes(kit: Kit) -> None:
    """A 32-hex-digit subject id (the service's ids) is carried as its 16 bytes."""
    claims = kit.hangzhou.claims(subject="9f86d081884c7d659a2feaa0c55ad015")
    raw = cbor2.loads(encode_claims(claims))
    assert raw[CLAIM_HEALTHCODE][2] == bytes.fromhex("9f86d081884c7d659a2feaa0c55ad015")
    assert decode_claims(encode_claims(claims)) == claims
    assert len(kit.hangzhou.token(subject=claims.subject)) == 211


_valid_claims = st.builds(
    CodeClaims,
    issuer=st.sampled_from(["330100", "310000", "110000", "999999"]),
    subject=st.one_of(
        st.text(min_size=1, max_size=64).filter(str.isprintable),
        st.binary(min_size=1, max_size=32).map(bytes.hex),
    ),
    issued_at=st.integers(0, 2**32 - 2).map(lambda t: datetime.fromtimestamp(t, UTC)),
    expires_at=st.just(datetime.fromtimestamp(2**32 - 1, UTC)),
    colour=st.sampled_from(list(Colour)),
    masked_name=st.text(min_size=1, max_size=32).filter(str.isprintable),
)


@given(
    claims=_valid_claims,
    flips=st.lists(st.tuples(st.integers(0, 200), st.integers(0, 255)), max_size=3),
)
def test_fast_claims_layout_agrees_with_general_cbor_path(
    claims: CodeClaims, flips: list[tuple[int, int]]
) -> None:
    """The verifier's offset-based claims reader returns what full CBOR decoding does, or defers."""
    from healthcode.credentials.claims import _parse_cbor, _parse_layout

    payload = bytearray(encode_claims(claims))
    for position, value in flips:
        payload[position % len(payload)] = value
    fast = _parse_layout(bytes(payload))
    if fast is not None:  # the fast path reads only the one deterministic encoding
        assert cbor2.dumps(cbor2.loads(bytes(payload)), canonical=True) == bytes(payload)
    try:
        general = _parse_cbor(bytes(payload))
    except CodeRejected:
        assert fast is None
        return
    assert fast is None or fast == general
    typical = claims.issued_at.timestamp() >= 2**16 and len(claims.subject.encode()) < 256
    if not flips and typical:
        assert fast is not None  # our own encodings of real times take the fast path
        assert fast.to_claims() == claims
