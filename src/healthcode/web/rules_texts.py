"""The words of the public rules page (``/rules``): the policy in force, rule by rule, in
Chinese and English; merged into the pages' table by ``texts.texts``. The rules' own words
come from the policy file, not from here."""

from __future__ import annotations

from typing import Final

RULES_TEXTS: Final[dict[str, tuple[str, str]]] = {
    "face_rules": ("健康码规则", "The rules"),
    "face_rules_about": (
        "什么情况使健康码变黄或变红，以及如何转绿",
        "What turns a code yellow or red, and what turns it green again",
    ),
    "rules_title": ("健康码规则", "How a code's colour is decided"),
    "rules_about": (
        "以下是现行政策的全部规则，与决定每个人健康码的规则完全相同。没有规则适用时，健康码为绿码。",
        "These are all the rules of the policy in force, the same that decide everyone's code. "
        "A code no rule applies to is green.",
    ),
    "rules_policy": ("现行政策", "Policy in force"),
    "rules_version": ("版本", "Version"),
    "rules_red": ("使健康码变红的规则", "Rules that make a code red"),
    "rules_yellow": ("使健康码变黄的规则", "Rules that make a code yellow"),
    "rules_other": ("其他规则", "Other rules"),
    "rules_set_by_officials": (
        "颜色由卫生健康部门指定（须两名官员批准）",
        "The colour health officials set (approved by two officials)",
    ),
    "rules_colour": ("颜色", "Colour"),
    "rules_code": ("健康码", "The code"),
    "rules_id": ("规则编号", "Rule id"),
    "rules_notices": ("提醒", "Notices"),
    "rules_notice_ends": ("如何解除", "What ends it"),
    "rules_blocks_code": ("提醒期间不显示健康码", "The code is not shown while it holds"),
    "rules_shows_code": ("健康码照常显示", "The code is shown as usual"),
    "rules_all": ("全部规则", "All the rules"),
}
