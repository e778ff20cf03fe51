"""Signed messages between peer cities (docs/federation.md#visitors-exposures).

    {"format": "healthcode-peer-message/1", "id": "<32 hex digits>", "kind": "visitor_exposure",
     "from": "110000", "to": "330100", "sent_at": "2026-12-06T10:00:00Z",
     "root_kid": "<16 hex digits: the sender's root>", "body": {...},
     "signature": "<base64url, 64 bytes>"}

The signature is Ed25519 by the sender's root key (the one the receiver pinned when it added the
sender as a peer) over the deterministic CBOR of ``["healthcode peer message v1", id, kind,
from, to, sent_at, root_kid, body]`` (``sent_at`` in epoch seconds, ``root_kid`` as bytes, the
body as its JSON values). A pure module: the sender signs, the receiver opens.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from healthcode.credentials.claims import is_jurisdiction
from healthcode.credentials.cose import kid_of
from healthcode.credentials.trustlist import epoch_seconds
from healthcode.kernel.errors import InvalidInput

MESSAGE_FORMAT: Final = "healthcode-peer-message/1"
SIGNING_CONTEXT: Final = "healthcode peer message v1"
MAX_AGE: Final = timedelta(hours=1)
"""A message is signed when it is sent (each retry anew): one older than this is a replay."""
MAX_BYTES: Final = 64_000
_FIELDS: Final = frozenset(
    {"format", "id", "kind", "from", "to", "sent_at", "root_kid", "body", "signature"}
)
_TIME_FORMAT: Final = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True, kw_only=True)
class PeerMessage:
    """A message from one city to another: its id (the receiver keeps each once), its kind and
    body, when it was signed and by which root."""

    id: str
    kind: str
    sender: str
    recipient: str
    sent_at: datetime
    root_kid: bytes
    body: Mapping[str, Any]

    def to_be_signed(self) -> bytes:
        return cbor2.dumps(
            [
                SIGNING_CONTEXT,
                self.id,
                self.kind,
                self.sender,
                self.recipient,
                epoch_seconds(self.sent_at),
                self.root_kid,
                dict(self.body),
            ],
            canonical=True,
        )


def sign_message(message: PeerMessage, *, root_private_key: Ed25519PrivateKey) -> str:
    """The message's JSON text, signed by the sender's root key."""
    if message.root_kid != kid_of(root_private_key.public_key()):
        raise InvalidInput.one("root_kid", "does not name the key signing the message")
    document = {
        "format": MESSAGE_FORMAT,
        "id": message.id,
        "kind": message.kind,
        "from": message.sender,
        "to": message.recipient,
        "sent_at": message.sent_at.astimezone(UTC).strftime(_TIME_FORMAT),
        "root_kid": message.root_kid.hex(),
        "body": dict(message.body),
        "signature": _b64(root_private_key.sign(message.to_be_signed())),
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True)


def read_message(text: str | bytes) -> tuple[PeerMessage, bytes]:
    """The message and its signature, checked for form only (``InvalidInput``)."""
    if len(text) > MAX_BYTES:
        raise InvalidInput.one("message", f"is more than {MAX_BYTES} bytes")
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise InvalidInput.one("message", "is not JSON") from None
    if not isinstance(document, dict) or set(document) != _FIELDS:
        raise InvalidInput.one("message", f"must be an object with the fields {sorted(_FIELDS)}")
    if document["format"] != MESSAGE_FORMAT:
        raise InvalidInput.one("message.format", f"must be {MESSAGE_FORMAT}")
    ident, kind, body, sent_at, root_kid = _fields(document)
    message = PeerMessage(
        id=ident,
        kind=kind,
        sender=document["from"],
        recipient=document["to"],
        sent_at=sent_at,
        root_kid=root_kid,
        body=body,
    )
    return message, _raw(document["signature"])


def _fields(document: dict[str, Any]) -> tuple[str, str, dict[str, Any], datetime, bytes]:
    for name in ("from", "to"):
        value = document[name]
        if not isinstance(value, str) or not is_jurisdiction(value):
            raise InvalidInput.one(f"message.{name}", "must be a GB/T 2260 code")
    ident, kind, body = document["id"], document["kind"], document["body"]
    if not isinstance(ident, str) or len(ident) != 32 or not _hex(ident):
        raise InvalidInput.one("message.id", "must be 32 hex digits")
    if not isinstance(kind, str) or not 0 < len(kind) <= 30:
        raise InvalidInput.one("message.kind", "must be a kind of message")
    if not isinstance(body, dict):
        raise InvalidInput.one("message.body", "must be an object")
    try:
        sent_at = datetime.strptime(str(document["sent_at"]), _TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise InvalidInput.one("message.sent_at", "must look like 2024-03-01T08:00:00Z") from None
    root_kid = str(document["root_kid"])
    if len(root_kid) != 16 or not _hex(root_kid):
        raise InvalidInput.one("message.root_kid", "must be 16 hex digits")
    return ident, kind, body, sent_at, bytes.fromhex(root_kid)


def check_message(
    message: PeerMessage,
    signature: bytes,
    *,
    root_public_key: Ed25519PublicKey,
    recipient: str,
    now: datetime,
    clock_skew: timedelta,
) -> None:
    """Refuse (``InvalidInput``) a message for another city, not signed by the sender's pinned
    root, signed in the future or longer ago than ``MAX_AGE``."""
    if message.recipient != recipient:
        raise InvalidInput.one("message.to", f"is {message.recipient}, not this city ({recipient})")
    if message.root_kid != kid_of(root_public_key):
        raise InvalidInput.one("message.root_kid", f"is not the pinned root of {message.sender}")
    try:
        root_public_key.verify(signature, message.to_be_signed())
    except InvalidSignature:
        raise InvalidInput.one(
            "message.signature", f"does not verify under the pinned root of {message.sender}"
        ) from None
    if message.sent_at > now + clock_skew:
        raise InvalidInput.one("message.sent_at", "is in the future")
    if message.sent_at < now - MAX_AGE:
        raise InvalidInput.one("message.sent_at", "is too old: a replayed message")


def _hex(text: str) -> bool:
    try:
        bytes.fromhex(text)
    except ValueError:
        return False
    return True


def _raw(value: Any) -> bytes:
    text = str(value)
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 64:
        raise InvalidInput.one("message.signature", "must be 64 bytes in unpadded base64url")
    return raw


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
