"""Place codes (场所码): a venue's signed code, printed on a poster, scanned to check in.

Text form: ``HZP1:`` + base45 of a COSE_Sign1 (the same envelope and Ed25519 keys as health
codes, ``healthcode.credentials.cose``) whose payload is the deterministic CBOR map

    {1: jurisdiction (text), 2: venue id (text), 6: issued-at (epoch seconds)}

signed by the jurisdiction's signing key of the moment. A poster outlives key rotation: a place
code verifies under any signing key of the jurisdiction that was valid when it was issued. A
venue's current code is the one issued at ``Venue.code_issued_at``; an older poster (replaced)
is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import cbor2
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from healthcode.codes.keys import SIGNING
from healthcode.credentials.cose import Sign1, parse_sign1, sign1, signature_valid
from healthcode.credentials.errors import CodeRejected
from healthcode.credentials.signer import load_public_key
from healthcode.credentials.token import b45decode_strict
from healthcode.kernel.errors import InvalidInput
from healthcode.kernel.text import is_clean_line
from healthcode.kernel.times import RANGE_RULE, from_timestamp
from healthcode.presence.ports import PresenceUnitOfWork

PLACE_PREFIX: Final = "HZP1:"
MAX_PLACE_CODE_CHARS: Final = 512
_ISS, _VENUE, _IAT = 1, 2, 6
FIELD = "place_code"
_HEALTH_CODE: Final = re.compile(r"HZ[0-9]+:")  # a personal health code of any version


@dataclass(frozen=True, kw_only=True)
class PlaceClaims:
    jurisdiction: str
    venue_id: str
    issued_at: datetime


def encode_place_code(claims: PlaceClaims, *, private_key: Ed25519PrivateKey) -> str:
    """Sign the claims and return the place code text."""
    import base45

    payload = cbor2.dumps(
        {
            _ISS: claims.jurisdiction,
            _VENUE: claims.venue_id,
            _IAT: int(claims.issued_at.timestamp()),
        },
        canonical=True,
    )
    encoded: str = base45.b45encode(sign1(payload, private_key=private_key)).decode("ascii")
    return PLACE_PREFIX + encoded


def _claims(payload: bytes) -> PlaceClaims:
    try:
        raw: Any = cbor2.loads(payload)
    except Exception:  # cbor2 may raise anything on hostile bytes
        raise InvalidInput.one(FIELD, "the claims are not CBOR") from None
    if not isinstance(raw, dict) or set(raw) != {_ISS, _VENUE, _IAT}:
        raise InvalidInput.one(FIELD, "the claims are not those of a place code")
    iss, venue, iat = raw[_ISS], raw[_VENUE], raw[_IAT]
    if not (
        isinstance(iss, str)
        and isinstance(venue, str)
        and is_clean_line(iss)
        and is_clean_line(venue)
        and type(iat) is int
    ):
        raise InvalidInput.one(FIELD, "the claims are malformed")
    issued_at = from_timestamp(iat)
    if issued_at is None:
        raise InvalidInput.one(FIELD, f"the issue time {RANGE_RULE}")
    return PlaceClaims(jurisdiction=iss, venue_id=venue, issued_at=issued_at)


def parse_place_code(text: str) -> tuple[Sign1, PlaceClaims]:
    """Decode a place code without checking its signature (``InvalidInput`` if malformed)."""
    if not isinstance(text, str) or not text.startswith(PLACE_PREFIX):
        if isinstance(text, str) and _HEALTH_CODE.match(text):
            raise InvalidInput.one(FIELD, "this is a personal health code, not a place code")
        raise InvalidInput.one(FIELD, f"not a place code: expected the prefix {PLACE_PREFIX}")
    if len(text) > MAX_PLACE_CODE_CHARS:
        raise InvalidInput.one(FIELD, f"at most {MAX_PLACE_CODE_CHARS} characters")
    try:
        message = parse_sign1(b45decode_strict(text[len(PLACE_PREFIX) :]))
    except CodeRejected as rejected:
        raise InvalidInput.one(FIELD, rejected.message) from None
    return message, _claims(message.payload)


def verify_place_code(uow: PresenceUnitOfWork, *, text: str, jurisdiction: str) -> PlaceClaims:
    """The claims of a place code signed by one of ``jurisdiction``'s signing keys that was
    valid when the code was issued; ``InvalidInput`` naming what is wrong otherwise."""
    message, claims = parse_place_code(text)
    if claims.jurisdiction != jurisdiction:
        raise InvalidInput.one(
            FIELD, f"issued by {claims.jurisdiction}: this service serves {jurisdiction}"
        )
    kid = message.kid.hex()
    key = next((k for k in uow.keys.all(jurisdiction, role=SIGNING) if k.kid == kid), None)
    if key is None:
        raise InvalidInput.one(FIELD, f"signed by an unknown key {kid}")
    if not signature_valid(message, public_key=load_public_key(key.public_key)):
        raise InvalidInput.one(FIELD, "the signature does not verify")
    if not key.valid_from <= claims.issued_at < key.valid_until:
        raise InvalidInput.one(FIELD, f"issued outside the signing period of key {kid}")
    return claims
