"""Hostile input: mutated codes never verify, and nothing a scanner reads makes verify raise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import base45
import cbor2
import pytest
from codekit import SCAN, Kit, craft
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from healthcode.credentials import PREFIX, Acceptance, Colour, Outcome, Reason, TrustStore, verify
from healthcode.credentials.claims import encode_claims
from healthcode.credentials.cose import kid_of, parse_sign1, protected_header
from healthcode.credentials.token import decode_token, encode_token

INVALID_REASONS = frozenset(Reason) - {Reason.OK, Reason.COLOUR_NOT_ACCEPTED}
ACCEPT = Acceptance.green_and_yellow({"330100", "310000", "110000"})
MUTATION = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def store(kit: Kit) -> TrustStore:
    """All three cities' lists (read-only in these tests)."""
    return kit.store()


@pytest.fixture(scope="module")
def original(kit: Kit) -> str:
    """A valid green Hangzhou code, which passes."""
    return kit.hangzhou.token()


def judge(token: str, original: str, store: TrustStore) -> None:
    """The original passes; anything else is a clean invalid decision with a reason."""
    decision = verify(token, trust_lists=store, at=SCAN, acceptance=ACCEPT)
    if token == original:
        assert decision.passed
        return
    assert decision.outcome is Outcome.INVALID, (token, decision)
    assert decision.reason in INVALID_REASONS
    assert decision.message
    assert not decision.passed


def test_original_passes(original: str, store: TrustStore) -> None:
    """The unmutated code passes (so the properties below test something)."""
    judge(original, original, store)


@MUTATION
@given(flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 255)), min_size=1))
def test_flipped_bytes_never_verify(
    original: str, store: TrustStore, flips: list[tuple[int, int]]
) -> None:
    """XOR-ing any bytes of the COSE structure gives an invalid code."""
    cose = bytearray(decode_token(original))
    for position, mask in flips:
        cose[position % len(cose)] ^= mask
    judge(encode_token(bytes(cose)), original, store)


@MUTATION
@given(data=st.data())
def test_truncated_extended_or_spliced_bytes_never_verify(
    original: str, store: TrustStore, data: st.DataObject
) -> None:
    """Cutting, appending, inserting or replacing COSE bytes gives an invalid code."""
    cose = decode_token(original)
    cut = data.draw(st.integers(0, len(cose)), label="cut")
    end = data.draw(st.integers(cut, len(cose)), label="end")
    filler = data.draw(st.binary(max_size=40), label="filler")
    mutated = data.draw(
        st.sampled_from(
            [
                cose[:cut],
                cose + filler,
                cose[:cut] + filler + cose[cut:],
                cose[:cut] + filler + cose[end:],
            ]
        ),
        label="mutation",
    )
    judge(encode_token(mutated), original, store)


def _head(major: int, length: int, *, extra: int) -> bytes:
    """A CBOR head with a length encoded `extra` sizes longer than needed (0 = shortest)."""
    sizes = [(24, 0), (24, 1), (25, 2), (26, 4), (27, 8)]
    start = 0 if length < 24 else 1 if length < 0x100 else 2 if length < 0x10000 else 3
    info, width = sizes[min(start + extra, 4)]
    if width == 0:
        return bytes((major << 5 | length,))
    return bytes((major << 5 | info,)) + length.to_bytes(width, "big")


def _bstr(value: bytes, form: int) -> bytes:
    if form == 3:  # indefinite length, in two chunks
        half = len(value) // 2
        return b"\x5f" + _bstr(value[:half], 0) + _bstr(value[half:], 0) + b"\xff"
    return _head(2, len(value), extra=form) + value


@MUTATION
@given(
    tag=st.sampled_from([b"\xd2", b"", b"\xd8\x12", b"\xd9\x00\x12", b"\xd8\x3d\xd2"]),
    array=st.sampled_from(["short", "long", "indefinite"]),
    forms=st.tuples(*[st.integers(0, 3)] * 3),
    unprotected=st.sampled_from([{}, {4: b"\x00" * 8}, {1: -8}, {"x": 1}]),
    protected=st.sampled_from(["as signed", "reordered", "long alg", "with extra"]),
)
def test_re_encoded_structure_never_verifies(
    original: str,
    store: TrustStore,
    tag: bytes,
    array: str,
    forms: tuple[int, int, int],
    unprotected: dict[Any, Any],
    protected: str,
) -> None:
    """Re-encoding the same signed parts in any other valid CBOR form gives an invalid code."""
    message = parse_sign1(decode_token(original))
    kid = message.kid
    header = {
        "as signed": message.protected,
        "reordered": b"\xa2\x04\x48" + kid + b"\x01\x27",
        "long alg": b"\xa2\x01\x38\x07\x04\x48" + kid,
        "with extra": b"\xa3\x01\x27\x04\x48" + kid + b"\x03\x00",
    }[protected]
    items = [
        _bstr(header, forms[0]),
        cbor2.dumps(unprotected),
        _bstr(message.payload, forms[1]),
        _bstr(message.signature, forms[2]),
    ]
    if array == "indefinite":
        body = b"\x9f" + b"".join(items) + b"\xff"
    else:
        body = _head(4, 4, extra=0 if array == "short" else 1) + b"".join(items)
    judge(encode_token(tag + body), original, store)


claims_strategy = st.fixed_dictionaries(
    {
        "subject": st.one_of(
            st.text(
                alphabet=st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Zl", "Zp"]),
                min_size=1,
                max_size=30,
            ).filter(str.isprintable),
            st.binary(min_size=1, max_size=32).map(bytes.hex),
        ),
        "colour": st.sampled_from(list(Colour)),
        "masked_name": st.sampled_from(["张*三", "李*", "欧阳*娜", "W*g"]),
    }
)


@MUTATION
@given(ours=claims_strategy, theirs=claims_strategy, how=st.integers(0, 4))
def test_claims_swapped_and_resigned_under_wrong_key_never_verify(
    kit: Kit,
    original: str,
    store: TrustStore,
    ours: dict[str, Any],
    theirs: dict[str, Any],
    how: int,
) -> None:
    """Claims moved between codes, or re-signed by a key other than the one named, are refused."""
    hz, sh = kit.hangzhou, kit.shanghai
    mine, other = hz.claims(**ours), sh.claims(**theirs)
    hz_kid = protected_header(kid_of(hz.key.public_key()))
    expected: set[Reason]
    if how == 0:  # Shanghai's claims under Hangzhou's kid, signed by Shanghai's key
        token = craft(protected=hz_kid, payload=encode_claims(other), key=sh.key)
        expected = {Reason.BAD_SIGNATURE}
    elif how == 1:  # Hangzhou's claims, signed by a stranger under its own kid
        token = hz.token(key=kit.stranger, **ours)
        expected = {Reason.UNKNOWN_KID}
    elif how == 2:  # Hangzhou's claims, signed by Shanghai's key under its own kid
        token = hz.token(key=sh.key, **ours)
        expected = {Reason.WRONG_ISSUER}
    elif how == 3:  # Hangzhou's claims under Hangzhou's kid, signed by Hangzhou's root
        token = craft(protected=hz_kid, payload=encode_claims(mine), key=hz.root)
        expected = {Reason.BAD_SIGNATURE}
    else:  # the payload of one genuine code with the signature of another
        a = parse_sign1(decode_token(hz.token(**ours)))
        different = ("y" if ours["subject"].startswith("x") else "x") + ours["subject"][:63]
        b = parse_sign1(decode_token(hz.token(**{**ours, "subject": different})))
        token = encode_token(type(a)(a.protected, a.kid, b.payload, a.signature).encode())
        expected = {Reason.BAD_SIGNATURE}
    decision = verify(token, trust_lists=store, at=SCAN, acceptance=ACCEPT)
    assert decision.outcome is Outcome.INVALID
    assert decision.reason in expected


_TEXT_EDIT_ALPHABET = base45.BASE45_CHARSET + "abcz\n\r\t\x00é张"


@MUTATION
@given(
    edits=st.lists(
        st.tuples(
            st.sampled_from(["replace", "insert", "delete"]),
            st.integers(0, 10_000),
            st.sampled_from(_TEXT_EDIT_ALPHABET),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_changed_text_never_verifies(
    original: str, store: TrustStore, edits: list[tuple[str, int, str]]
) -> None:
    """Replacing, inserting or deleting characters anywhere in the token text is refused."""
    text = original
    for op, position, char in edits:
        i = position % (len(text) + 1)
        if op == "replace" and i < len(text):
            text = text[:i] + char + text[i + 1 :]
        elif op == "insert":
            text = text[:i] + char + text[i:]
        elif text:
            text = text[:i] + text[i + 1 :]
    judge(text, original, store)


@MUTATION
@given(text=st.one_of(st.text(), st.text().map(PREFIX.__add__)))
def test_arbitrary_text_is_a_clean_invalid_decision(
    original: str, store: TrustStore, text: str
) -> None:
    """Any text at all gives an invalid decision and never an exception."""
    judge(text, original, store)


@MUTATION
@given(raw=st.binary(max_size=300))
def test_arbitrary_bytes_under_prefix_are_invalid(
    original: str, store: TrustStore, raw: bytes
) -> None:
    """Random bytes, tagged or not, base45-encoded under the prefix, are refused cleanly."""
    judge(encode_token(raw), original, store)
    judge(encode_token(b"\xd2\x84" + raw), original, store)


cbor_values: st.SearchStrategy[Any] = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=False),
        st.binary(max_size=70),
        st.text(max_size=20),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(st.one_of(st.integers(-10, 10), st.text(max_size=3)), inner, max_size=5),
        st.builds(cbor2.CBORTag, st.sampled_from([0, 1, 2, 18, 24, 61, 258, 1001]), inner),
    ),
    max_leaves=12,
)


def _safe_dumps(value: Any) -> bytes | None:
    try:
        return cbor2.dumps(value)
    except (cbor2.CBOREncodeError, ValueError, TypeError):
        return None


@MUTATION
@given(value=cbor_values, protected=cbor_values, payload=cbor_values, kid_known=st.booleans())
def test_arbitrary_cbor_is_a_clean_invalid_decision(
    kit: Kit,
    original: str,
    store: TrustStore,
    value: Any,
    protected: Any,
    payload: Any,
    kid_known: bool,
) -> None:
    """Arbitrary CBOR, also shaped like a COSE_Sign1 with a known kid, is refused cleanly."""
    kid = kid_of(kit.hangzhou.key.public_key()) if kid_known else b"\x00" * 8
    shapes: list[Callable[[], Any]] = [
        lambda: cbor2.CBORTag(18, value),
        lambda: cbor2.CBORTag(18, [_safe_dumps(protected) or b"", {}, b"", b"\x00" * 64]),
        lambda: cbor2.CBORTag(
            18, [protected_header(kid), {}, _safe_dumps(payload) or b"", b"\x00" * 64]
        ),
    ]
    for shape in shapes:
        encoded = _safe_dumps(shape())
        if encoded is not None:
            judge(encode_token(encoded), original, store)


@MUTATION
@given(payload=cbor_values)
def test_hostile_claims_signed_by_trusted_key_are_clean_invalid(
    kit: Kit, original: str, store: TrustStore, payload: Any
) -> None:
    """Even arbitrary claims signed by a trusted key give a clean bad_encoding decision."""
    encoded = _safe_dumps(payload)
    if encoded is None:
        return
    key = kit.hangzhou.key
    token = craft(protected=protected_header(kid_of(key.public_key())), payload=encoded, key=key)
    decision = verify(token, trust_lists=store, at=SCAN, acceptance=ACCEPT)
    assert (decision.outcome, decision.reason) == (Outcome.INVALID, Reason.BAD_ENCODING)
