"""The wire form of a checkpoint's signed status lookup: a registered device asking the server,
beside the offline decision on a code, whether the holder's status changed since it was issued.

The device adds a ``device`` object to the body of ``POST /api/v1/verify``::

    {"token": "HZ2:…", "colours": ["green"],
     "device": {"id": "<16 hex: the device key's id>", "at": "2026-03-01T01:00:00+00:00",
                "signature": "<base64url, 64 bytes>"}}

What is signed: the deterministic CBOR (RFC 8949 §4.2) of

    ["healthcode status lookup v1", device id, at (epoch milliseconds), token]

The time binds the request to a moment (the server refuses one more than five minutes from its
clock, so a captured request soon stops working); the token binds it to the one code asked
about. The colours are not signed: they only shape the offline decision, which anyone may ask.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

import cbor2
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from healthcode.checkpoint.batches import b64

SIGNING_CONTEXT: Final = "healthcode status lookup v1"


def lookup_signed_bytes(device: str, at: datetime, token: str) -> bytes:
    """The bytes a device signs to ask about ``token`` at ``at``."""
    return cbor2.dumps([SIGNING_CONTEXT, device, int(at.timestamp() * 1000), token], canonical=True)


def sign_lookup(
    device: str, token: str, *, at: datetime, private_key: Ed25519PrivateKey
) -> dict[str, Any]:
    """The ``device`` object a device adds to its verify request."""
    return {
        "id": device,
        "at": at.astimezone(UTC).isoformat(),
        "signature": b64(private_key.sign(lookup_signed_bytes(device, at, token))),
    }
