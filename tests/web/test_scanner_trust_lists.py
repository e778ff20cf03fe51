"""The scanner's trust-list check (static/js/scanner/trustlist.js in Chromium): a list is held
only when its root signature verifies under the pinned root over the rebuilt v1, v2 or v3
bytes; a changed, foreign or expired list is refused."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import cbor2
from playwright.sync_api import Page

from healthcode.credentials import sign_trust_list
from healthcode.credentials.cose import kid_of, public_key_bytes
from healthcode.credentials.trustfile import dump_trust_list
from healthcode.credentials.trustlist import TrustList
from scanner_codes_helpers import BJ, HZ, LISTS, NOW, ROOTS, SIGNERS, T0, key, signed_list
from scanner_codes_helpers import b64 as _b64
from scanner_codes_helpers import served_page as served_page

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
    """Lists signed by the pinned root (v1-v3) are held; changed, foreign, expired are not."""
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


KEPT_RUN = """async ([text, root, at, token]) => {
  const v = await import('/static/js/scanner/verify.js');
  const unb64 = (t) => Uint8Array.from(atob(t.replace(/-/g, '+').replace(/_/g, '/') +
    '='.repeat((4 - t.length % 4) % 4)), (c) => c.charCodeAt(0));
  const store = new v.TrustStore({'330100': unb64(root)});
  await store.accept(await v.parseTrustList(text), at, {kept: true});
  const d = await v.verifyCode(token, {store, at, acceptance: {issuers: ['330100'],
    colours: ['green']}});
  return [d.outcome, d.reason, d.message];
}"""


def test_a_kept_list_that_expired_refuses_its_codes(served_page: Page) -> None:
    """A v3 list held from before that has since expired: its codes are trust_list_expired."""
    from healthcode.credentials import CodeClaims, Colour, issue

    expires = NOW - timedelta(minutes=5)
    text = _v3_text(expires_at=expires, next_root=None)
    claims = CodeClaims(
        issuer=HZ,
        subject="q3F0bT9xL2Vd8sK1mN4pZw",
        issued_at=NOW - timedelta(minutes=1),
        expires_at=NOW + timedelta(minutes=4),
        colour=Colour.GREEN,
        masked_name="张*三",
    )
    token = issue(claims, private_key=SIGNERS[HZ])
    root = _b64(public_key_bytes(ROOTS[HZ].public_key()))
    got = served_page.evaluate(KEPT_RUN, [text, root, NOW.timestamp(), token])
    assert got == [
        "invalid",
        "trust_list_expired",
        f"the trust list of {HZ} expired {expires:%Y-%m-%d %H:%M:%SZ}",
    ]
