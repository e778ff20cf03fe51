"""A token as a QR code: alphanumeric mode, error correction level M, no error boost.

Level M restores up to ~15% of damaged modules, enough for a cracked phone screen; the whole
token (`HZ1:` and base45) is in the alphanumeric set, so it packs 5.5 bits per character.
A typical code (128-bit subject id, three-character Chinese masked name "张*三") is 207
characters with a hex id (sent as 16 bytes) or 216 with a 22-character text id: QR version 8
(49 x 49 modules), whose capacity at level M is 221 characters.
"""

from __future__ import annotations

import io

import segno

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
    """The QR version `token` needs at error level M in alphanumeric mode."""
    return QrImage(token).version


def qr_svg(token: str, *, scale: int = 4, border: int = 4) -> str:
    """`token` as an SVG QR code."""
    return QrImage(token).svg(scale=scale, border=border)


def qr_png(token: str, *, scale: int = 6, border: int = 4) -> bytes:
    """`token` as a PNG QR code."""
    return QrImage(token).png(scale=scale, border=border)
