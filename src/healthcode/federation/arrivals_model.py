"""Arrivals across the line, as pure formats: the citizen's consent token, the destination's
signed request for the visitor's colour, and the origin's signed answer.

- **Consent token** (``HZC1:`` + base45 of a COSE_Sign1, like a code): signed by the home
  city's current signing key (so any holder of its trust list verifies it), payload the
  deterministic CBOR array ``["healthcode arrival consent v1", issuer, subject, destination,
  issued_at, expires_at, nonce]`` (times in epoch seconds, nonce 8 random bytes).
- **Request** (destination -> origin): a COSE_Sign1 by the destination's *root* key (the origin
  pinned it when it added the destination as a peer) over ``["healthcode arrival status request
  v1", destination, origin, token, sent_at]``.
- **Answer** (origin -> destination): a COSE_Sign1 by the origin's root key over
  ``["healthcode arrival status answer v2", origin, destination, subject, colour,
  [[rule, zh, en], ...], valid_until or null, answered_at, risk_area]``: nothing else about the
  person. ``risk_area`` is a public fact of the origin, not of the person: the highest level of
  its risk areas in force when it answered (``none``, ``low``, ``medium``, ``high``). An answer
  in the older ``v1`` form (the same array without ``risk_area``) is still read, its risk area
  unknown (None).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import base45
import cbor2
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from healthcode.credentials.claims import is_jurisdiction
from healthcode.credentials.cose import kid_of, parse_sign1, sign1, signature_valid
from healthcode.credentials.deterministic import decode_deterministic
from healthcode.credentials.errors import CodeRejected
from healthcode.credentials.token import b45decode_strict
from healthcode.kernel.errors import DomainError
from healthcode.kernel.facts import Colour

CONSENT_PREFIX: Final = "HZC1:"
CONSENT_LIFETIME: Final = timedelta(minutes=30)
MAX_CONSENT_LIFETIME: Final = timedelta(hours=24)
REQUEST_FRESHNESS: Final = timedelta(minutes=5)
_CONSENT: Final = "healthcode arrival consent v1"
_REQUEST: Final = "healthcode arrival status request v1"
_ANSWER_V1: Final = "healthcode arrival status answer v1"
_ANSWER: Final = "healthcode arrival status answer v2"
RISK_LEVELS: Final = ("none", "low", "medium", "high")
"""What an answer's ``risk_area`` may say, least to most severe."""
MAX_TEXT: Final = 2000


class ArrivalRefused(DomainError):
    """A consent token, request or answer that may not be acted on; ``reason`` names why
    (``malformed``, ``bad_signature``, ``expired``, ``other_destination``, ``unknown_key``,
    ``not_a_peer``, ``stale``)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Consent:
    """What a citizen agreed to: ``destination`` may ask ``issuer`` for ``subject``'s colour
    until ``expires_at``."""

    issuer: str
    subject: str
    destination: str
    issued_at: datetime
    expires_at: datetime
    nonce: bytes


@dataclass(frozen=True, slots=True)
class OriginReason:
    """One reason of the origin's colour: its rule id and texts, nothing else."""

    rule: str
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class OriginStatus:
    """The origin's answer: the visitor's colour now, its reasons and until when it holds."""

    origin: str
    destination: str
    subject: str
    colour: Colour
    reasons: tuple[OriginReason, ...]
    valid_until: datetime | None
    answered_at: datetime
    risk_area: str | None
    """The highest level of the origin's risk areas in force (``RISK_LEVELS``); None: a v1
    answer, which did not say (an answer signed here always says)."""


def highest_risk_level(levels: Iterable[str]) -> str:
    """The most severe of ``levels`` (risk areas' levels), ``none`` for no area."""
    known = [level for level in levels if level in RISK_LEVELS]
    return max(known, key=RISK_LEVELS.index, default="none")


def _epoch(value: datetime) -> int:
    return int(value.timestamp())


def _time(value: object) -> datetime:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ArrivalRefused("malformed", "a time is epoch seconds")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise ArrivalRefused("malformed", "a time out of range") from None


def new_consent(
    *, issuer: str, subject: str, destination: str, now: datetime, lifetime: timedelta
) -> Consent:
    """A consent from ``now`` for ``lifetime`` (at most a day)."""
    lifetime = min(lifetime, MAX_CONSENT_LIFETIME)
    start = now.replace(microsecond=0)
    return Consent(issuer, subject, destination, start, start + lifetime, secrets.token_bytes(8))


def sign_consent(consent: Consent, *, private_key: Ed25519PrivateKey) -> str:
    """The token text: ``HZC1:`` + base45 of the COSE_Sign1."""
    payload = cbor2.dumps(
        [
            _CONSENT,
            consent.issuer,
            consent.subject,
            consent.destination,
            _epoch(consent.issued_at),
            _epoch(consent.expires_at),
            consent.nonce,
        ],
        canonical=True,
    )
    cose = sign1(payload, private_key=private_key)
    encoded: bytes = base45.b45encode(cose)
    return CONSENT_PREFIX + encoded.decode("ascii")


def open_consent(token: str) -> tuple[Consent, bytes, bytes, bytes]:
    """The consent a token claims, its key id, the bytes signed and the signature: not yet
    verified (the caller finds the key by its id in the issuer's trust list)."""
    if not isinstance(token, str) or not token.startswith(CONSENT_PREFIX) or len(token) > 1024:
        raise ArrivalRefused("malformed", f"a consent token starts with {CONSENT_PREFIX}")
    try:
        message = parse_sign1(b45decode_strict(token[len(CONSENT_PREFIX) :]))
        raw = decode_deterministic(message.payload)
    except (CodeRejected, ValueError) as exc:
        raise ArrivalRefused("malformed", str(exc)) from None
    consent = _consent(raw)
    return consent, message.kid, message.to_be_signed(), message.signature


def _consent(raw: Any) -> Consent:
    ok = (
        isinstance(raw, list)
        and len(raw) == 7
        and raw[0] == _CONSENT
        and all(isinstance(v, str) for v in raw[1:4])
        and isinstance(raw[6], bytes)
    )
    if not ok or not is_jurisdiction(raw[1]) or not is_jurisdiction(raw[3]):
        raise ArrivalRefused("malformed", "not an arrival consent")
    if not 0 < len(raw[2]) <= 64:
        raise ArrivalRefused("malformed", "the subject must be 1 to 64 characters")
    return Consent(raw[1], raw[2], raw[3], _time(raw[4]), _time(raw[5]), raw[6])


def consent_problem(consent: Consent, *, destination: str, now: datetime) -> ArrivalRefused | None:
    """Whether ``destination`` may act on the consent at ``now`` (its signature apart)."""
    if consent.destination != destination:
        return ArrivalRefused(
            "other_destination", f"consent given to {consent.destination}, not {destination}"
        )
    if now >= consent.expires_at:
        return ArrivalRefused("expired", f"consent expired at {consent.expires_at.isoformat()}")
    if consent.issued_at > now + REQUEST_FRESHNESS:
        return ArrivalRefused("malformed", "consent issued in the future")
    return None


def sign_request(
    *, destination: str, origin: str, token: str, now: datetime, root_key: Ed25519PrivateKey
) -> bytes:
    """The destination's request, signed by its root key."""
    payload = cbor2.dumps([_REQUEST, destination, origin, token, _epoch(now)], canonical=True)
    return sign1(payload, private_key=root_key)


def request_sender(body: bytes) -> str:
    """The jurisdiction a request says it comes from (not yet verified)."""
    raw = _payload(body)
    if not (isinstance(raw, list) and len(raw) == 5 and raw[0] == _REQUEST):
        raise ArrivalRefused("malformed", "not an arrival status request")
    if not isinstance(raw[1], str) or not is_jurisdiction(raw[1]):
        raise ArrivalRefused("malformed", "the requester must be a jurisdiction")
    return raw[1]


def open_request(
    body: bytes, *, origin: str, peer_root: Ed25519PublicKey, now: datetime
) -> tuple[str, str]:
    """(requesting jurisdiction, consent token) of a request signed by ``peer_root``, sent to
    ``origin`` within ``REQUEST_FRESHNESS`` of ``now``."""
    sender = request_sender(body)
    message = parse_sign1(body)
    if message.kid != kid_of(peer_root) or not signature_valid(message, public_key=peer_root):
        raise ArrivalRefused("bad_signature", f"not signed by the pinned root of {sender}")
    raw = _payload(body)
    if raw[2] != origin or not isinstance(raw[3], str):
        raise ArrivalRefused("malformed", f"a request for {raw[2]!r}, not {origin}")
    if abs(_time(raw[4]) - now) > REQUEST_FRESHNESS:
        raise ArrivalRefused("stale", "the request's time is not within 5 minutes of ours")
    return sender, raw[3]


def sign_answer(status: OriginStatus, *, root_key: Ed25519PrivateKey) -> bytes:
    """The origin's answer (v2), signed by its root key; its ``risk_area`` must be said."""
    if status.risk_area not in RISK_LEVELS:
        raise ValueError(f"risk_area must be one of {', '.join(RISK_LEVELS)}")
    payload = cbor2.dumps(
        [
            _ANSWER,
            status.origin,
            status.destination,
            status.subject,
            status.colour.value,
            [[r.rule, r.zh, r.en] for r in status.reasons],
            None if status.valid_until is None else _epoch(status.valid_until),
            _epoch(status.answered_at),
            status.risk_area,
        ],
        canonical=True,
    )
    return sign1(payload, private_key=root_key)


def open_answer(
    body: bytes, *, origin: str, destination: str, subject: str, root: Ed25519PublicKey
) -> OriginStatus:
    """The origin's answer about ``subject``, verified under the origin's pinned ``root``."""
    try:
        message = parse_sign1(body)
    except CodeRejected as exc:
        raise ArrivalRefused("malformed", str(exc)) from None
    if message.kid != kid_of(root) or not signature_valid(message, public_key=root):
        raise ArrivalRefused("bad_signature", f"answer not signed by the pinned root of {origin}")
    raw = _payload(body)
    v1 = isinstance(raw, list) and len(raw) == 8 and raw[0] == _ANSWER_V1
    v2 = isinstance(raw, list) and len(raw) == 9 and raw[0] == _ANSWER
    if not (v1 or v2) or (raw[1], raw[2], raw[3]) != (origin, destination, subject):
        raise ArrivalRefused("malformed", "not the answer about this visitor")
    try:
        colour = Colour(raw[4])
        reasons = tuple(_reason(r) for r in raw[5])
    except (ValueError, TypeError):
        raise ArrivalRefused("malformed", "a colour and reasons expected") from None
    risk_area = raw[8] if v2 else None
    if v2 and risk_area not in RISK_LEVELS:
        raise ArrivalRefused("malformed", f"risk_area must be one of {', '.join(RISK_LEVELS)}")
    until = None if raw[6] is None else _time(raw[6])
    return OriginStatus(
        origin, destination, subject, colour, reasons, until, _time(raw[7]), risk_area
    )


def _reason(raw: Any) -> OriginReason:
    if not (isinstance(raw, list) and len(raw) == 3):
        raise TypeError("a reason is [rule, zh, en]")
    if not all(isinstance(v, str) and len(v) <= MAX_TEXT for v in raw):
        raise TypeError("a reason's fields are short texts")
    return OriginReason(raw[0], raw[1], raw[2])


def _payload(body: bytes) -> Any:
    try:
        return decode_deterministic(parse_sign1(body).payload)
    except (CodeRejected, ValueError) as exc:
        raise ArrivalRefused("malformed", str(exc)) from None
