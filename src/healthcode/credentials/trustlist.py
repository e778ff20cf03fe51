"""Trust lists: a jurisdiction's code-signing keys, signed by its long-lived root key.

What is signed: the deterministic CBOR (RFC 8949 §4.2; arrays, integers, text and byte strings
only, so the encoding has one form) of

    ["healthcode trust list v3", jurisdiction, sequence, issued_at, root_kid, max_code_lifetime,
     expires_at, [[kid, public_key, valid_from, valid_until], ...], next_root]

with times as integer epoch seconds (UTC), `kid` and `root_kid` 8 bytes, `public_key` the raw
32 bytes, `max_code_lifetime` the longest `exp - iat` (seconds) the jurisdiction signs: a
verifier refuses a code that claims to live longer; `expires_at` the moment the list itself
stops being trusted (a verifier refuses an expired list, and codes under it); `next_root` null
or the raw 32-byte public key of the root that will sign the jurisdiction's later lists (a root
rotation, announced under the current root). The context string keeps a root signature
from ever meaning anything else. Older lists still verify and are held: v2
(`"healthcode trust list v2"`) is the array without `expires_at` and `next_root` (it never
expires); v1 (`"healthcode trust list v1"`) also lacks `max_code_lifetime`, and codes under its
keys are checked for everything but their lifetime. The file
form (JSON with a detached signature over these bytes) is in `trustfile`; holding lists and
refusing stale ones is `truststore`.

A key's validity period is when it may *sign* ([valid_from, valid_until)); the key stays in the
list after `valid_until` until the last code it signed has expired.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Final

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from healthcode.credentials.claims import is_jurisdiction
from healthcode.credentials.cose import KID_BYTES, kid_of, public_key_bytes
from healthcode.kernel.errors import InvalidInput

SIGNING_CONTEXT: Final = "healthcode trust list v3"
SIGNING_CONTEXT_V2: Final = "healthcode trust list v2"
SIGNING_CONTEXT_V1: Final = "healthcode trust list v1"
_MAX_SEQUENCE: Final = 2**63 - 1
_MAX_LIFETIME_SECONDS: Final = 0xFFFF_FFFF  # a code's times are unsigned 32-bit seconds


@dataclass(frozen=True, slots=True)
class TrustedKey:
    """One code-signing key and the period in which it may sign ([valid_from, valid_until))."""

    public_key: bytes
    valid_from: datetime
    valid_until: datetime
    kid: bytes = field(init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.public_key, bytes) or len(self.public_key) != 32:
            raise InvalidInput.one("public_key", "must be the raw 32 bytes of an Ed25519 key")
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key)
        except ValueError:
            raise InvalidInput.one("public_key", "is not a valid Ed25519 public key") from None
        _set_time(self, "valid_from")
        _set_time(self, "valid_until")
        if self.valid_until <= self.valid_from:
            raise InvalidInput.one("valid_until", "must be after valid_from")
        object.__setattr__(self, "kid", kid_of(self.public_key))

    @classmethod
    def of(
        cls, public_key: Ed25519PublicKey, *, valid_from: datetime, valid_until: datetime
    ) -> TrustedKey:
        """A trusted-key entry for a public key object."""
        return cls(public_key_bytes(public_key), valid_from, valid_until)


@dataclass(frozen=True, slots=True)
class TrustList:
    """A jurisdiction's keys at one sequence number; `root_kid` names the root that signs it.

    `max_code_lifetime`: the longest a code of this jurisdiction lives (`exp - iat`), whole
    seconds; None only in a v1 list, published before the maximum was. `expires_at`: when the
    list stops being trusted (v3; None in v1 and v2, which never expire). `next_root`: the raw
    public key of the root announced to sign later lists (v3 only; None when none is).
    """

    jurisdiction: str
    sequence: int
    issued_at: datetime
    root_kid: bytes
    keys: tuple[TrustedKey, ...]
    max_code_lifetime: timedelta | None = None
    expires_at: datetime | None = None
    next_root: bytes | None = None

    def __post_init__(self) -> None:
        if not is_jurisdiction(self.jurisdiction):
            raise InvalidInput.one("jurisdiction", "must be a GB/T 2260 six-digit code")
        if type(self.sequence) is not int or not 0 <= self.sequence <= _MAX_SEQUENCE:
            raise InvalidInput.one("sequence", "must be a non-negative 63-bit integer")
        _set_time(self, "issued_at")
        if not isinstance(self.root_kid, bytes) or len(self.root_kid) != KID_BYTES:
            raise InvalidInput.one("root_kid", "must be 8 bytes")
        object.__setattr__(self, "keys", tuple(self.keys))
        kids = [key.kid for key in self.keys]
        if len(set(kids)) != len(kids):
            raise InvalidInput.one("keys", "must not list the same key twice")
        lifetime = self.max_code_lifetime
        if lifetime is not None and (
            not isinstance(lifetime, timedelta)
            or lifetime.microseconds
            or not 1 <= lifetime.total_seconds() <= _MAX_LIFETIME_SECONDS
        ):
            raise InvalidInput.one(
                "max_code_lifetime", "must be whole seconds, at least 1 and below 2^32"
            )
        self._check_v3()

    def _check_v3(self) -> None:
        if self.expires_at is None:
            if self.next_root is not None:
                raise InvalidInput.one("next_root", "is announced only in a list that expires (v3)")
            return
        if self.max_code_lifetime is None:
            raise InvalidInput.one("max_code_lifetime", "is required in a list that expires (v3)")
        _set_time(self, "expires_at")
        assert self.expires_at is not None  # noqa: S101 - set just above
        if self.expires_at <= self.issued_at:
            raise InvalidInput.one("expires_at", "must be after issued_at")
        if self.next_root is not None:
            if not isinstance(self.next_root, bytes) or len(self.next_root) != 32:
                raise InvalidInput.one("next_root", "must be the raw 32 bytes of an Ed25519 key")
            try:
                Ed25519PublicKey.from_public_bytes(self.next_root)
            except ValueError:
                raise InvalidInput.one("next_root", "is not a valid Ed25519 public key") from None
            if kid_of(self.next_root) == self.root_kid:
                raise InvalidInput.one("next_root", "must be another key than the list's root")

    @property
    def version(self) -> int:
        """The format version: 1 (no maximum lifetime), 2 (no expiry) or 3."""
        if self.max_code_lifetime is None:
            return 1
        return 2 if self.expires_at is None else 3

    @property
    def max_code_lifetime_seconds(self) -> int | None:
        """`max_code_lifetime` in whole seconds (None in a v1 list)."""
        lifetime = self.max_code_lifetime
        return None if lifetime is None else int(lifetime.total_seconds())

    def to_be_signed(self) -> bytes:
        """The deterministic CBOR bytes the root key signs (v1 or v2 bytes for such a list)."""
        keys = [
            [k.kid, k.public_key, epoch_seconds(k.valid_from), epoch_seconds(k.valid_until)]
            for k in self.keys
        ]
        head = [self.jurisdiction, self.sequence, epoch_seconds(self.issued_at), self.root_kid]
        lifetime = self.max_code_lifetime_seconds
        if lifetime is None:
            return cbor2.dumps([SIGNING_CONTEXT_V1, *head, keys], canonical=True)
        if self.expires_at is None:
            return cbor2.dumps([SIGNING_CONTEXT_V2, *head, lifetime, keys], canonical=True)
        expires = epoch_seconds(self.expires_at)
        return cbor2.dumps(
            [SIGNING_CONTEXT, *head, lifetime, expires, keys, self.next_root], canonical=True
        )


def build_trust_list(  # noqa: PLR0913 - the fields of a list, by name
    *,
    jurisdiction: str,
    sequence: int,
    issued_at: datetime,
    keys: Iterable[TrustedKey],
    root_public_key: Ed25519PublicKey,
    max_code_lifetime: timedelta,
    expires_at: datetime | None = None,
    next_root: Ed25519PublicKey | None = None,
) -> TrustList:
    """A trust list naming `root_public_key` as its root, publishing `max_code_lifetime`; with
    `expires_at` a v3 list (announcing `next_root` if given), else a v2 list."""
    return TrustList(
        jurisdiction,
        sequence,
        issued_at,
        kid_of(root_public_key),
        tuple(keys),
        max_code_lifetime,
        expires_at,
        None if next_root is None else public_key_bytes(next_root),
    )


@dataclass(frozen=True, slots=True)
class SignedTrustList:
    """A trust list with its detached root signature (64 bytes)."""

    trust_list: TrustList
    signature: bytes

    def signed_by(self, root_public_key: Ed25519PublicKey) -> bool:
        """True when the signature verifies under `root_public_key` and the list names it."""
        if self.trust_list.root_kid != kid_of(root_public_key):
            return False
        try:
            root_public_key.verify(self.signature, self.trust_list.to_be_signed())
        except InvalidSignature:
            return False
        return True


def sign_trust_list(
    trust_list: TrustList, *, root_private_key: Ed25519PrivateKey
) -> SignedTrustList:
    """Sign `trust_list` with its root key (which must be the root the list names)."""
    if trust_list.root_kid != kid_of(root_private_key.public_key()):
        raise InvalidInput.one("root_kid", "does not name the key signing the list")
    return SignedTrustList(trust_list, root_private_key.sign(trust_list.to_be_signed()))


def epoch_seconds(value: datetime) -> int:
    """Whole seconds since the epoch of an aware datetime."""
    return int(value.timestamp())


def _set_time(obj: object, name: str) -> None:
    value = getattr(obj, name)
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise InvalidInput.one(name, "must be a timezone-aware datetime")
    if value.microsecond:
        raise InvalidInput.one(name, "must be whole seconds")
    object.__setattr__(obj, name, value.astimezone(UTC))
