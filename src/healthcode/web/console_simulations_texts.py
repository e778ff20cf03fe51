"""The words of the console's simulations page (the simulator's reports), in Chinese and
English; merged into the pages' table by ``texts.texts``. Every key starts with ``sim_`` so that
no other face's table names it."""

from __future__ import annotations

from typing import Final

CONSOLE_SIMULATIONS_TEXTS: Final[dict[str, tuple[str, str]]] = {
    "sim_nav": ("模拟报告", "Simulations"),
    "sim_about": (
        "合成城市中按各赋码规则模拟疫情的结果（healthcode simulate），"
        "均为模拟数据，不含任何真实人员。",
        "What each policy caught and cost in a synthetic city (healthcode simulate): simulated "
        "figures only, no real person in them.",
    ),
    "sim_reports": ("报告", "Reports"),
    "sim_not_configured": (
        "本实例未配置模拟报告目录（HEALTHCODE_SIMULATION_REPORTS_DIR）。",
        "This instance has no folder of simulation reports (HEALTHCODE_SIMULATION_REPORTS_DIR).",
    ),
    "sim_none": (
        "目录中还没有报告：运行 healthcode simulate run --report 目录/名称。",
        "No report in the folder yet: run healthcode simulate run --report DIR/NAME.",
    ),
    "sim_written": ("生成时间", "Written"),
    "sim_params": (
        "{population} 名居民，{days} 天，随机种子 {seed}",
        "{population} residents, {days} days, seed {seed}",
    ),
    "sim_policies": ("赋码规则", "Policies"),
    "sim_table": ("各规则对比", "The policies side by side"),
    "sim_measure": ("指标", "Measure"),
    "sim_plots": ("随时间变化", "Over time"),
    "sim_plot_missing": ("（图缺失）", "(plot missing)"),
    "sim_back": ("全部报告", "All reports"),
    "sim_row_infections": ("感染人数", "infections"),
    "sim_row_confirmed_cases": ("确诊病例", "confirmed cases"),
    "sim_row_days_yellow": ("黄码人天", "person-days yellow"),
    "sim_row_days_red": ("红码人天", "person-days red"),
    "sim_row_precision": ("精确率（任一规则）", "precision (any rule)"),
    "sim_row_recall": ("召回率（任一规则）", "recall (any rule)"),
    "sim_row_flagged_per_case": ("每例标记人数", "flagged per case"),
    "sim_row_median_hours": ("标记用时中位数（小时）", "time to flag, median h"),
    "sim_row_p95_hours": ("标记用时 95 分位（小时）", "time to flag, p95 h"),
    "sim_row_false_reds": ("误判红码", "false reds"),
    "sim_measured_title": ("模拟城市中的测量", "Measured in the simulated city"),
    "sim_measured_about": (
        "此规则文本（逐字相同）在模拟城市中的运行结果，最新在前：标记的人中真正接触过的比例"
        "（精确率）、确诊者传染的人中在具传染性前被标记的比例（召回率）及其代价。",
        "The runs of this exact policy text in the simulated city, newest first: how many of "
        "those it flagged were really exposed (precision), how many people infected by a "
        "confirmed case it flagged before they could infect others (recall), and what it cost.",
    ),
    "sim_measured_none": (
        "此规则文本从未在模拟城市中测量：不知道它标记的人中有多少真正接触过，也不知道它漏掉了"
        "多少感染。请先运行 healthcode simulate run --policy 文件 --report 目录/名称。",
        "This policy text was never measured in the simulated city: how many of those it flags "
        "were really exposed, and how many infections it misses, is unknown. Run healthcode "
        "simulate run --policy FILE --report DIR/NAME first.",
    ),
    "sim_measured_unread": (
        "无法读取模拟测量结果。",
        "The simulator's measures could not be read.",
    ),
    "sim_plot_infections": ("按运行天数的每日新增感染", "New infections per day of the run"),
    "sim_plot_restricted": (
        "按运行天数的每日黄码或红码居民",
        "Residents with a yellow or red code, each day of the run",
    ),
}
