"""The words of the web pages, in Chinese and English. The server renders a page's HTML with
them and hands the same table to the page's scripts (``texts`` JSON in the page)."""

from __future__ import annotations

from typing import Final

LANGUAGES: Final = ("zh", "en")

_TEXTS: Final[dict[str, tuple[str, str]]] = {
    # frame
    "site": ("健康码", "Health code"),
    "skip": ("跳到正文", "Skip to content"),
    "other_language": ("English", "中文"),
    "language_switch": ("切换语言", "Change language"),
    "home": ("首页", "Home"),
    # start page
    "start_title": ("本服务", "This service"),
    "city": ("城市", "City"),
    "policy_version": ("赋码规则版本", "Policy version"),
    "trust_list": ("信任列表序号", "Trust list sequence"),
    "trust_list_none": (
        "无可用签名密钥（运行 healthcode keys init）",
        "no signing key (run healthcode keys init)",
    ),
    "faces": ("入口", "Ways in"),
    "face_citizen": ("我的健康码", "My health code"),
    "face_citizen_about": (
        "市民：亮码、申报、查看原因和记录",
        "Citizens: show your code, declare, see why and your records",
    ),
    "face_scanner": ("查验扫码", "Checkpoint scanner"),
    "face_console": ("防疫管理", "Authority console"),
    "face_later": ("即将提供", "coming later"),
    "face_docs": ("接口文档", "API documentation"),
    "face_docs_about": (
        "开发者：HTTP 接口（离线可用）",
        "Developers: the HTTP API (works offline)",
    ),
    # citizen: sign-in
    "login_title": ("登录", "Log in"),
    "phone": ("手机号", "Phone number"),
    "password": ("密码", "Password"),
    "password_hint": ("至少10个字符", "At least 10 characters"),
    "log_in": ("登录", "Log in"),
    "log_out": ("退出登录", "Log out"),
    "no_account": ("还没有账号？注册", "No account yet? Sign up"),
    "sign_up_title": ("注册", "Sign up"),
    "send_code": ("发送验证码", "Send the code"),
    "code_sent": ("验证码已发送，请查看短信", "The code was sent: check your text messages"),
    "sms_code": ("短信验证码（6位）", "Code from the text message (6 digits)"),
    "name": ("姓名", "Name"),
    "id_type": ("证件类型", "Kind of ID"),
    "id_resident": ("居民身份证", "Resident ID card"),
    "id_passport": ("护照", "Passport"),
    "id_number": ("证件号码", "ID number"),
    "address": ("住址", "Address"),
    "consent_location": ("同意用于流调的位置记录", "I agree to location records for tracing"),
    "sign_up": ("注册", "Sign up"),
    "signed_up": ("已提交。请用手机号和密码登录。", "Done. Log in with your phone and password."),
    "have_account": ("已有账号？登录", "Have an account? Log in"),
    # citizen: code page
    "code_title": ("我的健康码", "My health code"),
    "colour_green": ("绿码", "Green code"),
    "colour_yellow": ("黄码", "Yellow code"),
    "colour_red": ("红码", "Red code"),
    "action_green": ("可通行", "Pass"),
    "action_yellow": ("请居家观察", "Stay home and watch your health"),
    "action_red": ("请隔离", "Quarantine"),
    "issuer": ("签发地", "Issued by"),
    "now": ("当前时间", "Time now"),
    "expires": ("有效至", "Valid until"),
    "left": ("剩余", "left"),
    "expired": ("已过期", "Expired"),
    "offline": (
        "网络不可用：显示上次获取的码",
        "Offline: showing the last code fetched",
    ),
    "loading": ("正在加载…", "Loading…"),
    "qr_label": ("健康码二维码", "Health code QR"),
    "why": ("为什么是这个颜色", "Why this colour"),
    "no_reasons": ("没有风险记录。", "Nothing holds against you."),
    "since": ("开始", "Since"),
    "until": ("结束", "Until"),
    "countdown": ("倒计时", "Time left"),
    "clears_when": ("如何转绿", "What clears it"),
    "notices": ("提醒", "Notices"),
    "withheld": ("暂不显示健康码", "Your code is not shown yet"),
    "unverified": (
        "身份尚未核验：请在合作应用中完成刷脸核验，核验后此页会自动显示健康码。",
        "Your identity is not verified yet: confirm it with a face check in a partner app; "
        "this page then shows your code by itself.",
    ),
    "taken_back": (
        "该身份已由他人核验，请联系客服。",
        "This identity was verified for someone else: contact the help desk.",
    ),
    "days": ("天", "d"),
    # citizen: navigation
    "nav_code": ("健康码", "Code"),
    "nav_declare": ("申报", "Declare"),
    "nav_history": ("记录", "History"),
    "nav_exposures": ("接触", "Exposures"),
    "nav_access": ("查阅记录", "Who read my data"),
    # citizen: declarations
    "declare_title": ("健康与行程申报", "Health and travel declarations"),
    "health_title": ("健康申报", "Health declaration"),
    "temperature": ("体温（°C）", "Temperature (°C)"),
    "symptoms": ("症状", "Symptoms"),
    "symptom_fever": ("发热", "Fever"),
    "symptom_cough": ("咳嗽", "Cough"),
    "symptom_sore_throat": ("咽痛", "Sore throat"),
    "symptom_fatigue": ("乏力", "Fatigue"),
    "symptom_loss_of_smell_or_taste": ("嗅觉或味觉减退", "Loss of smell or taste"),
    "symptom_shortness_of_breath": ("呼吸困难", "Shortness of breath"),
    "symptom_diarrhoea": ("腹泻", "Diarrhoea"),
    "note": ("备注", "Note"),
    "submit_health": ("提交健康申报", "Send the health declaration"),
    "travel_title": ("行程申报", "Travel declaration"),
    "place": ("到访地区代码（如 310000）", "Region code visited (e.g. 310000)"),
    "from_date": ("开始日期", "From"),
    "to_date": ("结束日期", "To"),
    "submit_travel": ("提交行程申报", "Send the travel declaration"),
    "declared": ("已提交。你的状态：", "Sent. Your status now:"),
    "my_declarations": ("我的申报", "My declarations"),
    # citizen: records
    "history_title": ("状态变更记录", "Status history"),
    "exposures_title": ("接触记录", "Exposures"),
    "exposures_about": (
        "流调记录的与你有关的事实与依据（不会显示病例是谁）。",
        "What tracing recorded about you, with its evidence (never who the case was).",
    ),
    "access_title": ("谁查阅了我的数据", "Who read my data"),
    "nothing": ("暂无记录。", "Nothing recorded."),
    "cause": ("原因", "Cause"),
    "overlap": ("重叠分钟数", "Minutes of overlap"),
    "kind_exposure": ("接触", "Exposure"),
    "kind_quarantine_order": ("隔离令", "Quarantine order"),
    "evidence": ("依据", "Evidence"),
    "where": ("地点", "Place"),
    "category_close_contact": ("密切接触者", "Close contact"),
    "category_secondary_contact": ("次密切接触者", "Secondary contact"),
    "category_companion": ("同行人员", "Travelling companion"),
    "category_risk_area": ("到访风险区域", "Visited a risk area"),
    "category_risk_area_low": ("到访低风险区域", "Visited a low-risk area"),
    "category_risk_area_medium": ("到访中风险区域", "Visited a medium-risk area"),
    "category_risk_area_high": ("到访高风险区域", "Visited a high-risk area"),
    "source_case": ("病例", "a case"),
    "source_risk_area": ("风险区域", "a risk area"),
    "source_there": ("感染源在场", "The source was there"),
    "you_there": ("你在场", "You were there"),
    "planned_end": ("计划结束", "Planned end"),
    "setting": ("隔离方式", "Setting"),
    "setting_home": ("居家", "at home"),
    "setting_central": ("集中", "central (a quarantine site)"),
    "retracted": ("已撤回", "Withdrawn"),
    "secondary": ("次密接", "Secondary contact"),
    "error": ("出错了：", "Something went wrong: "),
}

SYMPTOMS: Final = (
    "fever",
    "cough",
    "sore_throat",
    "fatigue",
    "loss_of_smell_or_taste",
    "shortness_of_breath",
    "diarrhoea",
)
"""The symptoms a health declaration may name (``status.schemas``), in the form's order."""


def texts(lang: str) -> dict[str, str]:
    """Every text of the pages in ``lang`` (zh or en)."""
    index = LANGUAGES.index(lang)
    return {key: pair[index] for key, pair in _TEXTS.items()}
