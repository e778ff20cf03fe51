"""Why a code was refused: reason codes shared by the decoder and the verifier.

A checkpoint shows the human message; machines (logs, uploads, the scanner page) key on the
reason code, which never changes meaning.
"""

from __future__ import annotations

from enum import StrEnum

from healthcode.kernel.errors import DomainError


class Reason(StrEnum):
    """The reason behind a verification decision (stable strings, safe to store and compare)."""

    OK = "ok"
    """The code is authentic, current, from an accepted issuer, and its colour passes here."""
    COLOUR_NOT_ACCEPTED = "colour_not_accepted"
    """The code is valid but its colour does not pass at this checkpoint (a stop, not invalid)."""

    BAD_PREFIX = "bad_prefix"
    """The text does not start with the versioned prefix (not a health code, or another version)."""
    BAD_ENCODING = "bad_encoding"
    """Base45, the COSE_Sign1 structure, its protected header or the CWT claims are malformed."""
    UNKNOWN_KID = "unknown_kid"
    """No trust list held by this checkpoint names the key id in the code."""
    BAD_SIGNATURE = "bad_signature"
    """The signature does not verify under the key its key id names."""
    WRONG_ISSUER = "wrong_issuer"
    """The signing key belongs to one jurisdiction but the code claims another as its issuer."""
    KEY_NOT_VALID = "key_not_valid"
    """The code was issued when its signing key was outside the key's validity period."""
    LIFETIME_TOO_LONG = "lifetime_too_long"
    """The code claims to live longer (expiry minus issued-at) than its issuer's trust list
    says any of its codes does."""
    NOT_YET_VALID = "not_yet_valid"
    """The code's issued-at lies in the future beyond the allowed clock skew."""
    EXPIRED = "expired"
    """The code's expiry has passed (beyond the allowed clock skew)."""
    TRUST_LIST_EXPIRED = "trust_list_expired"
    """The trust list holding the code's key has expired (beyond the allowed clock skew): the
    checkpoint must fetch its issuer's current list."""
    ISSUER_NOT_TRUSTED = "issuer_not_trusted"
    """The code is authentic but this checkpoint's acceptance policy does not accept its issuer."""


class CodeRejected(DomainError):
    """A token could not be decoded or parsed; carries the reason code and a precise message.

    Raised by the decoding helpers (`token.decode_token`, `cose.parse_sign1`,
    `claims.decode_claims`); `verify.verify` turns it into an invalid decision and never raises.
    """

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(f"{reason.value}: {message}")
        self.reason = reason
        self.message = message
