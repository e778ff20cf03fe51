"""The words of the authority console's frame and login, in Chinese and English (merged into
the pages' table by ``texts.texts``). Each console page's own words go in the table of its
route module's texts (``console_*_texts.py``)."""

from __future__ import annotations

from typing import Final

CONSOLE_TEXTS: Final[dict[str, tuple[str, str]]] = {
    "console": ("防疫管理台", "Authority console"),
    "face_console_about": (
        "工作人员：病例、流调、复核、风险区、审计",
        "Officials: cases, tracing, four-eyes, risk areas, audit",
    ),
    "console_login_title": ("工作人员登录", "Official's login"),
    "username": ("用户名", "Username"),
    "totp_code": ("动态验证码（6 位）", "Authenticator code (6 digits)"),
    "nav_dashboard": ("总览", "Dashboard"),
    "nav_map": ("地图", "Map"),
    "nav_cases": ("病例", "Cases"),
    "nav_inbox": ("待复核", "Four-eyes inbox"),
    "nav_appeals_queue": ("申诉", "Appeals"),
    "nav_areas": ("风险区", "Risk areas"),
    "nav_quarantines": ("隔离", "Quarantines"),
    "nav_flagged": ("存疑签到", "Flagged check-ins"),
    "nav_policies": ("赋码规则", "Policies"),
    "nav_access_audit": ("访问日志", "Access log"),
}
