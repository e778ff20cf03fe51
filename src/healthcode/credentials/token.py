"""The text form of a code: `HZ1:` + base45 (RFC 9285) of the COSE_Sign1 bytes.

- Prefix `HZ1:`: "HZ" health code (健康码), format version 1, and `:` as the EU's `HC1:` does.
  Every character is in the QR alphanumeric set, so the whole token encodes in alphanumeric mode.
  A new claim set or envelope gets a new version (`HZ2:`), never a silent change under `HZ1:`.
- No compression: the payload is ~55 bytes of short fields and the rest is a random signature and
  key id. Measured on a typical code, zlib at level 9 makes the COSE bytes 6 bytes *longer*
  (144 → 150), so it would only add work and a decompression bomb to guard against.
- Decoding is strict: exact prefix (case-sensitive), base45 characters only, no whitespace
  trimming, every group in range. base45 is a bijection on valid text, so a changed character
  either fails here or changes the bytes that the signature covers.
"""

from __future__ import annotations

import struct
from typing import Final

import base45

from healthcode.credentials.errors import CodeRejected, Reason

PREFIX: Final = "HZ1:"
MAX_TOKEN_CHARS: Final = 1024

_CHARSET: Final = base45.BASE45_CHARSET.encode("ascii")
_VALUES: Final = bytes.maketrans(_CHARSET, bytes(range(45)))


def encode_token(cose: bytes) -> str:
    """The token text for COSE_Sign1 bytes."""
    return PREFIX + base45.b45encode(cose).decode("ascii")


def decode_token(text: str) -> bytes:
    """The COSE bytes in a token; raise `CodeRejected` (bad prefix / bad encoding) otherwise."""
    if not isinstance(text, str):
        raise CodeRejected(Reason.BAD_ENCODING, "a token is text")
    if not text.startswith(PREFIX):
        raise CodeRejected(Reason.BAD_PREFIX, _prefix_problem(text))
    if len(text) > MAX_TOKEN_CHARS:
        raise CodeRejected(
            Reason.BAD_ENCODING, f"token is {len(text)} characters; at most {MAX_TOKEN_CHARS}"
        )
    return b45decode_strict(text[len(PREFIX) :])


def b45decode_strict(text: str) -> bytes:
    """Decode base45 text, refusing anything but its one canonical form."""
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError:
        raise _bad("base45: non-ASCII character") from None
    stray = raw.translate(None, _CHARSET)
    if stray:
        raise _bad(f"base45: character {chr(stray[0])!r} is not in the base45 alphabet")
    size = len(raw)
    if size % 3 == 1:
        raise _bad("base45: length leaves a single dangling character")
    values = raw.translate(_VALUES)
    full = size - size % 3
    words = [
        a + 45 * b + 2025 * c
        for a, b, c in zip(values[0:full:3], values[1:full:3], values[2:full:3], strict=True)
    ]
    if words and max(words) > 0xFFFF:
        raise _bad("base45: a three-character group exceeds 65535")
    out = struct.pack(f">{len(words)}H", *words)
    if full != size:
        last = values[full] + 45 * values[full + 1]
        if last > 0xFF:
            raise _bad("base45: the final two-character group exceeds 255")
        out += bytes((last,))
    return out


def _prefix_problem(text: str) -> str:
    head = text[:4]
    if head == "HC1:":
        return "an EU Digital COVID Certificate (HC1:), not a health code"
    if len(head) == 4 and head[:2] == "HZ" and head[3] == ":":
        return f"unsupported health code version {head!r} (this verifier reads {PREFIX})"
    return f"not a health code: expected the prefix {PREFIX}"


def _bad(message: str) -> CodeRejected:
    return CodeRejected(Reason.BAD_ENCODING, message)
