"""What a health code says: CWT claims (RFC 8392) and their compact CBOR form.

Claim map (CBOR integer keys; all required, no others; the subject under exactly one of 2, -3):

| key | claim        | CBOR type | meaning                                                   |
| ---:| ------------ | --------- | --------------------------------------------------------- |
|   1 | `iss`        | text      | issuing jurisdiction, GB/T 2260 six-digit code ("330100") |
|   2 | `sub`        | text      | the person's opaque subject id (never an ID number) ...   |
|  -3 | subject      | bytes     | ... or, when the id is lowercase hex, its bytes           |
|   4 | `exp`        | uint      | expiry, seconds since the epoch (UTC)                     |
|   6 | `iat`        | uint      | issued at, seconds since the epoch (UTC)                  |
|  -1 | colour       | uint      | 1 green, 2 yellow, 3 red                                  |
|  -2 | masked name  | text      | display name with the middle masked ("张*三")              |

Private claims use -1, -2 and -3: one-byte keys. The CWT registry's private-use range (below
-65536) costs four more bytes per key, which would push a typical code from QR version 8 to 9;
these claims are scoped by the token's versioned prefix (`HZ1:`), which names this claim set.
A subject id made of lowercase hex (even length, at most 64 digits: the service's 128-bit
`token_hex` ids) travels as bytes under -3 instead of text under 2: 16 bytes instead of 34,
which keeps such a code at QR version 8. Each set of claims has exactly one encoding: a hex
subject as text under 2 is refused. Times are unsigned 32-bit seconds (until 2106), so every
time claim is at most five bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final, NamedTuple

import cbor2

from healthcode.credentials.errors import CodeRejected, Reason
from healthcode.kernel.errors import InvalidInput, Problem

CLAIM_ISS: Final = 1
CLAIM_SUB: Final = 2
CLAIM_EXP: Final = 4
CLAIM_IAT: Final = 6
CLAIM_COLOUR: Final = -1
CLAIM_MASKED_NAME: Final = -2
CLAIM_SUBJECT_BYTES: Final = -3

MAX_SUBJECT_CHARS: Final = 64
MAX_MASKED_NAME_CHARS: Final = 32
MAX_TIMESTAMP: Final = 0xFFFF_FFFF

_ISSUER = re.compile(r"[1-9][0-9]{5}")
_HEX_SUBJECT = re.compile(r"(?:[0-9a-f]{2}){1,32}")
_COMMON_KEYS: Final = frozenset({CLAIM_ISS, CLAIM_EXP, CLAIM_IAT, CLAIM_COLOUR, CLAIM_MASKED_NAME})
_TEXT_SUBJECT_KEYS: Final = _COMMON_KEYS | {CLAIM_SUB}
_BYTES_SUBJECT_KEYS: Final = _COMMON_KEYS | {CLAIM_SUBJECT_BYTES}


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
    subject: tuple[int, str | bytes] = (
        (CLAIM_SUBJECT_BYTES, bytes.fromhex(claims.subject))
        if _HEX_SUBJECT.fullmatch(claims.subject)
        else (CLAIM_SUB, claims.subject)
    )
    return cbor2.dumps(
        {
            CLAIM_ISS: claims.issuer,
            subject[0]: subject[1],
            CLAIM_EXP: int(claims.expires_at.timestamp()),
            CLAIM_IAT: int(claims.issued_at.timestamp()),
            CLAIM_COLOUR: COLOUR_TO_WIRE[claims.colour],
            CLAIM_MASKED_NAME: claims.masked_name,
        },
        canonical=True,
    )


class WireClaims(NamedTuple):
    """Validated claims as carried on the wire: times in epoch seconds (the verifier's hot path)."""

    issuer: str
    subject: str
    issued_at: int
    expires_at: int
    colour: Colour
    masked_name: str

    def to_claims(self) -> CodeClaims:
        """The same claims with UTC datetimes."""
        return CodeClaims(
            issuer=self.issuer,
            subject=self.subject,
            issued_at=datetime.fromtimestamp(self.issued_at, UTC),
            expires_at=datetime.fromtimestamp(self.expires_at, UTC),
            colour=self.colour,
            masked_name=self.masked_name,
        )


def parse_claims(payload: bytes) -> WireClaims:
    """Parse and validate a CWT claims payload; raise `CodeRejected` (bad encoding) if malformed.

    Enforces exactly the rules `CodeClaims` does, on the wire values, without building datetimes.
    """
    return _parse_layout(payload) or _parse_cbor(payload)


def _checked(
    iss: object, sub: object, iat: object, exp: object, colour: object, name: object
) -> WireClaims | None:
    """Wire values as `WireClaims` if they obey every claim rule, else None."""
    if (
        type(colour) is int
        and colour in WIRE_TO_COLOUR
        and type(iss) is str
        and _ISSUER.fullmatch(iss) is not None
        and type(sub) is str
        and 0 < len(sub) <= MAX_SUBJECT_CHARS
        and sub.isprintable()
        and type(name) is str
        and 0 < len(name) <= MAX_MASKED_NAME_CHARS
        and name.isprintable()
        and type(iat) is int
        and type(exp) is int
        and 0 <= iat < exp <= MAX_TIMESTAMP
    ):
        return WireClaims(iss, sub, iat, exp, WIRE_TO_COLOUR[colour], name)
    return None


def _parse_layout(p: bytes) -> WireClaims | None:  # noqa: C901 - hot path (bench/verify.py)
    """Fast path: read the layout `encode_claims` writes by offsets (None if it differs).

    a6 | 01 66 iss | [02 text sub] | 04 1a exp | 06 1a iat | 20 colour | 21 text name | [22 bstr]
    Anything else, or values breaking a rule, falls through to the general CBOR path, which
    accepts a superset of this layout and names the fault.
    """
    try:
        if p[:3] != b"\xa6\x01\x66":
            return None
        iss = p[3:9].decode("ascii")
        sub: str | None = None
        pos = 9
        if p[pos] == CLAIM_SUB:
            sub_bytes, pos = _string(p, pos + 1, 0x60)
            sub = sub_bytes.decode("utf-8")
            if _HEX_SUBJECT.fullmatch(sub):
                return None
        if p[pos : pos + 2] != b"\x04\x1a" or p[pos + 6 : pos + 8] != b"\x06\x1a":
            return None
        exp = int.from_bytes(p[pos + 2 : pos + 6], "big")
        iat = int.from_bytes(p[pos + 8 : pos + 12], "big")
        if p[pos + 12] != 0x20 or p[pos + 14] != 0x21:
            return None
        colour = p[pos + 13]
        name_bytes, pos = _string(p, pos + 15, 0x60)
        if sub is None:
            if p[pos] != 0x22:
                return None
            sub_raw, pos = _string(p, pos + 1, 0x40)
            if not 0 < len(sub_raw) <= MAX_SUBJECT_CHARS // 2:
                return None
            sub = sub_raw.hex()
        if pos != len(p):
            return None
        return _checked(iss, sub, iat, exp, colour, name_bytes.decode("utf-8"))
    except (IndexError, UnicodeDecodeError):
        return None


def _string(p: bytes, pos: int, major: int) -> tuple[bytes, int]:
    """The text (major 0x60) or byte (0x40) string at `pos` with a length below 256."""
    head = p[pos]
    if major <= head < major + 24:
        start, length = pos + 1, head - major
    elif head == major + 24:
        start, length = pos + 2, p[pos + 1]
    else:
        raise IndexError("not a short string")
    end = start + length
    if end > len(p):
        raise IndexError("truncated string")
    return p[start:end], end


def _parse_cbor(payload: bytes) -> WireClaims:
    """General path: decode any CBOR, then check the map; raise `CodeRejected` naming the fault."""
    try:
        raw: Any = cbor2.loads(payload)
    except Exception as exc:  # cbor2's tag decoders may raise anything on hostile bytes
        raise _bad(f"not CBOR ({exc.__class__.__name__})") from None
    if type(raw) is dict and (
        raw.keys() == _TEXT_SUBJECT_KEYS or raw.keys() == _BYTES_SUBJECT_KEYS
    ):
        checked = _checked(
            raw[CLAIM_ISS],
            _subject(raw),
            raw[CLAIM_IAT],
            raw[CLAIM_EXP],
            raw[CLAIM_COLOUR],
            raw[CLAIM_MASKED_NAME],
        )
        if checked is not None:
            return checked
    raise _bad(_diagnose(raw))


def decode_claims(payload: bytes) -> CodeClaims:
    """Parse a CWT claims payload into `CodeClaims`; raise `CodeRejected` if malformed."""
    return parse_claims(payload).to_claims()


def _subject(raw: dict[Any, Any]) -> str | None:
    """The subject id from claim 2 (text, not hex) or -3 (bytes), or None if malformed."""
    text = raw.get(CLAIM_SUB)
    if text is None:
        binary = raw[CLAIM_SUBJECT_BYTES]
        if type(binary) is bytes and 0 < len(binary) <= MAX_SUBJECT_CHARS // 2:
            return binary.hex()
        return None
    if type(text) is str and _HEX_SUBJECT.fullmatch(text) is None:
        return text
    return None


def _diagnose(raw: Any) -> str:
    """Name the first rule a decoded claims map breaks (only called once one is broken)."""
    if not isinstance(raw, dict):
        return "not a CBOR map"
    return _key_problem(set(raw)) or _value_problem(raw) or _claims_problem(raw)


def _key_problem(keys: set[Any]) -> str:
    """What is wrong with the claims' keys (empty: nothing)."""
    missing = sorted(_COMMON_KEYS - keys)
    if not keys & {CLAIM_SUB, CLAIM_SUBJECT_BYTES}:
        missing.append(CLAIM_SUB)
    if missing:
        return f"missing claim(s) {missing}"
    extra = keys - _COMMON_KEYS - {CLAIM_SUB, CLAIM_SUBJECT_BYTES}
    if extra:
        return f"unexpected claim(s) {sorted(repr(k)[:16] for k in extra)}"
    if {CLAIM_SUB, CLAIM_SUBJECT_BYTES} <= keys:
        return f"the subject is in claim {CLAIM_SUB} or {CLAIM_SUBJECT_BYTES}, not both"
    return ""


def _value_problem(raw: dict[Any, Any]) -> str:
    """What is wrong with the type or range of a claim's value (empty: nothing)."""
    for key in (CLAIM_ISS, CLAIM_MASKED_NAME):
        if type(raw[key]) is not str:
            return f"claim {key} must be a text string"
    if _subject(raw) is None:
        if CLAIM_SUB in raw:
            return f"claim {CLAIM_SUB} must be text that is not lowercase hex (hex goes in -3)"
        return f"claim {CLAIM_SUBJECT_BYTES} must be 1 to 32 bytes"
    for key in (CLAIM_EXP, CLAIM_IAT):
        if type(raw[key]) is not int or not 0 <= raw[key] <= MAX_TIMESTAMP:
            return f"claim {key} must be an unsigned 32-bit time in seconds"
    if type(raw[CLAIM_COLOUR]) is not int or raw[CLAIM_COLOUR] not in WIRE_TO_COLOUR:
        return f"claim {CLAIM_COLOUR} (colour) must be 1, 2 or 3"
    return ""


def _claims_problem(raw: dict[Any, Any]) -> str:
    """The rule the claims, read, break as a whole (a time order, a masked name…)."""
    subject = _subject(raw)
    if subject is None:  # named by _value_problem already
        return "claims break a rule"
    try:
        WireClaims(
            raw[CLAIM_ISS],
            subject,
            raw[CLAIM_IAT],
            raw[CLAIM_EXP],
            WIRE_TO_COLOUR[raw[CLAIM_COLOUR]],
            raw[CLAIM_MASKED_NAME],
        ).to_claims()
    except InvalidInput as exc:
        return str(exc)
    return "claims break a rule"  # unreachable while parse_claims and CodeClaims agree


def _bad(message: str) -> CodeRejected:
    return CodeRejected(Reason.BAD_ENCODING, f"claims: {message}")
