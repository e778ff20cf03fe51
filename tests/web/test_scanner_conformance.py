"""The scanner's verifier (static/js/scanner/verify.js, run in Chromium) decides every code of
one set of valid and broken codes exactly as the Python verifier does: the same outcome,
reason, message and claims. And it checks a trust list's root signature (v1, v2, v3) and
refuses an expired, tampered or foreign list."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import base45
import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from playwright.sync_api import Browser, Page

from browser_helpers import Guard, ServedApp, new_phone
from healthcode.credentials import (
    CodeClaims,
    Colour,
    TrustedKey,
    TrustStore,
    build_trust_list,
    issue,
    sign_trust_list,
)
from healthcode.credentials.cose import kid_of, public_key_bytes, sign1
from healthcode.credentials.token import encode_token
from healthcode.credentials.trustfile import dump_trust_list
from healthcode.credentials.trustlist import SignedTrustList, TrustList
from healthcode.credentials.verify import Acceptance, verify

T0 = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=1)
LIFETIME = timedelta(minutes=5)
SCAN = NOW + timedelta(minutes=1, microseconds=250_000)
HZ, SH, BJ = "330100", "310000", "110000"


def key(seed: str) -> Ed25519PrivateKey:
    """A deterministic Ed25519 key."""
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(seed.encode()).digest())


ROOTS = {city: key(f"{city} root") for city in (HZ, SH, BJ)}
SIGNERS = {city: key(f"{city} signer") for city in (HZ, SH, BJ)}
OLD = key(f"{HZ} old signer")
STRANGER = key("stranger")


def signed_list(city: str, *, lifetime: timedelta | None = LIFETIME) -> SignedTrustList:
    """The city's list: its signer from T0 (and Hangzhou's old signer until T0)."""
    keys = [
        TrustedKey.of(
            SIGNERS[city].public_key(), valid_from=T0, valid_until=T0 + timedelta(days=30)
        )
    ]
    if city == HZ:
        keys.append(
            TrustedKey.of(OLD.public_key(), valid_from=T0 - timedelta(days=30), valid_until=T0)
        )
    tl = build_trust_list(
        jurisdiction=city,
        sequence=3,
        issued_at=T0,
        keys=keys,
        root_public_key=ROOTS[city].public_key(),
        max_code_lifetime=lifetime,
    )
    return sign_trust_list(tl, root_private_key=ROOTS[city])


# Shanghai publishes a v1 list (no maximum lifetime): its long-lived codes are not refused
LISTS = {HZ: signed_list(HZ), SH: signed_list(SH, lifetime=None), BJ: signed_list(BJ)}


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
  const unb64 = (t) => Uint8Array.from(atob(t.replace(/-/g, '+').replace(/_/g, '/') +
    '='.repeat((4 - t.length % 4) % 4)), (c) => c.charCodeAt(0));
  const rootKeys = Object.fromEntries(Object.entries(roots).map(([j, k]) => [j, unb64(k)]));
  const out = [];
  for (const [token, acceptance, at] of cases) {
    const store = new v.TrustStore(rootKeys);
    for (const text of lists) await v.acceptTrustList(store, text, at);
    out.push(await v.verifyCode(token, {store, at, acceptance}));
  }
  return out;
}"""


@pytest.fixture
def served_page(browser: Browser, served: ServedApp, guard: Guard) -> Iterator[Page]:
    """A page of the app in Chromium (the verifier reads nothing from the server)."""
    phone = new_phone(browser, served, "en", guard)
    yield phone.open("/static/vendor/README.md")
    phone.context.close()
    assert guard.outside == [] and guard.errors == []


def _b64(raw: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_every_code_decided_as_python_does(served_page: Page) -> None:
    """Each code of the set, under three acceptance policies and at two moments, gets from
    verify.js the outcome, reason, message and claims the Python verifier gives."""
    all_codes = codes()
    cases: list[tuple[str, str, datetime]] = []
    for name in all_codes:
        for policy in ACCEPTANCES:
            cases.append((name, policy, SCAN))
        cases.append((name, "green only", NOW + LIFETIME + timedelta(seconds=60)))
    lists = [dump_trust_list(s) for s in LISTS.values()]
    roots = {c: _b64(public_key_bytes(r.public_key())) for c, r in ROOTS.items()}
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


LIST_RUN = """async ([texts, root, at]) => {
  const v = await import('/static/js/scanner/verify.js');
  const unb64 = (t) => Uint8Array.from(atob(t.replace(/-/g, '+').replace(/_/g, '/') +
    '='.repeat((4 - t.length % 4) % 4)), (c) => c.charCodeAt(0));
  const out = [];
  for (const text of texts) {
    const store = new v.TrustStore({'330100': unb64(root)});
    try { const l = await v.acceptTrustList(store, text, at); out.push('held ' + l.sequence); }
    catch (e) { out.push(e.message); }
  }
  return out;
}"""


def _v3_text(*, expires_at: datetime, next_root: bytes | None, tamper: bool = False) -> str:
    """A v3 trust-list file for Hangzhou, signed by its root over the v3 bytes."""
    signer = SIGNERS[HZ].public_key()
    entry: list[Any] = [
        kid_of(signer),
        public_key_bytes(signer),
        int(T0.timestamp()),
        int(T0.timestamp()) + 30 * 86400,
    ]
    root = ROOTS[HZ]
    tbs = cbor2.dumps(
        [
            "healthcode trust list v3",
            HZ,
            5,
            int(T0.timestamp()),
            kid_of(root.public_key()),
            300,
            int(expires_at.timestamp()),
            [entry],
            next_root,
        ],
        canonical=True,
    )
    document: dict[str, Any] = {
        "format": "healthcode-trust-list/3",
        "jurisdiction": HZ,
        "sequence": 6 if tamper else 5,
        "issued_at": T0.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "root_kid": kid_of(root.public_key()).hex(),
        "max_code_lifetime": 300,
        "expires_at": expires_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "keys": [
            {
                "kid": entry[0].hex(),
                "public_key": _b64(entry[1]),
                "valid_from": T0.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "valid_until": (T0 + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        ],
        "signature": _b64(root.sign(tbs)),
    }
    if next_root is not None:
        document["next_root_public_key"] = _b64(next_root)
    return json.dumps(document)


def test_trust_lists_checked_against_the_pinned_root(served_page: Page) -> None:
    """v1, v2 and v3 lists signed by the pinned root are held; a changed list, one signed by
    another root, and an expired v3 list are refused."""
    v2 = dump_trust_list(LISTS[HZ])
    v1_tl = LISTS[HZ].trust_list
    v1 = dump_trust_list(
        sign_trust_list(
            TrustList(v1_tl.jurisdiction, 4, v1_tl.issued_at, v1_tl.root_kid, v1_tl.keys),
            root_private_key=ROOTS[HZ],
        )
    )
    changed = v2.replace('"sequence": 3', '"sequence": 9')
    foreign = dump_trust_list(signed_list(BJ)).replace(BJ, HZ)
    next_root = public_key_bytes(key("next root").public_key())
    texts = [
        v2,
        v1,
        _v3_text(expires_at=NOW + timedelta(days=7), next_root=None),
        _v3_text(expires_at=NOW + timedelta(days=7), next_root=next_root),
        changed,
        foreign,
        _v3_text(expires_at=NOW - timedelta(seconds=1), next_root=None),
        _v3_text(expires_at=NOW + timedelta(days=7), next_root=None, tamper=True),
    ]
    root = _b64(public_key_bytes(ROOTS[HZ].public_key()))
    got = served_page.evaluate(LIST_RUN, [texts, root, NOW.timestamp()])
    assert got[:4] == ["held 3", "held 4", "held 5", "held 5"]
    assert "signature" in got[4]
    assert "root_kid" in got[5] or "signature" in got[5]
    assert "expired" in got[6]
    assert "signature" in got[7]
