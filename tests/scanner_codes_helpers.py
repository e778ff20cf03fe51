"""The conformance set of the scanner's verifier tests: three cities with deterministic root
and signing keys, their trust lists, and a page of the app in Chromium to run verify.js in."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from playwright.sync_api import Browser, Page

from browser_helpers import Guard, ServedApp, new_phone
from healthcode.credentials import TrustedKey, build_trust_list, sign_trust_list
from healthcode.credentials.trustlist import SignedTrustList

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


def b64(raw: bytes) -> str:
    """Unpadded base64url."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.fixture
def served_page(browser: Browser, served: ServedApp, guard: Guard) -> Iterator[Page]:
    """A page of the app in Chromium (the verifier reads nothing from the server)."""
    phone = new_phone(browser, served, "en", guard)
    yield phone.open("/static/vendor/README.md")
    phone.context.close()
    assert guard.outside == [] and guard.errors == []
