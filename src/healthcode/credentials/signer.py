"""Issuing side: Ed25519 keys and turning claims into a signed token."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
)

from healthcode.credentials.claims import CodeClaims, encode_claims
from healthcode.credentials.cose import kid_of, public_key_bytes, sign1
from healthcode.credentials.token import encode_token

__all__ = [
    "generate_private_key",
    "issue",
    "kid_of",
    "load_private_key",
    "load_public_key",
    "private_key_bytes",
    "public_key_bytes",
]


def generate_private_key() -> Ed25519PrivateKey:
    """A fresh Ed25519 signing key."""
    return Ed25519PrivateKey.generate()


def private_key_bytes(private_key: Ed25519PrivateKey) -> bytes:
    """The raw 32-byte seed of a signing key (keep it secret; the keystore encrypts it)."""
    return private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def load_private_key(raw: bytes) -> Ed25519PrivateKey:
    """A signing key from its raw 32-byte seed."""
    return Ed25519PrivateKey.from_private_bytes(raw)


def load_public_key(raw: bytes) -> Ed25519PublicKey:
    """A public key from its raw 32 bytes."""
    return Ed25519PublicKey.from_public_bytes(raw)


def issue(claims: CodeClaims, *, private_key: Ed25519PrivateKey) -> str:
    """Sign `claims` under `private_key` and return the token text (`HZ2:…`)."""
    return encode_token(sign1(encode_claims(claims), private_key=private_key))
