"""Tracing parameters: the ``tracing:`` section of a policy, read into typed settings.

Every parameter has a published default (REFERENCE.md), so a policy without the section traces
the way the WHO and the national practice of 2022 describe. The section, as YAML::

    tracing:
      infectious_days_before: 2          # window starts 2 days before onset (or sampling)
      household: true                    # same normalised home address
      venue: {enabled: true, min_overlap_minutes: 15, assumed_stay_minutes: 60}
      transit: {enabled: true, min_overlap_minutes: 0, assumed_ride_minutes: 30}
      companion: {enabled: false, preset: chengdu}    # same H3 cell (spatio-temporal)
      secondary: {enabled: true, rules: [household, venue, transit]}
      quarantine:                        # orders per category, counted from the last contact
        close_contact: [{setting: central, days: 7}, {setting: home, days: 3}]
      risk_area_rescan_minutes: 5        # how often active risk areas look for new presences
      late_presences: {rescan_minutes: 15, hours: 72}   # confirmed cases traced again

Check-ins and scans are instants; they count as stays of ``assumed_stay_minutes`` (venues) or
rides of ``assumed_ride_minutes`` (transit). ``min_overlap_minutes: 0`` means any overlap.

Presences reach the service late: a checkpoint offline for a day uploads its scans when it is
back, a telecom file comes in batches. For ``late_presences.hours`` after its confirmation a
case is traced again every ``late_presences.rescan_minutes`` (``hours: 0`` turns this off);
tracing is idempotent, so a rescan records only what the late presences add.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from types import MappingProxyType
from typing import Final

from healthcode.kernel.errors import InvalidInput, Problem
from healthcode.policy.model import Policy

STORED_CELL_RESOLUTION: Final = 8  # presences carry H3 resolution-8 cells (DESIGN §6)
QUARANTINE_SETTINGS: Final = ("home", "central")
QUARANTINE_KEYS: Final = (
    "case",
    "close_contact",
    "secondary_contact",
    "companion",
    "risk_area",
    "risk_area_low",
    "risk_area_medium",
    "risk_area_high",
)
SECONDARY_RULES: Final = ("household", "venue", "transit")


@dataclass(frozen=True, kw_only=True)
class CompanionSettings:
    """Spatio-temporal companions: the same H3 cell as the case for long enough.

    ``strictly_more``: the overlap must exceed ``min_overlap_minutes`` (Chengdu: "> 10 min").
    ``dwell_hours`` > 0 adds Chengdu's second condition: the case or the companion spent at
    least that long in the cell within the ``dwell_days`` ending with the infectious window."""

    enabled: bool = False
    min_overlap_minutes: float = 10.0
    strictly_more: bool = True
    dwell_hours: float = 30.0
    dwell_days: float = 14.0
    sources: tuple[str, ...] = ("gps", "telecom")

    @property
    def dwell_lookback(self) -> timedelta:
        return timedelta(days=self.dwell_days) if self.dwell_hours > 0 else timedelta(0)


# REFERENCE "Spatio-temporal companion (Chengdu, Nov 2021)": shared an 800 m cell with a case's
# phone for > 10 minutes, and either phone spent >= 30 h in that cell in 14 days (telecom data).
CHENGDU: Final = CompanionSettings(
    enabled=True,
    min_overlap_minutes=10.0,
    strictly_more=True,
    dwell_hours=30.0,
    dwell_days=14.0,
    sources=("gps", "telecom"),
)
PRESETS: Final[Mapping[str, CompanionSettings]] = MappingProxyType({"chengdu": CHENGDU})


@dataclass(frozen=True, kw_only=True)
class QuarantineStep:
    """One step of an order: where, and for how many days (steps follow one another)."""

    setting: str
    days: float


@dataclass(frozen=True, kw_only=True)
class TracingSettings:
    infectious_days_before: float = 2.0  # WHO: from 2 days before symptom onset
    household: bool = True
    venue: bool = True
    venue_min_overlap_minutes: float = 15.0  # WHO: >= 15 minutes
    venue_assumed_stay_minutes: float = 60.0
    transit: bool = True
    transit_min_overlap_minutes: float = 0.0
    transit_assumed_ride_minutes: float = 30.0
    companion: CompanionSettings = field(default_factory=CompanionSettings)
    secondary: bool = True
    secondary_rules: tuple[str, ...] = SECONDARY_RULES
    quarantine: Mapping[str, tuple[QuarantineStep, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    risk_area_rescan_minutes: float = 5.0
    late_rescan_minutes: float = 15.0
    late_hours: float = 72.0

    @property
    def late_rescan(self) -> timedelta:
        return timedelta(minutes=self.late_rescan_minutes)

    @property
    def late_horizon(self) -> timedelta:
        return timedelta(hours=self.late_hours)

    @property
    def days_before(self) -> timedelta:
        return timedelta(days=self.infectious_days_before)


DEFAULTS: Final = TracingSettings()


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(f"tracing.{path}" if path else "tracing", message))

    def mapping(self, value: object, path: str, keys: tuple[str, ...]) -> Mapping[str, object]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.problem(path, "must be a mapping")
            return {}
        for key in value:
            if key not in keys:
                self.problem(f"{path}.{key}" if path else str(key), f"unknown key; known: {keys}")
        return value

    def flag(self, value: object, path: str, default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(path, "must be true or false")
            return default
        return value

    def number(self, value: object, path: str, default: float, *, allow_zero: bool = True) -> float:
        if value is None:
            return default
        wrong = "must be a positive number" + (" or 0" if allow_zero else "")
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(path, wrong)
            return default
        if value < 0 or (value == 0 and not allow_zero):
            self.problem(path, wrong)
            return default
        return float(value)

    def switch(self, value: object, path: str) -> Mapping[str, object]:
        """A section that may also be written as a bare true/false."""
        if isinstance(value, bool):
            return {"enabled": value}
        return self.mapping(value, path, _SECTION_KEYS[path])


_SECTION_KEYS: Mapping[str, tuple[str, ...]] = {
    "venue": ("enabled", "min_overlap_minutes", "assumed_stay_minutes"),
    "late_presences": ("rescan_minutes", "hours"),
    "transit": ("enabled", "min_overlap_minutes", "assumed_ride_minutes"),
    "companion": (
        "enabled",
        "preset",
        "cell_resolution",
        "min_overlap_minutes",
        "strictly_more",
        "dwell_hours",
        "dwell_days",
        "sources",
    ),
    "secondary": ("enabled", "rules"),
}
_TOP_KEYS = (
    "infectious_days_before",
    "household",
    "venue",
    "transit",
    "companion",
    "secondary",
    "quarantine",
    "risk_area_rescan_minutes",
    "late_presences",
)


def _companion(r: _Reader, value: object) -> CompanionSettings:
    section = r.switch(value, "companion")
    base = CompanionSettings()
    preset = section.get("preset")
    if preset is not None:
        if not isinstance(preset, str) or preset not in PRESETS:
            r.problem("companion.preset", f"unknown preset; known: {sorted(PRESETS)}")
        else:
            base = PRESETS[preset]
    resolution = section.get("cell_resolution")
    if resolution is not None and resolution != STORED_CELL_RESOLUTION:
        r.problem(
            "companion.cell_resolution",
            f"must be {STORED_CELL_RESOLUTION}: presences carry resolution-8 cells",
        )
    sources = section.get("sources", base.sources)
    if not isinstance(sources, list | tuple) or not all(isinstance(s, str) for s in sources):
        r.problem("companion.sources", "must be a list of presence sources, e.g. [gps, telecom]")
        sources = base.sources
    return CompanionSettings(
        enabled=r.flag(section.get("enabled"), "companion.enabled", base.enabled or bool(preset)),
        min_overlap_minutes=r.number(
            section.get("min_overlap_minutes"),
            "companion.min_overlap_minutes",
            base.min_overlap_minutes,
        ),
        strictly_more=r.flag(
            section.get("strictly_more"), "companion.strictly_more", base.strictly_more
        ),
        dwell_hours=r.number(section.get("dwell_hours"), "companion.dwell_hours", base.dwell_hours),
        dwell_days=r.number(
            section.get("dwell_days"), "companion.dwell_days", base.dwell_days, allow_zero=False
        ),
        sources=tuple(str(s) for s in sources),
    )


def _quarantine(r: _Reader, value: object) -> Mapping[str, tuple[QuarantineStep, ...]]:
    section = r.mapping(value, "quarantine", QUARANTINE_KEYS)
    orders: dict[str, tuple[QuarantineStep, ...]] = {}
    for key, raw_steps in section.items():
        path = f"quarantine.{key}"
        if not isinstance(raw_steps, list):
            r.problem(path, "must be a list of steps like {setting: central, days: 7}")
            continue
        steps: list[QuarantineStep] = []
        for i, raw in enumerate(raw_steps):
            step = r.mapping(raw, f"{path}[{i}]", ("setting", "days"))
            setting = step.get("setting")
            if setting not in QUARANTINE_SETTINGS:
                r.problem(f"{path}[{i}].setting", f"must be one of {QUARANTINE_SETTINGS}")
                continue
            days = r.number(step.get("days"), f"{path}[{i}].days", 0.0, allow_zero=False)
            if days > 0:
                steps.append(QuarantineStep(setting=str(setting), days=days))
            elif "days" not in step:
                r.problem(f"{path}[{i}].days", "is required")
        orders[str(key)] = tuple(steps)
    return MappingProxyType(orders)


def parse_tracing(section: Mapping[str, object] | None) -> tuple[TracingSettings, list[Problem]]:
    """The settings a policy's ``tracing`` section gives (defaults for what it leaves out),
    and the problems found in it (each naming its ``tracing.<key>`` path)."""
    r = _Reader()
    top = r.mapping(section, "", _TOP_KEYS)
    venue = r.switch(top.get("venue"), "venue")
    transit = r.switch(top.get("transit"), "transit")
    secondary = r.switch(top.get("secondary"), "secondary")
    late = r.mapping(top.get("late_presences"), "late_presences", _SECTION_KEYS["late_presences"])
    rules = secondary.get("rules", list(SECONDARY_RULES))
    if not isinstance(rules, list | tuple) or any(x not in SECONDARY_RULES for x in rules):
        r.problem("secondary.rules", f"must be a list of {SECONDARY_RULES}")
        rules = list(SECONDARY_RULES)
    d = DEFAULTS
    settings = replace(
        d,
        infectious_days_before=r.number(
            top.get("infectious_days_before"), "infectious_days_before", d.infectious_days_before
        ),
        household=r.flag(top.get("household"), "household", d.household),
        venue=r.flag(venue.get("enabled"), "venue.enabled", d.venue),
        venue_min_overlap_minutes=r.number(
            venue.get("min_overlap_minutes"),
            "venue.min_overlap_minutes",
            d.venue_min_overlap_minutes,
        ),
        venue_assumed_stay_minutes=r.number(
            venue.get("assumed_stay_minutes"),
            "venue.assumed_stay_minutes",
            d.venue_assumed_stay_minutes,
        ),
        transit=r.flag(transit.get("enabled"), "transit.enabled", d.transit),
        transit_min_overlap_minutes=r.number(
            transit.get("min_overlap_minutes"),
            "transit.min_overlap_minutes",
            d.transit_min_overlap_minutes,
        ),
        transit_assumed_ride_minutes=r.number(
            transit.get("assumed_ride_minutes"),
            "transit.assumed_ride_minutes",
            d.transit_assumed_ride_minutes,
        ),
        companion=_companion(r, top.get("companion")),
        secondary=r.flag(secondary.get("enabled"), "secondary.enabled", d.secondary),
        secondary_rules=tuple(str(x) for x in rules),
        quarantine=_quarantine(r, top.get("quarantine")),
        risk_area_rescan_minutes=r.number(
            top.get("risk_area_rescan_minutes"),
            "risk_area_rescan_minutes",
            d.risk_area_rescan_minutes,
            allow_zero=False,
        ),
        late_rescan_minutes=r.number(
            late.get("rescan_minutes"),
            "late_presences.rescan_minutes",
            d.late_rescan_minutes,
            allow_zero=False,
        ),
        late_hours=r.number(late.get("hours"), "late_presences.hours", d.late_hours),
    )
    return settings, r.problems


def tracing_problems(policy: Policy) -> list[Problem]:
    """What is wrong with the policy's ``tracing`` section (empty: nothing)."""
    return parse_tracing(policy.settings.get("tracing"))[1]


def tracing_settings(policy: Policy) -> TracingSettings:
    """The policy's tracing settings; a bad section is refused naming each key."""
    settings, problems = parse_tracing(policy.settings.get("tracing"))
    if problems:
        raise InvalidInput(problems)
    return settings
