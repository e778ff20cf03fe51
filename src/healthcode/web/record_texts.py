"""The words of the citizen's records for what the system writes as codes: why a colour changed
(a status change's cause, ``cause_…``) and what an official read (an access record's ``what``,
``read_…``), in Chinese and English; merged into the pages' table by ``texts.texts``. A cause or
read the table has no words for is shown as written."""

from __future__ import annotations

from typing import Final

RECORD_TEXTS: Final[dict[str, tuple[str, str]]] = {
    # why a colour changed: ``status`` causes, by their first word or pattern (records.js)
    "cause_registered": ("注册", "you registered"),
    "cause_time": ("到期自动更新", "a time limit passed"),
    "cause_traced": ("病例确诊后的流调", "tracing after a confirmed case"),
    "cause_case_withdrawn": (
        "病例撤销，流调结果撤回",
        "a case withdrawn: what it traced taken back",
    ),
    "cause_case_corrected": ("病例更正，重新流调", "a case corrected: traced again"),
    "cause_risk_area": ("到访风险区域", "a visit to a risk area"),
    "cause_risk_area_corrected": ("风险区域更正", "a risk area corrected"),
    "cause_exposure_elsewhere": ("在{city}的接触", "an exposure while visiting {city}"),
    "cause_correction_elsewhere": ("{city}的更正", "a correction from {city}"),
    "cause_appeal": ("申诉更正", "your appeal: a correction"),
    "cause_fact_health_declaration": ("健康申报", "a health declaration"),
    "cause_fact_travel_declaration": ("行程申报", "a travel declaration"),
    "cause_fact_arrival": ("来自外地", "an arrival from another city"),
    "cause_fact_presence": ("到访记录", "a recorded visit"),
    "cause_fact_exposure": ("接触判定", "an exposure"),
    "cause_fact_case": ("确诊", "a confirmed case"),
    "cause_fact_test_result": ("检测结果", "a test result"),
    "cause_fact_quarantine_order": ("隔离令", "a quarantine order"),
    "cause_fact_identity_check": ("身份核验", "an identity check"),
    "cause_fact_manual_override": ("人工赋码（双人复核）", "a colour set by two officials"),
    "cause_fact_release": ("解除（双人复核）", "a release approved by two officials"),
    # what an official read (``oversight.audit`` records' ``what``)
    "read_status": ("健康码状态", "your code's status"),
    "read_profile": ("个人资料", "your profile"),
    "read_code": ("健康码", "your code"),
    "read_itinerary": ("行程记录", "your itinerary"),
    "read_quarantines": ("隔离名单", "the list of quarantines"),
    "read_cases": ("病例列表", "the list of cases"),
    "read_case": ("病例详情", "a case"),
    "read_case contacts": ("病例的接触者名单", "a case's contacts"),
    "read_reported case": ("报告病例", "a case reported"),
    "read_confirmed case": ("确诊病例", "a case confirmed"),
    "read_withdrawn case": ("撤销病例", "a case withdrawn"),
    "read_correction of case": ("更正病例", "a case corrected"),
    "read_report": ("病例报告", "a case report"),
    "read_withdrawal proposed for case": ("申请撤销病例", "a case's withdrawal proposed"),
    "read_proposals": ("待复核列表", "the four-eyes inbox"),
    "read_proposal": ("待复核的提议", "a four-eyes proposal"),
    "read_proposed release": ("申请解除隔离", "a release proposed"),
    "read_flagged check-ins": ("存疑签到列表", "the flagged check-ins"),
    "read_check-in review": ("存疑签到审核", "a check-in review"),
    "read_appeals": ("申诉列表", "the list of appeals"),
    "read_appeal": ("申诉", "an appeal"),
    "read_appeal upheld": ("维持原判的申诉", "an appeal upheld"),
    "read_staff listing": ("员工名单", "a staff listing"),
    "read_access_log": ("查阅记录", "your access log"),
    "read_website session opened through the channel (login)": (
        "经合作应用登录网站",
        "a website session opened through a partner app",
    ),
    "read_staff pass or stop": ("员工通行核验", "a staff pass check"),
    "read_status since code issued": (
        "出示健康码后的状态核验",
        "your status since your code was shown",
    ),
    "read_phone number, unmasked": ("完整手机号，目的", "your phone number in full, for"),
    "read_colour and reasons, for an arrival with consent": (
        "经你同意，为入境核验读取颜色和原因",
        "your colour and reasons, for an arrival you consented to",
    ),
}
