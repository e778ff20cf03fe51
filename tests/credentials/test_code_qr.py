"""QR rendering: a code survives a real PNG and a real decoder, and stays small."""

from __future__ import annotations

import io
import json

import pytest
import zxingcpp
from codekit import SCAN, Kit
from PIL import Image

from healthcode.credentials import Acceptance, Colour, verify
from healthcode.credentials.qr import QrImage, QrSvgCache, qr_png, qr_svg, qr_version


def _read_png(png: bytes) -> list[zxingcpp.Barcode]:
    with Image.open(io.BytesIO(png)) as image:
        return list(zxingcpp.read_barcodes(image.convert("L")))


def test_png_read_back_by_zxing_verifies(kit: Kit, green_here: Acceptance) -> None:
    """A code rendered to PNG and decoded by zxing-cpp is the same text, and it verifies."""
    token = kit.hangzhou.token()
    png = qr_png(token)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    (barcode,) = _read_png(png)
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    assert barcode.ec_level == "M"
    scanned = barcode.text
    assert scanned == token
    assert verify(scanned, trust_lists=kit.store(), at=SCAN, acceptance=green_here).passed


def test_png_with_damage_within_level_m_still_reads(kit: Kit, green_here: Acceptance) -> None:
    """A smudge over a few percent of the symbol is corrected by level M error correction."""
    token = kit.hangzhou.token()
    png = qr_png(token, scale=6, border=4)
    with Image.open(io.BytesIO(png)) as image:
        damaged = image.convert("L")
    # a 5 x 5-module white blot (1% of a version-8 symbol) in the data area, modules 30-34,
    # clear of the finder, timing and alignment patterns (which sit at 6, 24 and 42)
    blot = range((4 + 30) * 6, (4 + 35) * 6)
    for x in blot:
        for y in blot:
            damaged.putpixel((x, y), 255)
    (barcode,) = zxingcpp.read_barcodes(damaged)
    assert barcode.text == token


@pytest.mark.parametrize(
    "subject",
    [
        "q3F0bT9xL2Vd8sK1mN4pZw",  # 128 bits as base64url
        "9f86d081884c7d659a2feaa0c55ad015",  # 128 bits as hex, the service's ids
    ],
)
def test_chinese_masked_name_fits_version_8_at_level_m(kit: Kit, subject: str) -> None:
    """A code for 张*三 needs QR version at most 8 at error level M (alphanumeric mode)."""
    token = kit.hangzhou.token(masked_name="张*三", subject=subject)
    image = QrImage(token)
    assert image.version <= 8
    assert qr_version(token) == image.version


@pytest.mark.parametrize("colour", list(Colour))
def test_every_colour_and_city_fits_version_8(kit: Kit, colour: Colour) -> None:
    """Green, yellow and red codes of all three cities stay within version 8 at level M."""
    for city in kit.cities:
        assert qr_version(city.token(colour=colour)) <= 8


def test_svg_is_an_svg_document(kit: Kit) -> None:
    """The SVG rendering is an SVG element sized by the module count."""
    token = kit.hangzhou.token()
    svg = qr_svg(token, scale=2, border=4)
    assert svg.startswith("<svg")
    size = (17 + 4 * qr_version(token) + 8) * 2
    assert f'width="{size}"' in svg


def test_non_token_text_is_not_rendered() -> None:
    """Rendering refuses text that is not a health code token."""
    with pytest.raises(ValueError, match="HZ2:"):
        QrImage(json.dumps({"not": "a code"}))


@pytest.mark.parametrize("length", [4, 60, 120, 180, 211, 220, 221, 222, 300, 1000])
def test_version_from_length_matches_the_laid_out_symbol(length: int) -> None:
    """qr_version, computed from the length alone, is the version segno lays the symbol at."""
    token = "HZ2:" + "A" * (length - 4)
    assert qr_version(token) == QrImage(token).version


def test_version_refuses_text_that_is_not_a_token() -> None:
    """qr_version refuses text without the HZ2: prefix, as rendering does."""
    with pytest.raises(ValueError, match="HZ2:"):
        qr_version("ABC")


def test_svg_cache_builds_each_token_once(kit: Kit) -> None:
    """The SVG cache builds a token's SVG once, answers it again from memory, equal to qr_svg."""
    cache = QrSvgCache(capacity=4)
    token = kit.hangzhou.token()
    first = cache.svg(token)
    assert cache.svg(token) is first
    assert first == qr_svg(token)
    assert cache.built == 1


def test_svg_cache_forgets_the_least_recently_asked(kit: Kit) -> None:
    """Past its capacity the cache drops the token asked longest ago, keeping recent ones."""
    cache = QrSvgCache(capacity=2)
    old, kept, new = (kit.hangzhou.token(masked_name=n) for n in ("张*一", "张*二", "张*三"))
    cache.svg(old)
    cache.svg(kept)
    cache.svg(old)  # now the most recent: `kept` is the oldest
    cache.svg(new)
    assert cache.built == 3
    cache.svg(old)
    assert cache.built == 3
    cache.svg(kept)
    assert cache.built == 4


def test_svg_cache_needs_room() -> None:
    """A cache of no entries is refused."""
    with pytest.raises(ValueError, match="at least one"):
        QrSvgCache(capacity=0)
