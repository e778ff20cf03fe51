"""Offline verification: a good code passes, and each way a code can be wrong has its own reason."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import cbor2
import pytest
from codekit import LIFETIME, NOW, SCAN, T0, Kit, craft

from healthcode.credentials import PREFIX, Acceptance, Colour, Outcome, Reason, TrustStore, verify
from healthcode.credentials.claims import encode_claims
from healthcode.credentials.cose import kid_of, protected_header
from healthcode.credentials.token import decode_token, encode_token
from healthcode.credentials.verify import DEFAULT_CLOCK_SKEW, Decision
from healthcode.kernel.errors import InvalidInput


def check(
    token: str, store: TrustStore, acceptance: Acceptance, at: datetime = SCAN, **kw: object
) -> Decision:
    return verify(token, trust_lists=store, at=at, acceptance=acceptance, **kw)  # type: ignore[arg-type]


def test_issued_code_passes_with_its_claims(kit: Kit, green_here: Acceptance) -> None:
    """A freshly issued green Hangzhou code passes at a Hangzhou bus and shows its claims."""
    token = kit.hangzhou.token()
    decision = check(token, kit.store(), green_here)
    assert decision.outcome is Outcome.PASS
    assert decision.passed
    assert decision.reason is Reason.OK
    assert decision.colour is Colour.GREEN
    assert decision.masked_name == "张*三"
    assert decision.issuer == "330100"
    assert decision.subject == "q3F0bT9xL2Vd8sK1mN4pZw"
    assert decision.issued_at == NOW
    assert decision.expires_at == NOW + LIFETIME
    assert decision.kid == kid_of(kit.hangzhou.key.public_key()).hex()
    assert not decision.degraded
    assert token.startswith(PREFIX)


def test_foreign_accepted_code_passes(kit: Kit, green_here: Acceptance) -> None:
    """A Shanghai code passes at a Hangzhou checkpoint that accepts Shanghai."""
    assert check(kit.shanghai.token(), kit.store(), green_here).passed


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("HC1:NCFOXN%TS3DH3ZSUZK+.V0ETD%65NL-AH", "EU Digital COVID Certificate"),
        ("HZ1:ABC", "unsupported health code version 'HZ1:'"),
        ("HZ3:ABC", "unsupported health code version"),
        ("hz2:ABC", "expected the prefix HZ2:"),
        ("https://example.org/", "expected the prefix HZ2:"),
        ("", "expected the prefix HZ2:"),
    ],
)
def test_wrong_prefix_is_bad_prefix(
    kit: Kit, green_here: Acceptance, text: str, fragment: str
) -> None:
    """Text without the exact HZ2: prefix is refused as bad_prefix, naming what it looks like."""
    decision = check(text, kit.store(), green_here)
    assert decision.outcome is Outcome.INVALID
    assert decision.reason is Reason.BAD_PREFIX
    assert fragment in decision.message
    assert decision.colour is None
    assert decision.subject is None


def _cose(kit: Kit) -> bytes:
    return decode_token(kit.hangzhou.token())


@pytest.mark.parametrize(
    ("mangle", "fragment"),
    [
        (lambda t: t[:-1] + "a", "not in the base45 alphabet"),
        (lambda t: t + "\n", "not in the base45 alphabet"),
        (lambda t: t + "A" * ((1 - (len(t) - 4)) % 3 or 3), "dangling"),
        (lambda t: t[:-3] + ":::", "exceeds 65535"),
        (lambda t: t + "ÄÖ", "non-ASCII"),
        (lambda t: t + "A" * 1100, "at most 1024"),
    ],
)
def test_broken_base45_is_bad_encoding(
    kit: Kit, green_here: Acceptance, mangle: object, fragment: str
) -> None:
    """Text that is not canonical base45 is refused as bad_encoding with the fault named."""
    token = mangle(kit.hangzhou.token())  # type: ignore[operator]
    decision = check(token, kit.store(), green_here)
    assert (decision.outcome, decision.reason) == (Outcome.INVALID, Reason.BAD_ENCODING)
    assert fragment in decision.message


@pytest.mark.parametrize(
    ("mangle", "fragment"),
    [
        (lambda c: c[:-1], "truncated in the signature"),
        (lambda c: c[:20], "truncated in the payload"),
        (lambda c: c + b"\x00", "trailing byte"),
        (lambda c: c[1:], "expected CBOR tag 18"),
        (lambda c: b"\xd2\x83" + c[2:], "array of four items"),
        (lambda c: b"\xd2\x84\x58\x0d" + c[3:], "not in shortest form"),
        (lambda c: b"\xd2\x84\x5f" + c[3:], "definite length"),
        (lambda c: b"\xd2\x84\x6d" + c[3:], "protected header must be a byte string"),
        (lambda c: c[:16] + b"\xa1\x04\x40" + c[17:], "unprotected header must be an empty map"),
        (lambda c: b"\xd2\x84\x4d\xa2\x01\x26" + c[6:], "unsupported algorithm -7"),
        (lambda c: b"\xd2\x84\x4d\x8c" + bytes(12) + c[16:], "not a CBOR map"),
        (lambda c: b"", "expected CBOR tag 18"),
    ],
)
def test_broken_cose_is_bad_encoding(
    kit: Kit, green_here: Acceptance, mangle: object, fragment: str
) -> None:
    """A COSE_Sign1 envelope that is not the one accepted form is refused as bad_encoding."""
    token = encode_token(mangle(_cose(kit)))  # type: ignore[operator]
    decision = check(token, kit.store(), green_here)
    assert (decision.outcome, decision.reason) == (Outcome.INVALID, Reason.BAD_ENCODING)
    assert fragment in decision.message, decision.message


def test_short_signature_is_bad_encoding(kit: Kit, green_here: Acceptance) -> None:
    """A signature that is not 64 bytes is refused before any key is consulted."""
    cose = _cose(kit)
    token = encode_token(cose[:-66] + b"\x58\x3f" + cose[-63:])
    decision = check(token, kit.store(), green_here)
    assert decision.reason is Reason.BAD_ENCODING
    assert "64 bytes, not 63" in decision.message


def test_untagged_cose_is_bad_encoding(kit: Kit, green_here: Acceptance) -> None:
    """A correctly signed COSE_Sign1 without tag 18 is not the accepted form."""
    key = kit.hangzhou.key
    protected = protected_header(kid_of(key.public_key()))
    token = craft(
        protected=protected, payload=encode_claims(kit.hangzhou.claims()), key=key, tagged=False
    )
    assert check(token, kit.store(), green_here).reason is Reason.BAD_ENCODING


def test_signed_but_malformed_claims_are_bad_encoding(kit: Kit, green_here: Acceptance) -> None:
    """Claims that are signed by a trusted key but break the claim rules are refused."""
    key = kit.hangzhou.key
    protected = protected_header(kid_of(key.public_key()))
    good = cbor2.loads(encode_claims(kit.hangzhou.claims()))
    colour, name, subject = good[-65537]
    cases = {
        "missing claim(s) [-65537]": {k: v for k, v in good.items() if k != -65537},
        "unexpected claim(s)": {**good, 7: b"cti"},
        "unexpected claim(s) ['-1']": {**good, -1: 3},  # the HZ1: colour key
        "must be an array [colour, masked name, subject]": {**good, -65537: [colour, name]},
        "(colour) must be 1, 2 or 3": {**good, -65537: [4, name, subject]},
        "(masked name) must be a text string": {**good, -65537: [colour, b"x", subject]},
        "claim 4 must be an unsigned 32-bit time": {**good, 4: True},
        "claim 1 must be a text string": {**good, 1: 330100},
        "(subject) in text must not be lowercase hex": {**good, -65537: [colour, name, "c0ffee"]},
        "(subject) must be text or 1 to 32 bytes": {**good, -65537: [colour, name, bytes(33)]},
        "issuer: must be a GB/T 2260": {**good, 1: "ABCDEF"},
        "expires_at: must be after issued_at": {**good, 4: good[6]},
        "masked_name: must be at most 32 characters": {
            **good,
            -65537: [colour, "x" * 33, subject],
        },
        "not a CBOR map": [1, 2],
    }
    for fragment, claims in cases.items():
        payload = cbor2.dumps(claims, canonical=True)
        token = craft(protected=protected, payload=payload, key=key)
        decision = check(token, kit.store(), green_here)
        assert decision.reason is Reason.BAD_ENCODING, fragment
        assert fragment in decision.message, decision.message
        assert decision.colour is None


def test_key_no_one_lists_is_unknown_kid(kit: Kit, green_here: Acceptance) -> None:
    """A code signed by a key in no held trust list is refused as unknown_kid."""
    token = kit.hangzhou.token(key=kit.stranger)
    decision = check(token, kit.store(), green_here)
    assert (decision.outcome, decision.reason) == (Outcome.INVALID, Reason.UNKNOWN_KID)
    assert kid_of(kit.stranger.public_key()).hex() in decision.message


def test_jurisdiction_without_trust_list_is_unknown_kid(kit: Kit, green_here: Acceptance) -> None:
    """A Beijing code at a checkpoint holding no Beijing trust list: its kid is unknown."""
    store = kit.store(kit.hangzhou, kit.shanghai)
    decision = check(kit.beijing.token(), store, green_here)
    assert decision.reason is Reason.UNKNOWN_KID
    assert not decision.passed


def test_flipped_signature_is_bad_signature(kit: Kit, green_here: Acceptance) -> None:
    """One changed signature bit makes the code bad_signature."""
    cose = bytearray(_cose(kit))
    cose[-1] ^= 0x01
    decision = check(encode_token(bytes(cose)), kit.store(), green_here)
    assert (decision.outcome, decision.reason) == (Outcome.INVALID, Reason.BAD_SIGNATURE)
    assert decision.colour is None


def test_kid_of_one_trusted_key_signed_by_another_is_bad_signature(
    kit: Kit, green_here: Acceptance
) -> None:
    """A kid naming one trusted key on a code signed by another is a bad signature."""
    # Only the named key is tried: falling back to other keys would let a code lie about which key,
    # and so which validity period and jurisdiction, vouches for it.
    named = kit.hangzhou.key
    signer = kit.hangzhou.old_key  # trusted too, in the same list
    token = craft(
        protected=protected_header(kid_of(named.public_key())),
        payload=encode_claims(kit.hangzhou.claims()),
        key=signer,
    )
    decision = check(token, kit.store(), green_here)
    assert (decision.outcome, decision.reason) == (Outcome.INVALID, Reason.BAD_SIGNATURE)
    assert kid_of(named.public_key()).hex() in decision.message


def test_key_of_one_city_claiming_another_is_wrong_issuer(kit: Kit, green_here: Acceptance) -> None:
    """Hangzhou's key signing a code that claims Shanghai as issuer is refused."""
    token = kit.hangzhou.token(issuer="310000")
    decision = check(token, kit.store(), green_here)
    assert (decision.outcome, decision.reason) == (Outcome.INVALID, Reason.WRONG_ISSUER)
    assert "310000" in decision.message
    assert "330100" in decision.message


@pytest.mark.parametrize(
    "issued_at",
    [T0 - timedelta(seconds=1), T0 + timedelta(days=30), T0 + timedelta(days=31)],
)
def test_code_issued_outside_key_period_is_key_not_valid(
    kit: Kit, green_here: Acceptance, issued_at: datetime
) -> None:
    """A code issued before the key's valid_from or from its valid_until on is refused."""
    token = kit.hangzhou.token(issued_at=issued_at)
    decision = check(token, kit.store(), green_here, at=issued_at + timedelta(minutes=1))
    assert (decision.outcome, decision.reason) == (Outcome.INVALID, Reason.KEY_NOT_VALID)


def test_code_issued_at_key_start_is_accepted(kit: Kit, green_here: Acceptance) -> None:
    """The key's validity period includes its first second."""
    token = kit.hangzhou.token(issued_at=T0)
    assert check(token, kit.store(), green_here, at=T0).passed


def test_issued_in_future_beyond_skew_is_not_yet_valid(kit: Kit, green_here: Acceptance) -> None:
    """A code issued after the checkpoint's clock by more than the skew is refused."""
    token = kit.hangzhou.token()
    skew = timedelta(seconds=30)
    decision = check(
        token, kit.store(), green_here, at=NOW - skew - timedelta(seconds=1), max_clock_skew=skew
    )
    assert (decision.outcome, decision.reason) == (Outcome.INVALID, Reason.NOT_YET_VALID)
    assert "31 s ahead" in decision.message


def test_issued_in_future_within_skew_passes(kit: Kit, green_here: Acceptance) -> None:
    """A checkpoint clock behind by no more than the skew still passes a fresh code."""
    token = kit.hangzhou.token()
    assert check(token, kit.store(), green_here, at=NOW - DEFAULT_CLOCK_SKEW).passed


def test_expired_code_is_expired(kit: Kit, green_here: Acceptance) -> None:
    """A code scanned at expiry plus the skew is refused as expired, with its claims shown."""
    token = kit.hangzhou.token()
    at = NOW + LIFETIME + DEFAULT_CLOCK_SKEW
    decision = check(token, kit.store(), green_here, at=at)
    assert (decision.outcome, decision.reason) == (Outcome.INVALID, Reason.EXPIRED)
    assert decision.masked_name == "张*三"
    assert "60 s ago" in decision.message


def test_code_within_skew_after_expiry_passes(kit: Kit, green_here: Acceptance) -> None:
    """A checkpoint clock ahead by less than the skew still passes a code about to expire."""
    token = kit.hangzhou.token()
    at = NOW + LIFETIME + DEFAULT_CLOCK_SKEW - timedelta(seconds=1)
    assert check(token, kit.store(), green_here, at=at).passed


def test_trusted_list_but_unaccepted_issuer_is_issuer_not_trusted(kit: Kit) -> None:
    """An authentic Beijing code at a checkpoint that accepts only Hangzhou is not let through."""
    decision = check(kit.beijing.token(), kit.store(), Acceptance.green_only({"330100"}))
    assert (decision.outcome, decision.reason) == (Outcome.INVALID, Reason.ISSUER_NOT_TRUSTED)
    assert not decision.passed
    assert decision.issuer == "110000"


def test_yellow_code_stops_at_green_only_checkpoint(kit: Kit, green_here: Acceptance) -> None:
    """A valid yellow code at a green-only checkpoint is a stop, not an invalid code."""
    decision = check(kit.hangzhou.token(colour=Colour.YELLOW), kit.store(), green_here)
    assert (decision.outcome, decision.reason) == (Outcome.STOP, Reason.COLOUR_NOT_ACCEPTED)
    assert not decision.passed
    assert decision.colour is Colour.YELLOW
    assert decision.message == "yellow code: only green pass here"


def test_hospital_passes_yellow_but_stops_red(kit: Kit) -> None:
    """A checkpoint accepting green and yellow passes yellow codes and stops red ones."""
    hospital = Acceptance.green_and_yellow({"330100"})
    store = kit.store()
    assert check(kit.hangzhou.token(colour=Colour.YELLOW), store, hospital).passed
    red = check(kit.hangzhou.token(colour=Colour.RED), store, hospital)
    assert (red.outcome, red.reason) == (Outcome.STOP, Reason.COLOUR_NOT_ACCEPTED)


def test_stale_trust_list_gives_degraded_decision(kit: Kit, green_here: Acceptance) -> None:
    """Past the allowed trust-list age the checkpoint still decides, but says it is degraded."""
    token = kit.hangzhou.token()
    stale = check(token, kit.store(), green_here, max_trust_list_age=timedelta(minutes=30))
    fresh = check(token, kit.store(), green_here, max_trust_list_age=timedelta(hours=2))
    assert stale.passed
    assert stale.degraded
    assert "offline" in stale.message
    assert fresh.passed
    assert not fresh.degraded


def test_naive_time_is_a_programming_error(kit: Kit, green_here: Acceptance) -> None:
    """Verifying at a naive datetime raises rather than guessing a timezone."""
    with pytest.raises(ValueError, match="timezone-aware"):
        check(kit.hangzhou.token(), kit.store(), green_here, at=datetime(2026, 3, 1, 2, 1))


def test_non_text_input_is_bad_encoding(kit: Kit, green_here: Acceptance) -> None:
    """Bytes handed in instead of text become an invalid decision, not an exception."""
    token = kit.hangzhou.token().encode()
    decision = check(token, kit.store(), green_here)  # type: ignore[arg-type]
    assert decision.reason is Reason.BAD_ENCODING


def test_scan_time_in_other_timezone_is_the_same_instant(kit: Kit, green_here: Acceptance) -> None:
    """The scan time may carry any offset; only the instant matters."""
    china = SCAN.astimezone(timezone(timedelta(hours=8)))
    assert check(kit.hangzhou.token(), kit.store(), green_here, at=china).passed


def test_acceptance_refuses_unknown_issuer_codes_and_colours() -> None:
    """An acceptance policy names issuers by GB/T 2260 code and colours by name."""
    with pytest.raises(InvalidInput, match="issuers"):
        Acceptance.green_only({"Hangzhou"})
    with pytest.raises(InvalidInput, match="colours"):
        Acceptance(frozenset({"330100"}), frozenset({"blue"}))  # type: ignore[arg-type]


def test_hex_subject_comes_back_as_text(kit: Kit, green_here: Acceptance) -> None:
    """A code for a hex subject id (sent as bytes) verifies and reports the same id."""
    subject = "9f86d081884c7d659a2feaa0c55ad015"
    decision = check(kit.hangzhou.token(subject=subject), kit.store(), green_here)
    assert decision.passed
    assert decision.subject == subject
