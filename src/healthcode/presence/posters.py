"""Place-code posters: the venue's signed place code as a QR code with its name in Chinese and
English, as SVG (segno's matrix drawn as one path) and as an A4 PDF (reportlab; Chinese text
in the built-in CID font STSong-Light, so no font file is shipped)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

import segno

KIND_NAMES: dict[str, tuple[str, str]] = {
    "bus_route": ("公交线路", "Bus route"),
    "subway_station": ("地铁站", "Subway station"),
    "supermarket": ("超市", "Supermarket"),
    "market": ("市场", "Market"),
    "restaurant": ("餐厅", "Restaurant"),
    "office": ("办公场所", "Office"),
    "factory": ("工厂", "Factory"),
    "school": ("学校", "School"),
    "hospital": ("医院", "Hospital"),
    "housing_estate": ("小区", "Housing estate"),
    "other": ("场所", "Venue"),
}

TITLE_ZH, TITLE_EN = "场所码", "Place code"
PROMPT_ZH = "进入请扫码登记"
PROMPT_EN = "Scan to check in before entering"


@dataclass(frozen=True, kw_only=True)
class PosterContent:
    name_zh: str
    name_en: str
    kind: str
    venue_id: str
    place_code: str


def _matrix(text: str) -> list[list[bool]]:
    qr = segno.make(text, error="m", micro=False)
    return [[bool(cell) for cell in row] for row in qr.matrix]


def _kind(kind: str) -> tuple[str, str]:
    return KIND_NAMES.get(kind, KIND_NAMES["other"])


def poster_svg(content: PosterContent) -> str:
    """An A4-proportioned SVG poster (user units are millimetres)."""
    matrix = _matrix(content.place_code)
    quiet = 4
    size = len(matrix) + 2 * quiet
    qr_mm = 150.0
    module = qr_mm / size
    x0, y0 = (210 - qr_mm) / 2, 92.0
    path = "".join(
        f"M{x0 + (x + quiet) * module:.3f} {y0 + (y + quiet) * module:.3f}"
        f"h{module:.3f}v{module:.3f}h-{module:.3f}z"
        for y, row in enumerate(matrix)
        for x, dark in enumerate(row)
        if dark
    )
    kind_zh, kind_en = _kind(content.kind)
    font = "font-family=\"'Noto Sans CJK SC','Source Han Sans SC','PingFang SC',sans-serif\""

    def text(y: float, size: float, value: str, weight: str = "normal") -> str:
        return (
            f'<text x="105" y="{y}" text-anchor="middle" font-size="{size}" '
            f'font-weight="{weight}" {font}>{escape(value)}</text>'
        )

    return "\n".join(
        [
            '<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" '
            'viewBox="0 0 210 297">',
            '<rect width="210" height="297" fill="#ffffff"/>',
            '<rect x="0" y="0" width="210" height="40" fill="#1a7f37"/>',
            f'<text x="105" y="20" text-anchor="middle" font-size="14" fill="#ffffff" '
            f'font-weight="bold" {font}>{TITLE_ZH}</text>',
            f'<text x="105" y="32" text-anchor="middle" font-size="8" fill="#ffffff" '
            f"{font}>{TITLE_EN}</text>",
            text(58, 12, content.name_zh, "bold"),
            text(70, 7, content.name_en),
            text(82, 5, f"{kind_zh} · {kind_en}"),
            f'<path d="{path}" fill="#000000"/>',
            text(258, 8, PROMPT_ZH, "bold"),
            text(268, 5, PROMPT_EN),
            text(288, 3, f"venue {content.venue_id}"),
            "</svg>",
            "",
        ]
    )


def poster_pdf(content: PosterContent) -> bytes:
    """An A4 PDF poster."""
    from reportlab.lib.colors import HexColor, white  # type: ignore[import-untyped]
    from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
    from reportlab.lib.units import mm  # type: ignore[import-untyped]
    from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # type: ignore[import-untyped]
    from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

    chinese = "STSong-Light"
    if chinese not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(chinese))
    out = io.BytesIO()
    width, height = A4
    pdf = Canvas(out, pagesize=A4, invariant=True)
    pdf.setTitle(f"{TITLE_ZH} {content.name_zh} / {TITLE_EN} {content.name_en}")
    pdf.setFillColor(HexColor("#1a7f37"))
    pdf.rect(0, height - 40 * mm, width, 40 * mm, stroke=0, fill=1)
    pdf.setFillColor(white)
    pdf.setFont(chinese, 40)
    pdf.drawCentredString(width / 2, height - 22 * mm, TITLE_ZH)
    pdf.setFont("Helvetica", 20)
    pdf.drawCentredString(width / 2, height - 33 * mm, TITLE_EN)
    pdf.setFillColor(HexColor("#000000"))
    pdf.setFont(chinese, 32)
    pdf.drawCentredString(width / 2, height - 60 * mm, content.name_zh)
    pdf.setFont("Helvetica", 20)
    pdf.drawCentredString(width / 2, height - 71 * mm, content.name_en)
    kind_zh, kind_en = _kind(content.kind)
    pdf.setFont(chinese, 14)
    pdf.drawCentredString(width / 2, height - 82 * mm, f"{kind_zh} / {kind_en}")
    matrix = _matrix(content.place_code)
    quiet = 4
    module = 150 * mm / (len(matrix) + 2 * quiet)
    x0 = (width - 150 * mm) / 2
    top = height - 92 * mm
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                pdf.rect(
                    x0 + (x + quiet) * module,
                    top - (y + quiet + 1) * module,
                    module,
                    module,
                    stroke=0,
                    fill=1,
                )
    pdf.setFont(chinese, 24)
    pdf.drawCentredString(width / 2, 39 * mm, PROMPT_ZH)
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(width / 2, 29 * mm, PROMPT_EN)
    pdf.setFont("Helvetica", 8)
    pdf.drawCentredString(width / 2, 9 * mm, f"venue {content.venue_id}")
    pdf.showPage()
    pdf.save()
    return out.getvalue()
