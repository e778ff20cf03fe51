"""What a health code says: CWT claims (RFC 8392) and their compact CBOR form.

Claim map (CBOR integer keys, all six required, no others):

| key | claim        | CBOR type | meaning                                                   |
| ---:| ------------ | --------- | --------------------------------------------------------- |
|   1 | `iss`        | text      | issuing jurisdiction, GB/T 2260 six-digit code ("330100") |
|   2 | `sub`        | text      | the person's opaque subject id (never an ID number)       |
|   4 | `exp`        | uint      | expiry, seconds since the epoch (UTC)                     |
|   6 | `iat`        | uint      | issued at, seconds since the epoch (UTC)                  |
|  -1 | colour       | uint      | 1 green, 2 yellow, 3 red                                  |
|  -2 | masked name  | text      | display name with the middle masked ("张*三")              |

The two private claims use -1 and -2: one-byte keys. The CWT registry's private-use range
(below -65536) costs four more bytes per key, which pushes a typical code from QR version 8 to 9;
the claims are scoped by the token's versioned prefix (`HZ1:`), which names this claim set.
Times are unsigned 32-bit seconds (until 2106), so every time claim is at most five bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final

import cbor2

from healthcode.credentials.errors import CodeRejected, Reason
from healthcode.domain.errors import InvalidInput, Problem

CLAIM_ISS: Final = 1
CLAIM_SUB: Final = 2
CLAIM_EXP: Final = 4
CLAIM_IAT: Final = 6
CLAIM_COLOUR: Final = -1
CLAIM_MASKED_NAME: Final = -2

MAX_SUBJECT_CHARS: Final = 64
MAX_MASKED_NAME_CHARS: Final = 32
MAX_TIMESTAMP: Final = 0xFFFF_FFFF

_ISSUER = re.compile(r"[1-9][0-9]{5}")
_KEYS: Final = frozenset(
    {CLAIM_ISS, CLAIM_SUB, CLAIM_EXP, CLAIM_IAT, CLAIM_COLOUR, CLAIM_MASKED_NAME}
)


class Colour(StrEnum):
    """A health code's colour: green moves freely, yellow is restricted, red is quarantined."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


COLOUR_TO_WIRE: Final[dict[Colour, int]] = {Colour.GREEN: 1, Colour.YELLOW: 2, Colour.RED: 3}
WIRE_TO_COLOUR: Final[dict[int, Colour]] = {v: k for k, v in COLOUR_TO_WIRE.items()}


def is_jurisdiction(code: object) -> bool:
    """True when `code` is a GB/T 2260 six-digit administrative division code."""
    return isinstance(code, str) and _ISSUER.fullmatch(code) is not None


@dataclass(frozen=True, slots=True)
class CodeClaims:
    """The claims signed into one health code. Validated on construction.

    Times must be timezone-aware, whole seconds, within unsigned 32-bit epoch seconds; they are
    normalised to UTC. `expires_at` must be after `issued_at`.
    """

    issuer: str
    subject: str
    issued_at: datetime
    expires_at: datetime
    colour: Colour
    masked_name: str

    def __post_init__(self) -> None:
        problems: list[Problem] = []
        if not is_jurisdiction(self.issuer):
            problems.append(Problem("issuer", "must be a GB/T 2260 six-digit code like 330100"))
        _check_text("subject", self.subject, MAX_SUBJECT_CHARS, problems)
        _check_text("masked_name", self.masked_name, MAX_MASKED_NAME_CHARS, problems)
        try:
            object.__setattr__(self, "colour", Colour(self.colour))
        except ValueError:
            problems.append(Problem("colour", "must be green, yellow or red"))
        issued = _check_time("issued_at", self.issued_at, problems)
        expires = _check_time("expires_at", self.expires_at, problems)
        if issued is not None and expires is not None and expires <= issued:
            problems.append(Problem("expires_at", "must be after issued_at"))
        if problems:
            raise InvalidInput(problems)
        object.__setattr__(self, "issued_at", issued)
        object.__setattr__(self, "expires_at", expires)


def _check_text(name: str, value: object, limit: int, problems: list[Problem]) -> None:
    if not isinstance(value, str) or not value:
        problems.append(Problem(name, "must be a non-empty string"))
    elif len(value) > limit:
        problems.append(Problem(name, f"must be at most {limit} characters"))
    elif not value.isprintable():
        problems.append(Problem(name, "must not contain control characters"))


def _check_time(name: str, value: object, problems: list[Problem]) -> datetime | None:
    if not isinstance(value, datetime):
        problems.append(Problem(name, "must be a datetime"))
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        problems.append(Problem(name, "must be timezone-aware (UTC)"))
        return None
    if value.microsecond:
        problems.append(Problem(name, "must be whole seconds"))
        return None
    utc = value.astimezone(UTC)
    if not 0 <= int(utc.timestamp()) <= MAX_TIMESTAMP:
        problems.append(Problem(name, "must lie between 1970 and 2106"))
        return None
    return utc


def encode_claims(claims: CodeClaims) -> bytes:
    """The CWT claims of `claims` as deterministically encoded CBOR (RFC 8949 §4.2)."""
    return cbor2.dumps(
        {
            CLAIM_ISS: claims.issuer,
            CLAIM_SUB: claims.subject,
            CLAIM_EXP: int(claims.expires_at.timestamp()),
            CLAIM_IAT: int(claims.issued_at.timestamp()),
            CLAIM_COLOUR: COLOUR_TO_WIRE[claims.colour],
            CLAIM_MASKED_NAME: claims.masked_name,
        },
        canonical=True,
    )


def decode_claims(payload: bytes) -> CodeClaims:
    """Parse and validate a CWT claims payload; raise `CodeRejected` (bad encoding) if malformed."""
    try:
        raw: Any = cbor2.loads(payload)
    except Exception as exc:  # cbor2's tag decoders may raise anything on hostile bytes
        raise _bad(f"not CBOR ({exc.__class__.__name__})") from None
    if not isinstance(raw, dict):
        raise _bad("not a CBOR map")
    keys = set(raw)
    if keys != _KEYS:
        missing = sorted(_KEYS - keys)
        if missing:
            raise _bad(f"missing claim(s) {missing}")
        raise _bad(f"unexpected claim(s) {sorted(map(repr, keys - _KEYS))}")
    iss, sub, name = raw[CLAIM_ISS], raw[CLAIM_SUB], raw[CLAIM_MASKED_NAME]
    exp, iat, colour = raw[CLAIM_EXP], raw[CLAIM_IAT], raw[CLAIM_COLOUR]
    for key, value in ((CLAIM_ISS, iss), (CLAIM_SUB, sub), (CLAIM_MASKED_NAME, name)):
        if type(value) is not str:
            raise _bad(f"claim {key} must be a text string")
    for key, value in ((CLAIM_EXP, exp), (CLAIM_IAT, iat)):
        if type(value) is not int or not 0 <= value <= MAX_TIMESTAMP:
            raise _bad(f"claim {key} must be an unsigned 32-bit time in seconds")
    if type(colour) is not int or colour not in WIRE_TO_COLOUR:
        raise _bad(f"claim {CLAIM_COLOUR} (colour) must be 1, 2 or 3")
    try:
        return CodeClaims(
            issuer=iss,
            subject=sub,
            issued_at=datetime.fromtimestamp(iat, UTC),
            expires_at=datetime.fromtimestamp(exp, UTC),
            colour=WIRE_TO_COLOUR[colour],
            masked_name=name,
        )
    except InvalidInput as exc:
        raise _bad(str(exc)) from None


def _bad(message: str) -> CodeRejected:
    return CodeRejected(Reason.BAD_ENCODING, f"claims: {message}")
