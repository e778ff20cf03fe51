"""What a health code says: CWT claims (RFC 8392) and their one CBOR encoding.

Claim map (CBOR integer keys; all four required, no others):

|      key | claim        | CBOR type | meaning                                                   |
| --------:| ------------ | --------- | --------------------------------------------------------- |
|        1 | `iss`        | text      | issuing jurisdiction, GB/T 2260 six-digit code ("330100") |
|        4 | `exp`        | uint      | expiry, seconds since the epoch (UTC)                     |
|        6 | `iat`        | uint      | issued at, seconds since the epoch (UTC)                  |
|   -65537 | healthcode   | array     | [colour, masked name, subject]: the application's claims  |

The application's claims travel as one array under a single key of the CWT registry's private
use range (below -65536), never under the keys -256...255 the IANA registry reserves:

| index | field       | CBOR type    | meaning                                                     |
| -----:| ----------- | ------------ | ----------------------------------------------------------- |
|     0 | colour      | uint         | 1 green, 2 yellow, 3 red                                    |
|     1 | masked name | text         | display name, middle masked ("张*三"), 1-32 characters      |
|     2 | subject     | bytes / text | the opaque subject id: its bytes when it is lowercase hex   |

An array, not a map: the private key costs five bytes (`3a 00 01 00 00`) and a map's three keys
three more, which would take a typical code with a 22-character text subject from QR version 8
to 9. A subject id made of lowercase hex (even length, at most 64 digits: the service's 128-bit
`token_hex` ids) travels as its bytes (16 bytes instead of 34), any other as text; a hex subject
as text is refused, so each set of claims has exactly one encoding. Times are unsigned 32-bit
seconds (until 2106), so every time claim is at most five bytes.

The payload must be the one deterministic encoding (RFC 8949 §4.2.1) of its claims: a duplicate
or unsorted key, an integer or length not in shortest form, an indefinite length or trailing
bytes are refused, so no two payloads carry the same claims and no payload carries two readings.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, NamedTuple

import cbor2

from healthcode.credentials.deterministic import decode_deterministic
from healthcode.credentials.errors import CodeRejected, Reason
from healthcode.kernel.errors import InvalidInput, Problem
from healthcode.kernel.facts import Colour

CLAIM_ISS: Final = 1
CLAIM_EXP: Final = 4
CLAIM_IAT: Final = 6
CLAIM_HEALTHCODE: Final = -65537  # the first key of the private use range
HEALTHCODE_FIELDS: Final = ("colour", "masked name", "subject")

MAX_SUBJECT_CHARS: Final = 64
MAX_MASKED_NAME_CHARS: Final = 32
MAX_TIMESTAMP: Final = 0xFFFF_FFFF

_ISSUER = re.compile(r"[1-9][0-9]{5}")
_HEX_SUBJECT = re.compile(r"(?:[0-9a-f]{2}){1,32}")
_KEYS: Final = frozenset({CLAIM_ISS, CLAIM_EXP, CLAIM_IAT, CLAIM_HEALTHCODE})


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
    """The CWT claims of `claims` in their one deterministic CBOR encoding (RFC 8949 §4.2)."""
    subject: str | bytes = (
        bytes.fromhex(claims.subject) if _HEX_SUBJECT.fullmatch(claims.subject) else claims.subject
    )
    return cbor2.dumps(
        {
            CLAIM_ISS: claims.issuer,
            CLAIM_EXP: int(claims.expires_at.timestamp()),
            CLAIM_IAT: int(claims.issued_at.timestamp()),
            CLAIM_HEALTHCODE: [COLOUR_TO_WIRE[claims.colour], claims.masked_name, subject],
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

    Enforces exactly the rules `CodeClaims` does, on the wire values, without building datetimes,
    and that the payload is the one deterministic encoding of its claims.
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


# a4 | 01 66 <iss> | 04 1a <exp> | 06 1a <iat> | 3a 00 01 00 00 83 | <colour>: 28 bytes
_LAYOUT: Final = struct.Struct(">3s6s2sI2sI6sB")
_LAYOUT_MARKS: Final = (b"\xa4\x01\x66", b"\x04\x1a", b"\x06\x1a", b"\x3a\x00\x01\x00\x00\x83")
_SHORTEST_TIME: Final = 0x1_0000  # below this a time has a shorter head than 1a


def _parse_layout(p: bytes) -> WireClaims | None:
    """Fast path: read the layout `encode_claims` writes by offsets (None if it differs).

    a4 | 01 66 iss | 04 1a exp | 06 1a iat | 3a 00010000 83 | colour | text name | bstr/text sub

    Only the deterministic encoding is read here (every head in shortest form, nothing after the
    subject); anything else, or values breaking a rule, falls through to the general path, which
    names the fault (tests/credentials check that whatever this accepts is canonical).
    """
    try:
        head, iss, mark_exp, exp, mark_iat, iat, private, colour = _LAYOUT.unpack_from(p)
        if (head, mark_exp, mark_iat, private) != _LAYOUT_MARKS:
            return None
        name_bytes, pos = _string(p, 28, 0x60)
        if p[pos] < 0x60:  # a byte-string subject: a hex id's bytes
            sub_raw, end = _string(p, pos, 0x40)
            sub = sub_raw.hex()
        else:
            sub_bytes, end = _string(p, pos, 0x60)
            sub = sub_bytes.decode("utf-8")
            if _HEX_SUBJECT.fullmatch(sub):
                return None
        name = name_bytes.decode("utf-8")
        # the types are right by construction: check the values as `_checked` does
        if (
            end != len(p)
            or colour not in WIRE_TO_COLOUR
            or not iss.isdigit()
            or iss[0] == 0x30  # a GB/T 2260 code starts 1-9
            or not 0 < len(name) <= MAX_MASKED_NAME_CHARS
            or not name.isprintable()
            or not 0 < len(sub) <= MAX_SUBJECT_CHARS
            or not sub.isprintable()
            or not _SHORTEST_TIME <= iat < exp
        ):
            return None
        return WireClaims(iss.decode("ascii"), sub, iat, exp, WIRE_TO_COLOUR[colour], name)
    except (IndexError, UnicodeDecodeError, struct.error):
        return None


def _string(p: bytes, pos: int, major: int) -> tuple[bytes, int]:
    """The text (major 0x60) or byte (0x40) string at `pos`, its length below 256 and its head
    in shortest form."""
    head = p[pos]
    if major <= head < major + 24:
        start, length = pos + 1, head - major
    elif head == major + 24 and p[pos + 1] >= 24:
        start, length = pos + 2, p[pos + 1]
    else:
        raise IndexError("not a short string in shortest form")
    end = start + length
    if end > len(p):
        raise IndexError("truncated string")
    return p[start:end], end


def _parse_cbor(payload: bytes) -> WireClaims:
    """General path: decode any CBOR, insist on its deterministic encoding, then check the map;
    raise `CodeRejected` naming the fault."""
    try:
        raw: Any = decode_deterministic(payload)
    except ValueError as exc:
        raise _bad(str(exc)) from None
    fields = _fields(raw)
    if fields is not None:
        checked = _checked(
            raw[CLAIM_ISS], _subject(fields[2]), raw[CLAIM_IAT], raw[CLAIM_EXP], *fields[:2]
        )
        if checked is not None:
            return checked
    raise _bad(_diagnose(raw))


def decode_claims(payload: bytes) -> CodeClaims:
    """Parse a CWT claims payload into `CodeClaims`; raise `CodeRejected` if malformed."""
    return parse_claims(payload).to_claims()


def _fields(raw: Any) -> list[Any] | None:
    """The application's claims [colour, masked name, subject] if `raw` is a claims map with
    exactly the four keys and a three-item array under the private key, else None."""
    if type(raw) is not dict or raw.keys() != _KEYS:
        return None
    fields = raw[CLAIM_HEALTHCODE]
    if type(fields) is not list or len(fields) != len(HEALTHCODE_FIELDS):
        return None
    return fields


def _subject(value: Any) -> str | None:
    """The subject id from its wire form (bytes: hex id; text: not hex), or None if malformed."""
    if type(value) is bytes:
        return value.hex() if 0 < len(value) <= MAX_SUBJECT_CHARS // 2 else None
    if type(value) is str and _HEX_SUBJECT.fullmatch(value) is None:
        return value
    return None


def _diagnose(raw: Any) -> str:
    """Name the first rule a decoded claims map breaks (only called once one is broken)."""
    if not isinstance(raw, dict):
        return "not a CBOR map"
    return _key_problem(set(raw)) or _value_problem(raw) or _claims_problem(raw)


def _key_problem(keys: set[Any]) -> str:
    """What is wrong with the claims' keys (empty: nothing)."""
    missing = sorted(_KEYS - keys)
    if missing:
        return f"missing claim(s) {missing}"
    extra = keys - _KEYS
    if extra:
        return f"unexpected claim(s) {sorted(repr(k)[:16] for k in extra)}"
    return ""


def _value_problem(raw: dict[Any, Any]) -> str:
    """What is wrong with the type or range of a claim's value (empty: nothing)."""
    if type(raw[CLAIM_ISS]) is not str:
        return f"claim {CLAIM_ISS} must be a text string"
    for key in (CLAIM_EXP, CLAIM_IAT):
        if type(raw[key]) is not int or not 0 <= raw[key] <= MAX_TIMESTAMP:
            return f"claim {key} must be an unsigned 32-bit time in seconds"
    fields = _fields(raw)
    if fields is None:
        return f"claim {CLAIM_HEALTHCODE} must be an array [colour, masked name, subject]"
    colour, name, subject = fields
    if type(colour) is not int or colour not in WIRE_TO_COLOUR:
        return f"claim {CLAIM_HEALTHCODE}[0] (colour) must be 1, 2 or 3"
    if type(name) is not str:
        return f"claim {CLAIM_HEALTHCODE}[1] (masked name) must be a text string"
    if _subject(subject) is None:
        if type(subject) is str:
            return f"claim {CLAIM_HEALTHCODE}[2] (subject) in text must not be lowercase hex"
        return f"claim {CLAIM_HEALTHCODE}[2] (subject) must be text or 1 to 32 bytes"
    return ""


def _claims_problem(raw: dict[Any, Any]) -> str:
    """The rule the claims, read, break as a whole (a time order, a masked name…)."""
    colour, name, subject = raw[CLAIM_HEALTHCODE]
    try:
        WireClaims(
            raw[CLAIM_ISS],
            _subject(subject) or "",
            raw[CLAIM_IAT],
            raw[CLAIM_EXP],
            WIRE_TO_COLOUR[colour],
            name,
        ).to_claims()
    except InvalidInput as exc:
        return str(exc)
    return "claims break a rule"  # unreachable while parse_claims and CodeClaims agree


def _bad(message: str) -> CodeRejected:
    return CodeRejected(Reason.BAD_ENCODING, f"claims: {message}")
