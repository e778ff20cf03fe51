"""The text form of a code: `HZ2:` + base45 (RFC 9285) of the COSE_Sign1 bytes.

- Prefix `HZ2:` (4 characters): a family tag distinct from the EU's `HC1:`, so a scanner tells
  the two apart from the first characters, then the format version and `:` as in `HC1:`.
  Every character is in the QR alphanumeric set, so the whole token encodes in alphanumeric mode.
  A new claim set or envelope gets a new version, never a silent change under an old one:
  `HZ1:` carried the application's claims under the IANA-reserved keys -1, -2 and -3; `HZ2:`
  carries them under one private-use key (-65537, see `claims`). A verifier of `HZ2:` refuses
  an `HZ1:` code as an unsupported version (codes live minutes: none outlives the change long).
- No compression: the payload is ~55 bytes of short fields and the rest is a random signature,
  key id and subject id. Measured over 200 codes with random 22-character subject ids, zlib
  (level 9) makes the COSE bytes longer, 141 → 152 bytes median (raw deflate: at least +5),
  so it would only add work and a decompression bomb to guard against.
- Decoding is strict: exact prefix (case-sensitive), base45 characters only, no whitespace
  trimming, every group in range. base45 is a bijection on valid text, so a changed character
  either fails here or changes the bytes that the signature covers.
"""

from __future__ import annotations

import functools
from typing import Final

import base45

from healthcode.credentials.errors import CodeRejected, Reason

PREFIX: Final = "HZ2:"
MAX_TOKEN_CHARS: Final = 1024

_CHARSET: Final = base45.BASE45_CHARSET.encode("ascii")
_VALUES: Final = bytes(  # byte -> its base45 digit value, or 0xFF for a byte not in the alphabet
    _CHARSET.index(b) if b in _CHARSET else 0xFF for b in range(256)
)


def encode_token(cose: bytes) -> str:
    """The token text for COSE_Sign1 bytes."""
    encoded: bytes = base45.b45encode(cose)
    return PREFIX + encoded.decode("ascii")


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
    """Decode base45 text, refusing anything but its one canonical form.

    Vectorised: the digits of the full groups, three bytes each, are read as one big integer
    of 24-bit lanes; masks and shifts take out every group's three digits at once, so
    `a + 45*b + 2025*c` is computed for all groups together (no per-group Python loop: a
    checkpoint's hot path, bench/verify.py). No lane can carry into the next (91,124 < 2^24);
    a lane above 0xFFFF is a group out of range.
    """
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError:
        raise _bad("base45: non-ASCII character") from None
    digits = raw.translate(_VALUES)
    if 0xFF in digits:
        stray = raw.translate(None, _CHARSET)
        raise _bad(f"base45: character {chr(stray[0])!r} is not in the base45 alphabet")
    groups, rest = divmod(len(raw), 3)
    if rest == 1:
        raise _bad("base45: length leaves a single dangling character")
    full = 3 * groups
    lanes = int.from_bytes(digits[:full], "big")
    low = _low_bytes(groups)
    value = (lanes >> 16 & low) + 45 * (lanes >> 8 & low) + 2025 * (lanes & low)
    out = bytearray(value.to_bytes(full, "big"))
    if out[0::3].count(0) != groups:  # a lane above 0xFFFF
        raise _bad("base45: a three-character group exceeds 65535")
    del out[0::3]
    if rest:
        last = digits[full] + 45 * digits[full + 1]
        if last > 0xFF:
            raise _bad("base45: the final two-character group exceeds 255")
        out.append(last)
    return bytes(out)


@functools.lru_cache(maxsize=512)  # one entry per group count (callers cap the length)
def _low_bytes(groups: int) -> int:
    """The mask keeping the low byte of each of `groups` 24-bit lanes."""
    return int.from_bytes(b"\x00\x00\xff" * groups, "big")


def _prefix_problem(text: str) -> str:
    head = text[:4]
    if head == "HC1:":
        return "an EU Digital COVID Certificate (HC1:), not a health code"
    if len(head) == 4 and head[:2] == "HZ" and head[3] == ":":
        return f"unsupported health code version {head!r} (this verifier reads {PREFIX})"
    return f"not a health code: expected the prefix {PREFIX}"


def _bad(message: str) -> CodeRejected:
    return CodeRejected(Reason.BAD_ENCODING, message)
