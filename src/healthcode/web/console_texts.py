"""The words of the authority console's frame, login, dashboard and map, in Chinese and
English (merged into the pages' table by ``texts.texts``). Each other console page's own words
go in the table of its route module's texts (``console_*_texts.py``)."""

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
    "nav_peers": ("对等城市", "Peers"),
    # the dashboard (/console) and the map (/console/map): routes/console.py
    "dash_as_of": ("截至", "As of"),
    "dash_loading": ("正在读取…", "Loading…"),
    "dash_waiting": ("待处理", "Waiting for you"),
    "dash_quarantines_today": ("今日到期的隔离", "Quarantines ending today"),
    "dash_flagged": ("待审核的存疑签到", "Flagged check-ins waiting"),
    "dash_proposals": ("待复核的提议（双人复核）", "Proposals waiting (four eyes)"),
    "dash_colours": (
        "各颜色人数（每日结束时，近 30 天）",
        "People by colour (end of each day, last 30 days)",
    ),
    "dash_cases": ("每日病例（近 30 天）", "Cases per day (last 30 days)"),
    "dash_reported": ("报告", "Reported"),
    "dash_confirmed": ("确诊", "Confirmed"),
    "dash_day": ("日期", "Day"),
    "dash_table": ("数据表", "As a table"),
    "dash_chart_colours": (
        "折线图：各颜色人数。今日：",
        "Line chart of people by colour. Today: ",
    ),
    "dash_chart_cases": (
        "柱状图：每日病例。近 30 天合计：",
        "Bar chart of cases per day. Last 30 days in all: ",
    ),
    "dash_most": ("最高", "highest"),
    "dash_none": ("无", "none"),
    "dash_open": ("打开", "Open"),
    "word_green": ("绿", "green"),
    "word_yellow": ("黄", "yellow"),
    "word_red": ("红", "red"),
    "map_about": (
        "各 H3 网格（分辨率 8，约 0.7 平方公里）内的确诊病例和暴露人数，以及生效中的风险区。",
        "Confirmed cases and people exposed per H3 cell (resolution 8, about 0.7 km²), "
        "and the risk areas in force.",
    ),
    "map_suppressed": (
        "少于 {n} 人的计数不显示，以免识别到个人；没有可显示计数且不在风险区内的网格不画出。",
        "Counts below {n} are not shown, so no one is singled out; a cell with no count "
        "shown and in no risk area is not drawn.",
    ),
    "map_days": ("统计天数", "Days counted"),
    "map_measure": ("显示", "Show"),
    "map_cases": ("确诊病例", "Confirmed cases"),
    "map_exposures": ("暴露人数", "People exposed"),
    "map_cell": ("网格", "Cell"),
    "map_risk": ("风险等级", "Risk level"),
    "map_areas": ("生效中的风险区", "Risk areas in force"),
    "map_no_areas": ("当前没有风险区。", "No risk area in force."),
    "map_no_cells": ("没有可显示的网格。", "No cell to show."),
    "map_legend": ("图例", "Legend"),
    "map_hidden": ("少于 {n}", "fewer than {n}"),
    "map_picture": (
        "地图：{cells} 个网格，{areas} 个风险区。详见下表。",
        "Map of {cells} cells and {areas} risk areas. The table below says the same.",
    ),
    "map_until": ("至", "until"),
    "level_low": ("低风险", "low risk"),
    "level_medium": ("中风险", "medium risk"),
    "level_high": ("高风险", "high risk"),
    "level_mark_low": ("低", "L"),
    "level_mark_medium": ("中", "M"),
    "level_mark_high": ("高", "H"),
}
