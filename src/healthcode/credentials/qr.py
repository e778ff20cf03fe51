"""A token as a QR code: alphanumeric mode, error correction level M, no error boost.

Level M restores up to ~15% of damaged modules, enough for a cracked phone screen; the whole
token (`HZ2:` and base45) is in the alphanumeric set, so it packs 5.5 bits per character.
A typical code (128-bit subject id, three-character Chinese masked name "张*三") is 211
characters with a hex id (sent as 16 bytes) or 220 with a 22-character text id: QR version 8
(49 x 49 modules), whose capacity at level M is 221 characters.
"""

from __future__ import annotations

import functools
import io
import threading
from collections import OrderedDict

import segno
from segno import consts, encoder

from healthcode.credentials.token import PREFIX


class QrImage:
    """A token laid out as a QR symbol, ready to render."""

    __slots__ = ("_code",)

    def __init__(self, token: str) -> None:
        if not token.startswith(PREFIX):
            raise ValueError(f"not a health code token (expected the prefix {PREFIX})")
        self._code = segno.make_qr(token, error="m", mode="alphanumeric", boost_error=False)

    @property
    def version(self) -> int:
        """The QR version (1-40); the symbol is 17 + 4 x version modules wide."""
        version = self._code.version
        if not isinstance(version, int):  # a Micro QR version; make_qr never builds one
            raise TypeError(f"unexpected Micro QR version {version}")
        return version

    def svg(self, *, scale: int = 4, border: int = 4) -> str:
        """An SVG document (no XML declaration), `scale` px per module, `border` quiet modules."""
        return self._code.svg_inline(scale=scale, border=border)

    def png(self, *, scale: int = 6, border: int = 4) -> bytes:
        """PNG bytes, `scale` px per module, `border` quiet modules (the standard asks for 4)."""
        out = io.BytesIO()
        self._code.save(out, kind="png", scale=scale, border=border)
        return out.getvalue()


def qr_version(token: str) -> int:
    """The QR version `token` needs at error level M in alphanumeric mode, from its length
    alone: segno's own capacity search, without laying out the symbol (which takes ~15 ms)."""
    if not token.startswith(PREFIX):
        raise ValueError(f"not a health code token (expected the prefix {PREFIX})")
    return _alphanumeric_version(len(token))


@functools.cache
def _alphanumeric_version(length: int) -> int:
    # in alphanumeric mode the version depends on the length only (the cache holds at most
    # one entry per length up to the 4,296 characters of version 40)
    segments = encoder.prepare_data(  # type: ignore[no-untyped-call]
        "A" * length, consts.MODE_ALPHANUMERIC, None
    )
    version: int = encoder.find_version(  # type: ignore[no-untyped-call]
        segments, consts.ERROR_LEVEL_M, eci=False, micro=False
    )
    return version


def qr_svg(token: str, *, scale: int = 4, border: int = 4) -> str:
    """`token` as an SVG QR code."""
    return QrImage(token).svg(scale=scale, border=border)


def qr_png(token: str, *, scale: int = 6, border: int = 4) -> bytes:
    """`token` as a PNG QR code."""
    return QrImage(token).png(scale=scale, border=border)


class QrSvgCache:
    """The SVG of the most recently asked tokens, each built once (a bounded LRU).

    A token is deterministic (Ed25519 signatures are, and its times are whole seconds), so a
    citizen or channel asking again within the same second with an unchanged colour asks for
    the same token. Entries are pure functions of their token: several processes each keep
    their own without disagreeing."""

    def __init__(self, capacity: int = 1024) -> None:
        if capacity < 1:
            raise ValueError("the cache must hold at least one token")
        self._capacity = capacity
        self._svgs: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()
        self.built = 0
        """How many SVGs this cache has built (the rest were served from it)."""

    def svg(self, token: str) -> str:
        """`token` as an SVG QR code (the defaults of ``qr_svg``), built at most once while
        it stays among the ``capacity`` most recently asked."""
        with self._lock:
            cached = self._svgs.get(token)
            if cached is not None:
                self._svgs.move_to_end(token)
                return cached
        built = qr_svg(token)
        with self._lock:
            self.built += 1
            self._svgs[token] = built
            self._svgs.move_to_end(token)
            while len(self._svgs) > self._capacity:
                self._svgs.popitem(last=False)
        return built
