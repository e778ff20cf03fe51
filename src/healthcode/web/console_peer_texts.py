"""The words of the console's peers page (the cities whose codes this one accepts, their
trust lists and refusals, and the four-eyes proposals to add or remove one), in Chinese and
English; merged into the pages' table by ``texts.texts``. Every key starts with ``peers_``."""

from __future__ import annotations

from typing import Final

CONSOLE_PEER_TEXTS: Final[dict[str, tuple[str, str]]] = {
    "peers_about": (
        "本市认可其健康码的城市。每个城市的根公钥在添加时固定；其信任列表每 5 分钟获取一次，"
        "被拒绝的列表（格式错误、其他根签名、序号倒退、签发时间在未来、已过期）不会替换上一份有效列表。"
        "添加或移除城市须由一位管理员提出、另一位管理员复核。",
        "The cities whose codes this one accepts. Each city's root key is pinned when it is "
        "added; its trust list is fetched every 5 minutes, and a refused list (garbage, "
        "another root, an older sequence, dated in the future, expired) never replaces the "
        "last good one. Adding or removing a city takes one admin's proposal and a second "
        "admin's approval.",
    ),
    "peers_pending": ("待复核的添加或移除", "Waiting for a second admin"),
    "peers_list": ("对等城市", "Peer cities"),
    "peers_none": ("尚无对等城市。", "No peer city yet."),
    "peers_url": ("地址", "URL"),
    "peers_root": ("固定的根公钥指纹", "Pinned root (fingerprint)"),
    "peers_root_key": ("根公钥", "Root public key"),
    "peers_sequence": ("有效列表序号", "Last good list"),
    "peers_no_list": ("尚无有效列表", "no good list yet"),
    "peers_issued": ("签发时间", "Issued"),
    "peers_expires": ("到期时间", "Expires"),
    "peers_age": ("已签发", "Age"),
    "peers_limit": ("上限 {hours} 小时", "limit {hours} h"),
    "peers_fresh": ("✓ 列表有效", "✓ List current"),
    "peers_stale": ("⚠ 列表已过时", "⚠ STALE list"),
    "peers_last_sync": ("最近同步", "Last sync"),
    "peers_last_success": ("最近成功", "Last good answer"),
    "peers_last_refusal": ("最近一次拒绝", "Last refusal"),
    "peers_refused_mark": ("✕ 曾拒绝", "✕ Refused"),
    "peers_no_refusal": ("无", "none"),
    "peers_refusals": ("拒绝次数", "Refusals"),
    "peers_syncs": ("同步结果计数", "Syncs by outcome"),
    "peers_added": ("添加", "Added"),
    "peers_yours": ("您提交的：须由另一位管理员决定。", "Yours: another admin decides."),
    "peers_note": ("备注（驳回时必填）", "Note (needed to reject)"),
    "peers_approved": ("已复核通过。", "Approved."),
    "peers_rejected": ("已驳回。", "Rejected."),
    # a sync's outcome (``federation.model.Outcome``), in the last refusal and the counts
    "peers_outcome_accepted": ("接受新列表", "new list accepted"),
    "peers_outcome_unchanged": ("列表未变", "list unchanged"),
    "peers_outcome_unreachable": ("无法连接", "unreachable"),
    "peers_outcome_malformed": ("格式错误", "malformed"),
    "peers_outcome_wrong_jurisdiction": ("其他城市的列表", "another city's list"),
    "peers_outcome_wrong_root": ("其他根签名", "signed by another root"),
    "peers_outcome_bad_signature": ("签名无效", "bad signature"),
    "peers_outcome_older_sequence": ("序号倒退", "older sequence"),
    "peers_outcome_sequence_reused": ("序号重复使用", "sequence reused"),
    "peers_outcome_future_dated": ("签发时间在未来", "dated in the future"),
    "peers_outcome_expired": ("已过期", "expired"),
    "peers_detail": ("技术细节：", "detail: "),
}
