"""Audit anchors: the access log's chain head, signed by the jurisdiction's root key, so that
copies kept outside the database prove how far the log once reached.

What is signed: the deterministic CBOR (RFC 8949 §4.2) of

    ["healthcode audit anchor v1", jurisdiction, seq, head, issued_at, root_kid]

with `seq` the number of the last record (0: the empty log), `head` the raw 32 bytes of that
record's MAC (64 zero hex digits for the empty log), `issued_at` integer epoch seconds (UTC)
and `root_kid` 8 bytes. The context string differs from the trust list's, so a root signature
on one never means the other. The file form is JSON with a detached signature:

    {"format": "healthcode-audit-anchor/1", "jurisdiction": "330100", "seq": 57,
     "head": "<64 lowercase hex digits>", "issued_at": "2024-03-01T00:00:00Z",
     "root_kid": "<16 lowercase hex digits>", "signature": "<base64url, 64 bytes>"}

Parsing is strict like the trust list's (unknown or repeated fields, padded base64, uppercase
hex, a time not in the exact `…Z` form are refused with the field named).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from healthcode.credentials.claims import is_jurisdiction
from healthcode.credentials.cose import KID_BYTES, kid_of
from healthcode.credentials.trustfile import _b64, _Reader, _time_text
from healthcode.credentials.trustlist import epoch_seconds
from healthcode.kernel.errors import InvalidInput

ANCHOR_FORMAT: Final = "healthcode-audit-anchor/1"
ANCHOR_CONTEXT: Final = "healthcode audit anchor v1"
_FIELDS: Final = {"format", "jurisdiction", "seq", "head", "issued_at", "root_kid", "signature"}
_HEX: Final = frozenset("0123456789abcdef")
_MAX_SEQ: Final = 2**63 - 1


@dataclass(frozen=True, slots=True)
class AuditAnchor:
    """The access log of ``jurisdiction`` held record ``seq`` with MAC ``head`` at
    ``issued_at``; ``root_kid`` names the root key that signs this."""

    jurisdiction: str
    seq: int
    head: str
    issued_at: datetime
    root_kid: bytes

    def __post_init__(self) -> None:
        if not is_jurisdiction(self.jurisdiction):
            raise InvalidInput.one("jurisdiction", "must be a GB/T 2260 six-digit code")
        if type(self.seq) is not int or not 0 <= self.seq <= _MAX_SEQ:
            raise InvalidInput.one("seq", "must be a non-negative 63-bit integer")
        if len(self.head) != 64 or not set(self.head) <= _HEX:
            raise InvalidInput.one("head", "must be 64 lowercase hex digits")
        if self.issued_at.utcoffset() is None or self.issued_at.microsecond:
            raise InvalidInput.one("issued_at", "must be a timezone-aware time in whole seconds")
        object.__setattr__(self, "issued_at", self.issued_at.astimezone(UTC))
        if len(self.root_kid) != KID_BYTES:
            raise InvalidInput.one("root_kid", "must be 8 bytes")

    def to_be_signed(self) -> bytes:
        """The deterministic CBOR bytes the root key signs."""
        return cbor2.dumps(
            [
                ANCHOR_CONTEXT,
                self.jurisdiction,
                self.seq,
                bytes.fromhex(self.head),
                epoch_seconds(self.issued_at),
                self.root_kid,
            ],
            canonical=True,
        )


@dataclass(frozen=True, slots=True)
class SignedAnchor:
    """An anchor with its detached root signature (64 bytes)."""

    anchor: AuditAnchor
    signature: bytes

    def signed_by(self, root_public_key: Ed25519PublicKey) -> bool:
        """True when the anchor names `root_public_key` and its signature verifies under it."""
        if self.anchor.root_kid != kid_of(root_public_key):
            return False
        try:
            root_public_key.verify(self.signature, self.anchor.to_be_signed())
        except InvalidSignature:
            return False
        return True


def sign_anchor(anchor: AuditAnchor, *, root_private_key: Ed25519PrivateKey) -> SignedAnchor:
    """Sign `anchor` with the root key it names."""
    if anchor.root_kid != kid_of(root_private_key.public_key()):
        raise InvalidInput.one("root_kid", "does not name the key signing the anchor")
    return SignedAnchor(anchor, root_private_key.sign(anchor.to_be_signed()))


def dump_anchor(signed: SignedAnchor) -> str:
    """The file form of a signed anchor (indented JSON)."""
    a = signed.anchor
    document = {
        "format": ANCHOR_FORMAT,
        "jurisdiction": a.jurisdiction,
        "seq": a.seq,
        "head": a.head,
        "issued_at": _time_text(a.issued_at),
        "root_kid": a.root_kid.hex(),
        "signature": _b64(signed.signature),
    }
    return json.dumps(document, indent=2) + "\n"


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise InvalidInput.one(f"anchor.{name}", "appears twice")
        result[name] = value
    return result


def load_anchor(text: str | bytes) -> SignedAnchor:
    """Parse the file form strictly (no signature check); raise `InvalidInput` if malformed."""
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicates)
    except (ValueError, RecursionError) as exc:
        raise InvalidInput.one("anchor", f"is not JSON ({exc.__class__.__name__})") from None
    top = _Reader("anchor", document)
    top.only(set(_FIELDS))
    if top.text("format") != ANCHOR_FORMAT:
        raise InvalidInput.one("anchor.format", f"must be {ANCHOR_FORMAT}")
    head = top.text("head")
    if len(head) != 64 or not set(head) <= _HEX:
        raise InvalidInput.one("anchor.head", "must be 64 lowercase hex digits")
    try:
        anchor = AuditAnchor(
            top.text("jurisdiction"),
            top.integer("seq"),
            head,
            top.time("issued_at"),
            top.hex8("root_kid"),
        )
    except InvalidInput as exc:
        raise InvalidInput.one(f"anchor.{exc.problems[0].field}", exc.problems[0].message) from None
    return SignedAnchor(anchor, top.base64("signature", 64))
