"""COSE_Sign1 (RFC 9052) with EdDSA over Ed25519: sign, and parse strictly.

Wire form (the only one accepted; every field deterministically encoded, RFC 8949 §4.2):

    18([                      ; tag 18, COSE_Sign1           d2
      h'a2 01 27 04 48 <kid>', ; protected {1: -8, 4: kid}  4d a2 01 27 04 48 ...
      {},                     ; unprotected header: empty    a0
      h'<CWT claims>',        ; payload                      58 xx ...
      h'<64-byte signature>'  ; Ed25519 over Sig_structure   58 40 ...
    ])

Sig_structure = ["Signature1", protected, h'' (external_aad), payload].
`kid` = the first 8 bytes of SHA-256 of the raw 32-byte public key.

The unsigned parts of the envelope (tag, array, unprotected map, length prefixes) are checked
byte for byte, so no re-encoding of a valid code verifies: a code has exactly one wire form.
"""

from __future__ import annotations

import hashlib
from typing import Any, Final, NamedTuple

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from healthcode.credentials.errors import CodeRejected, Reason

ALG_EDDSA: Final = -8
HEADER_ALG: Final = 1
HEADER_KID: Final = 4
COSE_SIGN1_TAG: Final = 18
KID_BYTES: Final = 8
SIGNATURE_BYTES: Final = 64

_PROTECTED_PREFIX: Final = b"\xa2\x01\x27\x04\x48"  # {1: -8, 4: h'<8 bytes>'}
_PROTECTED_BYTES: Final = len(_PROTECTED_PREFIX) + KID_BYTES
_SIG1_CONTEXT: Final = b"\x84\x6aSignature1"  # array(4), text(10) "Signature1"
_EMPTY_AAD: Final = b"\x40"
_FAST_HEAD: Final = b"\xd2\x84\x4d" + _PROTECTED_PREFIX  # tag 18, array(4), bstr(13), header


def public_key_bytes(public_key: Ed25519PublicKey) -> bytes:
    """The raw 32-byte encoding of an Ed25519 public key."""
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def kid_of(public_key: Ed25519PublicKey | bytes) -> bytes:
    """The key id of a public key: the first 8 bytes of SHA-256 of its raw 32 bytes."""
    raw = public_key if isinstance(public_key, bytes) else public_key_bytes(public_key)
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return hashlib.sha256(raw).digest()[:KID_BYTES]


def protected_header(kid: bytes) -> bytes:
    """The deterministic encoding of the protected header {1: -8, 4: kid}."""
    if len(kid) != KID_BYTES:
        raise ValueError("a kid is 8 bytes")
    return _PROTECTED_PREFIX + kid


def _bstr_head(length: int) -> bytes:
    if length < 24:
        return bytes((0x40 | length,))
    if length < 0x100:
        return bytes((0x58, length))
    if length < 0x10000:
        return b"\x59" + length.to_bytes(2, "big")
    return b"\x5a" + length.to_bytes(4, "big")


_SHORT_BSTR_HEADS: Final = tuple(bytes((0x58, n)) for n in range(256))
_TBS_HEAD: Final = _SIG1_CONTEXT + b"\x4d"  # ... and the head of a 13-byte protected header


def sig_structure(protected: bytes, payload: bytes) -> bytes:
    """The bytes Ed25519 signs: CBOR ["Signature1", protected, h'', payload]."""
    if len(protected) == _PROTECTED_BYTES and 24 <= len(payload) < 256:  # every code: hot path
        return b"".join(
            (_TBS_HEAD, protected, _EMPTY_AAD, _SHORT_BSTR_HEADS[len(payload)], payload)
        )
    return b"".join(
        (
            _SIG1_CONTEXT,
            _bstr_head(len(protected)),
            protected,
            _EMPTY_AAD,
            _bstr_head(len(payload)),
            payload,
        )
    )


class Sign1(NamedTuple):
    """A parsed COSE_Sign1: its protected header bytes, key id, payload and signature."""

    protected: bytes
    kid: bytes
    payload: bytes
    signature: bytes

    def to_be_signed(self) -> bytes:
        """The Sig_structure bytes the signature covers."""
        return sig_structure(self.protected, self.payload)

    def encode(self) -> bytes:
        """The one accepted wire form of this structure."""
        return b"".join(
            (
                b"\xd2\x84",
                _bstr_head(len(self.protected)),
                self.protected,
                b"\xa0",
                _bstr_head(len(self.payload)),
                self.payload,
                _bstr_head(len(self.signature)),
                self.signature,
            )
        )


def sign1(payload: bytes, *, private_key: Ed25519PrivateKey) -> bytes:
    """Sign `payload` as a tagged COSE_Sign1 under `private_key` (kid derived from its key)."""
    protected = protected_header(kid_of(private_key.public_key()))
    signature = private_key.sign(sig_structure(protected, payload))
    return Sign1(protected, protected[-KID_BYTES:], payload, signature).encode()


def signature_valid(message: Sign1, *, public_key: Ed25519PublicKey) -> bool:
    """True when the signature of `message` verifies under `public_key`."""
    try:
        public_key.verify(message.signature, message.to_be_signed())
    except InvalidSignature:
        return False
    return True


def parse_sign1(data: bytes) -> Sign1:
    """Parse the one accepted wire form; raise `CodeRejected` (bad encoding) naming the fault."""
    # Fast path: the exact layout of every code we issue (a payload of 24-255 bytes). Anything
    # else goes through the general parser below, which accepts the same forms and names faults.
    if data.startswith(_FAST_HEAD) and len(data) > 19 and data[16] == 0xA0 and data[17] == 0x58:
        end = 19 + data[18]
        if end >= 43 and len(data) == end + 66 and data[end] == 0x58 and data[end + 1] == 0x40:
            return Sign1(data[3:16], data[8:16], data[19:end], data[end + 2 :])
    if len(data) < 2 or data[0] != 0xD2:
        raise _bad("not a COSE_Sign1: expected CBOR tag 18")
    if data[1] != 0x84:
        raise _bad("COSE_Sign1 must be an array of four items")
    start, pos = _bstr(data, 2, "protected header")
    protected = data[start:pos]
    if pos >= len(data) or data[pos] != 0xA0:
        raise _bad("unprotected header must be an empty map")
    start, pos = _bstr(data, pos + 1, "payload")
    payload = data[start:pos]
    start, pos = _bstr(data, pos, "signature")
    signature = data[start:pos]
    if pos != len(data):
        raise _bad(f"{len(data) - pos} trailing byte(s) after the COSE_Sign1")
    if len(signature) != SIGNATURE_BYTES:
        raise _bad(f"an Ed25519 signature is 64 bytes, not {len(signature)}")
    if len(protected) != _PROTECTED_BYTES or not protected.startswith(_PROTECTED_PREFIX):
        raise _bad(_diagnose_protected(protected))
    return Sign1(protected, protected[-KID_BYTES:], payload, signature)


def _bstr(data: bytes, pos: int, what: str) -> tuple[int, int]:
    """(start, end) of the definite, shortest-form byte string at `pos`."""
    if pos >= len(data):
        raise _bad(f"truncated before the {what}")
    initial = data[pos]
    if initial >> 5 != 2:
        raise _bad(f"the {what} must be a byte string")
    info = initial & 0x1F
    if info < 24:
        length, pos = info, pos + 1
    elif 24 <= info <= 26:
        size = 1 << (info - 24)
        if pos + 1 + size > len(data):
            raise _bad(f"truncated in the {what} length")
        length = int.from_bytes(data[pos + 1 : pos + 1 + size], "big")
        if length < (24 if size == 1 else 1 << (4 * size)):
            raise _bad(f"the {what} length is not in shortest form")
        pos += 1 + size
    else:
        raise _bad(f"the {what} must have a definite length below 4 GiB")
    end = pos + length
    if end > len(data):
        raise _bad(f"truncated in the {what}: {end - len(data)} byte(s) missing")
    return pos, end


def _diagnose_protected(protected: bytes) -> str:
    """Say precisely what is wrong with a protected header that is not the expected bytes."""
    try:
        header: Any = cbor2.loads(protected)
    except Exception:  # cbor2's tag decoders may raise anything on hostile bytes
        return "protected header is not valid CBOR"
    if not isinstance(header, dict):
        return "protected header is not a CBOR map"
    alg = header.get(HEADER_ALG)
    if type(alg) is not int or alg != ALG_EDDSA:
        return f"unsupported algorithm {repr(alg)[:24]} (only EdDSA, -8)"
    kid = header.get(HEADER_KID)
    if not isinstance(kid, bytes) or len(kid) != KID_BYTES:
        return "protected header kid must be an 8-byte byte string"
    if set(header) != {HEADER_ALG, HEADER_KID}:
        return "protected header has parameters other than alg and kid"
    return "protected header is not deterministically encoded"


def _bad(message: str) -> CodeRejected:
    return CodeRejected(Reason.BAD_ENCODING, message)
