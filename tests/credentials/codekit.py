"""Test kit for signed codes: three cities with their keys, fixed times, hand-made tokens."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import cbor2
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from healthcode.credentials import (
    CodeClaims,
    Colour,
    SignedTrustList,
    TrustedKey,
    TrustStore,
    build_trust_list,
    issue,
    sign_trust_list,
)
from healthcode.credentials.cose import sig_structure
from healthcode.credentials.token import encode_token

T0 = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)  # the current key starts signing; 09:00 in China
NOW = T0 + timedelta(hours=1)  # when codes are issued in most tests
LIFETIME = timedelta(minutes=5)
SCAN = NOW + timedelta(minutes=1)  # when they are scanned


def seeded_key(seed: str) -> Ed25519PrivateKey:
    """A deterministic Ed25519 key, so failures reproduce."""
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(seed.encode()).digest())


@dataclass(frozen=True)
class City:
    """A jurisdiction: its root key, an old signing key (retired at T0) and the current one."""

    code: str
    root: Ed25519PrivateKey
    old_key: Ed25519PrivateKey
    key: Ed25519PrivateKey

    def entries(self) -> list[TrustedKey]:
        """Both signing keys: the old one signed until T0, the current one signs from T0."""
        return [
            TrustedKey.of(
                self.old_key.public_key(), valid_from=T0 - timedelta(days=30), valid_until=T0
            ),
            TrustedKey.of(
                self.key.public_key(), valid_from=T0, valid_until=T0 + timedelta(days=30)
            ),
        ]

    def trust_list(
        self,
        *,
        sequence: int = 1,
        keys: list[TrustedKey] | None = None,
        root: Ed25519PrivateKey | None = None,
        issued_at: datetime = T0,
        max_code_lifetime: timedelta = LIFETIME,
        expires_at: datetime | None = None,
        next_root: Ed25519PrivateKey | None = None,
    ) -> SignedTrustList:
        """This city's trust list, signed by its root (or by `root`, naming that root); a v3
        list when it `expires_at` (announcing `next_root`), else v2."""
        signer = root or self.root
        tl = build_trust_list(
            jurisdiction=self.code,
            sequence=sequence,
            issued_at=issued_at,
            keys=self.entries() if keys is None else keys,
            root_public_key=signer.public_key(),
            max_code_lifetime=max_code_lifetime,
            expires_at=expires_at,
            next_root=None if next_root is None else next_root.public_key(),
        )
        return sign_trust_list(tl, root_private_key=signer)

    def claims(self, **overrides: Any) -> CodeClaims:
        """Green claims issued by this city at NOW, living five minutes."""
        values: dict[str, Any] = {
            "issuer": self.code,
            "subject": "q3F0bT9xL2Vd8sK1mN4pZw",
            "issued_at": NOW,
            "expires_at": NOW + LIFETIME,
            "colour": Colour.GREEN,
            "masked_name": "张*三",
        }
        values.update(overrides)
        if "issued_at" in overrides and "expires_at" not in overrides:
            values["expires_at"] = values["issued_at"] + LIFETIME
        return CodeClaims(**values)

    def token(self, *, key: Ed25519PrivateKey | None = None, **overrides: Any) -> str:
        """A token of `claims(**overrides)` signed by `key` (default: the current key)."""
        return issue(self.claims(**overrides), private_key=key or self.key)


@dataclass(frozen=True)
class Kit:
    """Hangzhou, Shanghai and Beijing, plus a key no one trusts."""

    hangzhou: City
    shanghai: City
    beijing: City
    stranger: Ed25519PrivateKey

    @property
    def cities(self) -> tuple[City, City, City]:
        return (self.hangzhou, self.shanghai, self.beijing)

    def store(self, *cities: City) -> TrustStore:
        """A fresh store pinning all three roots and holding the lists of `cities` (default all)."""
        store = TrustStore(roots={c.code: c.root.public_key() for c in self.cities})
        for city in cities or self.cities:
            store.accept(city.trust_list())
        return store


def city(code: str) -> City:
    return City(
        code,
        seeded_key(f"{code} root"),
        seeded_key(f"{code} old signing key"),
        seeded_key(f"{code} signing key"),
    )


def craft(
    *,
    protected: bytes,
    payload: bytes,
    key: Ed25519PrivateKey,
    unprotected: Any = None,
    tagged: bool = True,
) -> str:
    """A token built by hand: sign `payload` under `protected` with `key`, encode as given."""
    signature = key.sign(sig_structure(protected, payload))
    body = [protected, {} if unprotected is None else unprotected, payload, signature]
    cose = cbor2.dumps(cbor2.CBORTag(18, body) if tagged else body)
    return encode_token(cose)
