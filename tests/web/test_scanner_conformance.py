"""The scanner's verifier (static/js/scanner/verify.js, run in Chromium) decides every code of
one set of valid and broken codes exactly as the Python verifier does: the same outcome,
reason, message and claims."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import base45
import cbor2
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from playwright.sync_api import Page

from healthcode.checkpoint.acceptance import acceptance_for
from healthcode.credentials import (
    CodeClaims,
    Colour,
    TrustStore,
    issue,
)
from healthcode.credentials.cose import kid_of, public_key_bytes, sig_structure, sign1
from healthcode.credentials.token import encode_token
from healthcode.credentials.trustfile import dump_trust_list
from healthcode.credentials.verify import Acceptance, verify
from healthcode.policy.bundled import bundled_policy
from healthcode.web.routes.checkpoint import acceptance_answer
from scanner_codes_helpers import (
    BJ,
    HZ,
    LIFETIME,
    LISTS,
    NOW,
    OLD,
    ROOTS,
    SCAN,
    SH,
    SIGNERS,
    STRANGER,
    b64,
)
from scanner_codes_helpers import served_page as served_page


def claims(**overrides: Any) -> CodeClaims:
    """Green Hangzhou claims issued at NOW for five minutes."""
    values: dict[str, Any] = {
        "issuer": HZ,
        "subject": "q3F0bT9xL2Vd8sK1mN4pZw",
        "issued_at": NOW,
        "expires_at": NOW + LIFETIME,
        "colour": Colour.GREEN,
        "masked_name": "张*三",
    }
    values.update(overrides)
    return CodeClaims(**values)


def raw_token(payload: bytes, signer: Ed25519PrivateKey = SIGNERS[HZ]) -> str:
    """A code over hand-made claims bytes, properly signed."""
    return encode_token(sign1(payload, private_key=signer))


def with_cose(token: str, change: Any) -> str:
    """The token with its COSE bytes changed by ``change``."""
    cose = bytearray(base45.b45decode(token[4:]))
    change(cose)
    return "HZ2:" + str(base45.b45encode(bytes(cose)).decode("ascii"))


def _flip_last(cose: bytearray) -> None:
    cose[-1] ^= 0x01


def _flip_payload(cose: bytearray) -> None:
    cose[25] ^= 0x01


def codes() -> dict[str, str]:
    """Every code of the conformance set, by name."""
    hz = SIGNERS[HZ]
    iat, exp = int(NOW.timestamp()), int((NOW + LIFETIME).timestamp())
    fields = [1, "张*三", bytes.fromhex("00112233445566778899aabbccddeeff")]
    good = issue(claims(), private_key=hz)
    payload = cbor2.dumps({1: HZ, 4: exp, 6: iat, -65537: fields}, canonical=True)
    return {
        "green": good,
        "yellow": issue(claims(colour=Colour.YELLOW), private_key=hz),
        "red": issue(claims(colour=Colour.RED, subject="a1b2c3d4"), private_key=hz),
        "beijing green": issue(claims(issuer=BJ), private_key=SIGNERS[BJ]),
        "shanghai v1 long": issue(
            claims(issuer=SH, expires_at=NOW + timedelta(hours=9)), private_key=SIGNERS[SH]
        ),
        "hex subject bytes": raw_token(payload),
        "tampered signature": with_cose(good, _flip_last),
        "tampered payload": with_cose(good, _flip_payload),
        "unknown kid": issue(claims(), private_key=STRANGER),
        "expired": issue(
            claims(issued_at=NOW - timedelta(minutes=10), expires_at=NOW - timedelta(minutes=5)),
            private_key=hz,
        ),
        "expired within skew": issue(
            claims(issued_at=NOW - timedelta(minutes=4), expires_at=NOW + timedelta(seconds=30)),
            private_key=hz,
        ),
        "future beyond skew": issue(
            claims(issued_at=NOW + timedelta(minutes=3), expires_at=NOW + timedelta(minutes=8)),
            private_key=hz,
        ),
        "future within skew": issue(
            claims(
                issued_at=SCAN.replace(microsecond=0) + timedelta(seconds=30),
                expires_at=NOW + timedelta(minutes=8),
            ),
            private_key=hz,
        ),
        "lifetime too long": issue(
            claims(expires_at=NOW + LIFETIME + timedelta(seconds=1)), private_key=hz
        ),
        "wrong issuer": issue(claims(issuer=SH), private_key=hz),
        "key not valid": issue(claims(), private_key=OLD),
        "issuer not trusted": issue(claims(issuer=BJ), private_key=SIGNERS[BJ]),
        "prefix HC1": "HC1:" + good[4:],
        "prefix HZ1": "HZ1:" + good[4:],
        "no prefix": good[4:],
        "lowercase prefix": "hz2:" + good[4:],
        "base45 lowercase": good[:10] + good[10].lower() + good[11:],
        "base45 dangling": good + "A",
        "base45 group too big": good[:4] + ":::" + good[7:],
        "base45 final too big": "HZ2:" + good[4:-2] + "::" if len(good[4:]) % 3 == 2 else good,
        "base45 non-ascii": good + "é",
        "empty": "",
        "prefix only": "HZ2:",
        "not tagged": with_cose(good, lambda c: c.__setitem__(0, 0x84)),
        "trailing cose byte": "HZ2:"
        + base45.b45encode(base45.b45decode(good[4:]) + b"\x00").decode(),
        "claims duplicate key": raw_token(
            b"\xa5\x01\x66" + HZ.encode() + b"\x01\x66" + HZ.encode() + payload[9:]
        ),
        "claims unsorted": raw_token(_unsorted(HZ, iat, exp, fields)),
        "claims non-minimal int": raw_token(b"\xa4\x18\x01" + payload[1:]),
        "claims indefinite map": raw_token(b"\xbf" + payload[1:] + b"\xff"),
        "claims trailing byte": raw_token(payload + b"\x00"),
        "claims truncated": raw_token(payload[:-3]),
        "claims not a map": raw_token(cbor2.dumps([1, 2, 3])),
        "claims colour 4": raw_token(
            cbor2.dumps({1: HZ, 4: exp, 6: iat, -65537: [4, *fields[1:]]}, canonical=True)
        ),
        "claims hex text subject": raw_token(
            cbor2.dumps({1: HZ, 4: exp, 6: iat, -65537: [1, "张*三", "abcd"]}, canonical=True)
        ),
        "claims missing key": raw_token(
            cbor2.dumps({1: HZ, 4: exp, -65537: fields}, canonical=True)
        ),
        "claims extra key": raw_token(
            cbor2.dumps({1: HZ, 4: exp, 6: iat, 7: "x", -65537: fields}, canonical=True)
        ),
        "claims exp before iat": raw_token(
            cbor2.dumps({1: HZ, 4: iat, 6: exp, -65537: fields}, canonical=True)
        ),
        "claims bad issuer": raw_token(
            cbor2.dumps({1: "030100", 4: exp, 6: iat, -65537: fields}, canonical=True)
        ),
        "claims float time": raw_token(
            cbor2.dumps({1: HZ, 4: 1.5, 6: iat, -65537: fields}, canonical=True)
        ),
        "claims empty name": raw_token(
            cbor2.dumps({1: HZ, 4: exp, 6: iat, -65537: [1, "", fields[2]]}, canonical=True)
        ),
        **envelopes(payload),
    }


def envelopes(payload: bytes) -> dict[str, str]:
    """Codes whose COSE envelope or protected header breaks a rule (signed all the same)."""
    hz = SIGNERS[HZ]
    kid = kid_of(hz.public_key())

    def cose(protected: bytes, unprotected: Any = None, signature: bytes | None = None) -> str:
        tbs = sig_structure(protected, payload)
        body = [protected, {} if unprotected is None else unprotected, payload]
        body.append(hz.sign(tbs) if signature is None else signature)
        return encode_token(cbor2.dumps(cbor2.CBORTag(18, body)))

    return {
        "alg ES256": cose(cbor2.dumps({1: -7, 4: kid}, canonical=True)),
        "alg text": cose(cbor2.dumps({1: "EdDSA", 4: kid}, canonical=True)),
        "kid 7 bytes": cose(cbor2.dumps({1: -8, 4: kid[:7]}, canonical=True)),
        "kid 9 bytes": cose(cbor2.dumps({1: -8, 4: kid + b"x"}, canonical=True)),
        "extra header": cose(cbor2.dumps({1: -8, 4: kid, 3: 0}, canonical=True)),
        "header order": cose(b"\xa2\x04\x48" + kid + b"\x01\x27"),
        "header not a map": cose(cbor2.dumps([-8, kid])),
        "header not cbor": cose(b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"),
        "unprotected not empty": cose(cbor2.dumps({1: -8, 4: kid}, canonical=True), {4: kid}),
        "short signature": cose(cbor2.dumps({1: -8, 4: kid}, canonical=True), None, b"x" * 63),
        "untagged": encode_token(
            cbor2.dumps([cbor2.dumps({1: -8, 4: kid}, canonical=True), {}, payload, b"x" * 64])
        ),
        "prefix HZ3": "HZ3:" + encode_token(sign1(payload, private_key=hz))[4:],
    }


def _unsorted(iss: str, iat: int, exp: int, fields: list[Any]) -> bytes:
    """The claims map with its keys 4 and 1 swapped (every item itself canonical)."""
    parts = [
        cbor2.dumps(4) + cbor2.dumps(exp),
        cbor2.dumps(1) + cbor2.dumps(iss),
        cbor2.dumps(6) + cbor2.dumps(iat),
        cbor2.dumps(-65537) + cbor2.dumps(fields, canonical=True),
    ]
    return b"\xa4" + b"".join(parts)


ACCEPTANCES = {
    "green only": Acceptance(frozenset({HZ, SH}), frozenset({Colour.GREEN})),
    "green and yellow": Acceptance(frozenset({HZ, SH}), frozenset({Colour.GREEN, Colour.YELLOW})),
    "every colour": Acceptance(frozenset({HZ, SH}), frozenset(Colour)),
}


def python_decision(token: str, acceptance: Acceptance, at: datetime) -> dict[str, Any]:
    """The Python verifier's decision, as the JS module returns it."""
    store = TrustStore(roots={c: r.public_key() for c, r in ROOTS.items()})
    for signed in LISTS.values():
        store.accept(signed)
    d = verify(token, trust_lists=store, at=at, acceptance=acceptance)
    return {
        "outcome": d.outcome.value,
        "reason": d.reason.value,
        "message": d.message,
        "colour": None if d.colour is None else d.colour.value,
        "masked_name": d.masked_name,
        "issuer": d.issuer,
        "subject": d.subject,
        "issued_at": None if d.issued_at is None else int(d.issued_at.timestamp()),
        "expires_at": None if d.expires_at is None else int(d.expires_at.timestamp()),
        "kid": d.kid,
        "degraded": d.degraded,
    }


RUN = """async ([lists, roots, cases]) => {
  const v = await import('/static/js/scanner/verify.js');
  const acceptanceOf = (a) => (a.rules ? v.acceptanceFor(a.rules, a.own) : a);
  const unb64 = (t) => Uint8Array.from(atob(t.replace(/-/g, '+').replace(/_/g, '/') +
    '='.repeat((4 - t.length % 4) % 4)), (c) => c.charCodeAt(0));
  const rootKeys = Object.fromEntries(Object.entries(roots).map(([j, k]) => [j, unb64(k)]));
  const out = [];
  for (const [token, acceptance, at] of cases) {
    const store = new v.TrustStore(rootKeys);
    for (const text of lists) await v.acceptTrustList(store, text, at);
    out.push(await v.verifyCode(token, {store, at, acceptance: acceptanceOf(acceptance)}));
  }
  return out;
}"""


def test_every_code_decided_as_python_does(served_page: Page) -> None:
    """Every code, under three policies and two moments, decided by verify.js as by Python."""
    all_codes = codes()
    cases: list[tuple[str, str, datetime]] = []
    for name in all_codes:
        for policy in ACCEPTANCES:
            cases.append((name, policy, SCAN))
        cases.append((name, "green only", NOW + LIFETIME + timedelta(seconds=60)))
    lists = [dump_trust_list(s) for s in LISTS.values()]
    roots = {c: b64(public_key_bytes(r.public_key())) for c, r in ROOTS.items()}
    js_cases = [
        [
            all_codes[name],
            {
                "issuers": sorted(ACCEPTANCES[policy].issuers),
                "colours": sorted(c.value for c in ACCEPTANCES[policy].colours),
            },
            at.timestamp(),
        ]
        for name, policy, at in cases
    ]
    got = served_page.evaluate(RUN, [lists, roots, js_cases])
    reasons = set()
    for (name, policy, at), js in zip(cases, got, strict=True):
        expected = python_decision(all_codes[name], ACCEPTANCES[policy], at)
        assert js == expected, f"{name} ({policy}, {at:%H:%M:%S})"
        reasons.add(expected["reason"])
    assert reasons >= {
        "ok",
        "colour_not_accepted",
        "bad_prefix",
        "bad_encoding",
        "unknown_kid",
        "bad_signature",
        "wrong_issuer",
        "key_not_valid",
        "lifetime_too_long",
        "not_yet_valid",
        "expired",
        "issuer_not_trusted",
    }


def _beijing_checkpoint(kind: str) -> tuple[Acceptance, dict[str, Any]]:
    """Beijing's bundled policy at a venue of ``kind``: Python's acceptance, and what the
    scanner builds its own from (the enrolment answer's rules)."""
    policy = bundled_policy(BJ)
    trusted = {HZ, SH, BJ}
    python = acceptance_for(policy, kind=kind, own_colours={Colour.GREEN}, trusted=trusted)
    js = {
        "rules": acceptance_answer(policy, kind),
        "own": {"jurisdiction": BJ, "colours": ["green"], "trusted": sorted(trusted)},
    }
    return python, js


def test_foreign_codes_decided_by_the_acceptance_as_python_does(served_page: Page) -> None:
    """Foreign codes at a Beijing office and hospital: verify.js decides as acceptance.py."""
    all_codes = codes()
    names = ["green", "yellow", "red", "beijing green", "shanghai v1 long", "expired"]
    checkpoints = {kind: _beijing_checkpoint(kind) for kind in ("office", "hospital")}
    cases = [(name, kind) for name in names for kind in checkpoints]
    js_cases = [[all_codes[name], checkpoints[kind][1], SCAN.timestamp()] for name, kind in cases]
    lists = [dump_trust_list(s) for s in LISTS.values()]
    roots = {c: b64(public_key_bytes(r.public_key())) for c, r in ROOTS.items()}
    got = served_page.evaluate(RUN, [lists, roots, js_cases])
    for (name, kind), js in zip(cases, got, strict=True):
        assert js == python_decision(all_codes[name], checkpoints[kind][0], SCAN), (name, kind)
    decided = dict(zip(cases, got, strict=True))
    office, hospital = decided[("green", "office")], decided[("green", "hospital")]
    assert office["outcome"] == "pass"
    assert office["message"] == "green code of 330100: pass (acceptance rule visitors-green)"
    assert (hospital["outcome"], hospital["reason"]) == ("stop", "colour_not_accepted")
    assert hospital["message"] == (
        "green code of 330100: not admitted here (acceptance rule hospitals-own-codes-only)"
    )
    assert decided[("beijing green", "hospital")]["outcome"] == "pass"
