"""The words of a visitor's check-in (``/visit``, in the city visited) and of the link to it
from the code page (in the visitor's own city), in Chinese and English; merged into the pages'
table by ``texts.texts``."""

from __future__ import annotations

from typing import Final

VISIT_TEXTS: Final[dict[str, tuple[str, str]]] = {
    # the code page of the visitor's own city
    "visit_away": ("在外地？", "Visiting another city?"),
    "visit_away_about": (
        "在以下城市的场所，可用本健康码登记（打开该城市的登记页，带上当前健康码）：",
        "Check in at these cities' venues on this code (opens that city's page with the code "
        "shown now):",
    ),
    # the visited city's page
    "face_visit": ("外地来访登记", "Visitors"),
    "face_visit_about": (
        "来自其他城市的访客用自己城市的健康码在本市场所登记",
        "Visitors from other cities check in at venues here on their own city's code",
    ),
    "visit_title": ("外地来访登记", "Check in as a visitor"),
    "visit_about": (
        "来自其他城市？用您所在城市的健康码在{city}的场所登记：扫描场所码，或输入其文字。"
        "本市只保存签发城市和健康码中的匿名编号，不保存您的姓名和电话。",
        "Visiting from another city? Check in at venues in {city} on your own city's code: scan "
        "the venue's place code, or type its text. This city keeps only the issuing city and "
        "the code's anonymous number, never your name or phone.",
    ),
    "visit_home_code": (
        "您的健康码（HZ2:…，由您所在城市签发）",
        "Your health code (HZ2:…, issued by your home city)",
    ),
    "visit_code_came": (
        "已带上您所在城市健康码页面的当前健康码。",
        "The code shown on your home city's code page came with this page.",
    ),
    "visit_code_hint": (
        "健康码只在几分钟内有效：请从您所在城市的健康码页面（“在外地？”）重新打开本页。",
        "A code is valid for a few minutes only: open this page again from your home city's "
        "code page (“Visiting another city?”).",
    ),
    "visit_issuer": ("签发城市", "Issued by"),
    "visit_not_kept": (
        "离场所太远：本次登记未保存。",
        "Too far from the venue: this check-in was not kept.",
    ),
}
