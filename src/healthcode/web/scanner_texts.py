"""The words of the checkpoint scanner (``/checkpoint``), in Chinese and English; merged into
the pages' table by ``texts.texts``."""

from __future__ import annotations

from typing import Final

SCANNER_TEXTS: Final[dict[str, tuple[str, str]]] = {
    "scanner_title": ("查验扫码", "Checkpoint scanner"),
    "scanner_app_name": ("健康码查验", "Health code checkpoint"),
    "scanner_short_name": ("查验", "Checkpoint"),
    # the device and its enrolment
    "device": ("本设备", "This device"),
    "device_id": ("设备编号", "Device id"),
    "device_key": ("设备公钥", "Device public key"),
    "enrol_title": ("登记本设备", "Register this device"),
    "enrol_steps": (
        "请管理人员用下面的公钥把本设备登记为场所的查验设备，然后点“已登记”。",
        "Ask an official to register this device at a venue with the public key below, then "
        "press “Registered”.",
    ),
    "enrol_command": ("登记命令", "Command to register it"),
    "enrol_check": ("已登记", "Registered"),
    "enrol_waiting": (
        "尚未登记：管理人员登记后再点一次。",
        "Not registered yet: press again once an official has registered it.",
    ),
    "enrol_revoked": (
        "本设备已被吊销，不能再查验。",
        "This device was revoked: it cannot check codes.",
    ),
    "enrol_offline": ("登记需要联网。", "Registering needs the network."),
    "venue": ("场所", "Venue"),
    "passes_here": ("可通行", "Passes here"),
    "root_pinned": ("根密钥（已固定）", "Root key (pinned)"),
    # the trust list and the queue
    "trust_list_age": ("信任列表", "Trust list"),
    "trust_list_issued": ("签发于", "issued"),
    "trust_list_checked": ("上次更新", "last refreshed"),
    "trust_list_missing": ("尚无信任列表：请联网一次。", "No trust list yet: connect once."),
    "trust_list_refused": ("新的信任列表被拒绝", "A new trust list was refused"),
    "trust_list_stale": ("已过时", "STALE"),
    "just_now": ("刚刚", "just now"),
    "minutes_ago": ("{n} 分钟前", "{n} min ago"),
    "hours_ago": ("{n} 小时前", "{n} h ago"),
    "days_ago": ("{n} 天前", "{n} days ago"),
    "queue": ("待上传", "Waiting to upload"),
    "uploaded": ("已上传", "Uploaded"),
    "upload_refused": ("上传被拒绝", "Upload refused"),
    "scans_unit": ("条", "scans"),
    "online": ("在线", "Online"),
    "offline_mode": (
        "离线：照常查验，联网后上传。",
        "Offline: checking as usual, uploading later.",
    ),
    # scanning
    "camera_start": ("打开摄像头扫码", "Scan with the camera"),
    "camera_stop": ("关闭摄像头", "Stop the camera"),
    "camera_label": ("摄像头画面", "Camera view"),
    "camera_failed": (
        "无法打开摄像头：请手动输入。",
        "The camera cannot be opened: enter the code by hand.",
    ),
    "manual": ("手动输入健康码", "Enter a code by hand"),
    "manual_code": ("健康码文本（HZ2:…）", "Code text (HZ2:…)"),
    "check": ("查验", "Check"),
    "scan_temperature": ("体温（℃，可不填）", "Temperature (°C, optional)"),
    "temperature_rule": ("体温须在 34.0 至 43.0 ℃ 之间", "Temperature must be 34.0 to 43.0 °C"),
    # the answer
    "answer_pass": ("通行", "Pass"),
    "answer_stop": ("禁止通行", "Stop"),
    "answer_invalid": ("无效码", "Invalid code"),
    "answer_expired": ("已过期", "Expired"),
    "repeat_scan": ("此码已于 {time} 在本设备扫过", "Scanned here before at {time}"),
    "next_scan": ("继续查验", "Next"),
    "scan_fever": ("体温异常（≥37.3 ℃）", "Fever (37.3 °C or more)"),
    "degraded": ("离线过久：信任列表已过时", "Offline too long: the trust list is out of date"),
    "reason_ok": ("健康码有效", "Valid code"),
    "reason_colour_not_accepted": ("此颜色在本场所不可通行", "This colour does not pass here"),
    "reason_bad_prefix": ("不是健康码", "Not a health code"),
    "reason_bad_encoding": ("码已损坏或被篡改", "The code is damaged or altered"),
    "reason_unknown_kid": ("签名密钥未知", "Unknown signing key"),
    "reason_bad_signature": ("签名无效：码被篡改", "Bad signature: the code was altered"),
    "reason_wrong_issuer": ("签发地与密钥不符", "Issuer does not match the key"),
    "reason_key_not_valid": ("签发时密钥不在有效期", "Key was not valid when issued"),
    "reason_lifetime_too_long": ("有效期超过上限", "Lives longer than allowed"),
    "reason_not_yet_valid": ("签发时间在未来", "Issued in the future"),
    "reason_expired": ("码已过期，请刷新", "The code has expired: refresh it"),
    "reason_trust_list_expired": ("信任列表已过期", "The trust list has expired"),
    "reason_issuer_not_trusted": ("本场所不接受该地的码", "Codes from there are not accepted here"),
    "reason_fever": ("体温异常", "Fever"),
}
