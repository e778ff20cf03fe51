"""Is a CBOR item in its one deterministic encoding (RFC 8949 §4.2)? And if not, why not.

The check that decides is the library's: decode with cbor2, re-encode with `canonical=True`,
compare with the bytes as sent. cbor2 forgives on decoding (the last of duplicate keys wins,
trailing bytes are ignored, any order or length form is read), so the comparison refuses every
other encoding of the same value. `encoding_fault` only *explains* a refusal: it walks the bytes
and names the first rule they break, with its offset, so a refused code says what was wrong.

The rules: definite lengths only; every integer, length and tag in its shortest head; no map
key twice; map keys sorted as cbor2's canonical form sorts them, shorter encodings first and
then bytewise (the length-first order of RFC 8949 §4.2.3). For keys whose encodings are the same
length, and for the keys of a code's claims (01, 04, 06, 3a 00 01 00 00), that is also the
bytewise order of §4.2.1.
"""

from __future__ import annotations

from typing import Any, Final

import cbor2

_MAX_DEPTH: Final = 16
_SHORTEST: Final = {24: 24, 25: 0x100, 26: 0x1_0000, 27: 0x1_0000_0000}  # info -> least value


class _Fault(Exception):
    pass


def decode_deterministic(data: bytes) -> Any:
    """The value `data` encodes; `ValueError` naming the fault unless it is the one
    deterministic encoding of that value (and nothing follows it)."""
    try:
        value = cbor2.loads(data)
    except Exception as exc:  # cbor2's tag decoders may raise anything on hostile bytes
        raise ValueError(f"not CBOR ({exc.__class__.__name__})") from None
    try:
        canonical = cbor2.dumps(value, canonical=True)
    except Exception:  # a decoded tag object that does not encode back
        canonical = None
    if canonical != data:
        raise ValueError(f"not in deterministic encoding: {encoding_fault(data)}")
    return value


def encoding_fault(data: bytes) -> str:
    """The first rule of deterministic encoding `data` breaks (for a message)."""
    try:
        end = _item(data, 0, 0)
    except _Fault as fault:
        return str(fault)
    except IndexError:
        return "truncated"
    if end != len(data):
        return f"{len(data) - end} trailing byte(s) after the item"
    return "a value not in its one deterministic form (RFC 8949 §4.2)"


def _head(data: bytes, pos: int) -> tuple[int, int, int]:
    """(major type, argument, position after the head) of the item at `pos`."""
    initial = data[pos]
    major, info = initial >> 5, initial & 0x1F
    if info < 24:
        return major, info, pos + 1
    if info == 31:
        raise _Fault(f"indefinite length at byte {pos}")
    if info > 27:
        raise _Fault(f"reserved additional information {info} at byte {pos}")
    size = 1 << (info - 24)
    if pos + 1 + size > len(data):
        raise IndexError
    argument = int.from_bytes(data[pos + 1 : pos + 1 + size], "big")
    if major != 7 and argument < _SHORTEST[info]:
        raise _Fault(f"integer or length not in shortest form at byte {pos}")
    return major, argument, pos + 1 + size


def _item(data: bytes, pos: int, depth: int) -> int:
    """The position after the well-formed, deterministic item at `pos` (or `_Fault`)."""
    if depth > _MAX_DEPTH:
        raise _Fault(f"nested deeper than {_MAX_DEPTH} levels")
    major, argument, pos = _head(data, pos)
    if major in (2, 3):  # byte and text strings
        if pos + argument > len(data):
            raise IndexError
        return pos + argument
    if major == 4:  # array
        for _ in range(argument):
            pos = _item(data, pos, depth + 1)
        return pos
    if major == 5:  # map: keys in bytewise order of their encodings, none twice
        return _map(data, pos, argument, depth)
    if major == 6:  # tag: its content
        return _item(data, pos, depth + 1)
    return pos  # integers, simple values and floats: their head is the whole item


def _map(data: bytes, pos: int, pairs: int, depth: int) -> int:
    previous = b""
    for _ in range(pairs):
        start = pos
        pos = _item(data, pos, depth + 1)
        key = data[start:pos]
        if key == previous:
            raise _Fault(f"duplicate map key {_shown(key)} at byte {start}")
        if previous and (len(key), key) < (len(previous), previous):
            raise _Fault(f"map key {_shown(key)} out of order at byte {start}")
        previous = key
        pos = _item(data, pos, depth + 1)
    return pos


def _shown(key: bytes) -> str:
    try:
        return repr(cbor2.loads(key))[:24]
    except Exception:  # a key cbor2 cannot read alone: show its bytes
        return key.hex()[:24]
