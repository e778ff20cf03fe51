"""Tracing parameters read from a policy's ``tracing:`` section, quarantine plans, risk-area
exposures and case-report checks, without I/O."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from healthcode.kernel.facts import Presence
from healthcode.policy.bundled import bundled_policy
from healthcode.tracing.model.cases import Classification, parse_details
from healthcode.tracing.model.findings import RISK_AREA, visit_of
from healthcode.tracing.model.quarantine import orders_for_findings, plan_orders
from healthcode.tracing.model.risk_areas import RiskArea, area_exposures, check_places, split_trip
from healthcode.tracing.settings import CHENGDU, DEFAULTS, QuarantineStep, parse_tracing

T = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


def test_defaults_follow_the_published_practice() -> None:
    """Defaults: 2 days before onset, 15 minutes at a venue, no companions, no quarantine orders."""
    settings, problems = parse_tracing(None)
    assert problems == [] and settings == DEFAULTS
    assert settings.infectious_days_before == 2 and settings.venue_min_overlap_minutes == 15
    assert settings.household and settings.transit and settings.secondary
    assert not settings.companion.enabled and dict(settings.quarantine) == {}


def test_chengdu_preset_and_overrides() -> None:
    """The Chengdu preset means over 10 minutes and 30 h in 14 days; keys beside it override it."""
    settings, problems = parse_tracing({"companion": {"preset": "chengdu"}})
    assert problems == [] and settings.companion == CHENGDU
    settings, problems = parse_tracing(
        {"companion": {"preset": "chengdu", "enabled": False, "dwell_hours": 0}}
    )
    assert problems == []
    assert not settings.companion.enabled and settings.companion.dwell_hours == 0


def test_quarantine_steps() -> None:
    """Orders are lists of steps; '7 + 3' is central then home."""
    settings, problems = parse_tracing(
        {
            "quarantine": {
                "close_contact": [{"setting": "central", "days": 7}, {"setting": "home", "days": 3}]
            }
        }
    )
    assert problems == []
    assert settings.quarantine["close_contact"] == (
        QuarantineStep(setting="central", days=7),
        QuarantineStep(setting="home", days=3),
    )


@pytest.mark.parametrize(
    ("section", "field"),
    [
        ({"venue": {"min_overlap_minutes": -1}}, "tracing.venue.min_overlap_minutes"),
        ({"venue": {"overlap": 15}}, "tracing.venue.overlap"),
        ({"household": "yes"}, "tracing.household"),
        ({"companion": {"preset": "wuhan"}}, "tracing.companion.preset"),
        ({"companion": {"cell_resolution": 7}}, "tracing.companion.cell_resolution"),
        ({"secondary": {"rules": ["school"]}}, "tracing.secondary.rules"),
        (
            {"quarantine": {"close_contact": [{"setting": "hotel", "days": 7}]}},
            "tracing.quarantine.close_contact[0].setting",
        ),
        ({"quarantine": {"visitors": []}}, "tracing.quarantine.visitors"),
        ({"whatever": 1}, "tracing.whatever"),
        ({"late_presences": {"rescan_minutes": 0}}, "tracing.late_presences.rescan_minutes"),
        ({"late_presences": {"hours": -1}}, "tracing.late_presences.hours"),
        ({"late_presences": {"every": 5}}, "tracing.late_presences.every"),
    ],
)
def test_bad_sections_name_the_key(section: dict[str, object], field: str) -> None:
    """Each mistake is reported with its ``tracing.`` path."""
    _, problems = parse_tracing(section)
    assert field in [p.field for p in problems]


@pytest.mark.parametrize("jurisdiction", ["330100", "310000", "110000"])
def test_bundled_policies_have_valid_tracing_sections(jurisdiction: str) -> None:
    """Every bundled policy's tracing section reads without a problem."""
    policy = bundled_policy(jurisdiction)
    assert "tracing" in policy.settings
    _, problems = parse_tracing(policy.settings["tracing"])
    assert problems == []


def test_plans_follow_one_another_from_the_last_contact() -> None:
    """Orders run on from the last contact, skipping finished steps; a current step starts now."""
    steps = [QuarantineStep(setting="central", days=7), QuarantineStep(setting="home", days=3)]
    orders = plan_orders(
        source_id="c",
        subject="s",
        key="close_contact",
        counted_from=T,
        issued_at=T + timedelta(days=1),
        steps=steps,
        reason="case c",
    )
    assert [(o.setting, o.at, o.planned_end) for o in orders] == [
        ("central", T + timedelta(days=1), T + timedelta(days=7)),
        ("home", T + timedelta(days=7), T + timedelta(days=10)),
    ]
    late = plan_orders(
        source_id="c",
        subject="s",
        key="close_contact",
        counted_from=T,
        issued_at=T + timedelta(days=8),
        steps=steps,
        reason="case c",
    )
    assert [o.setting for o in late] == ["home"]


def _presence(subject: str, place: str, cell: str, start: float, end: float) -> Presence:
    return Presence(
        id=f"{subject}{place}{start}",
        subject=subject,
        at=T + timedelta(hours=start),
        recorded_at=T,
        place_id=place,
        place_kind="market" if place != cell else "cell",
        until=T + timedelta(hours=end),
        source="checkin" if place != cell else "gps",
        cell=cell,
    )


def test_risk_area_exposures_and_their_orders() -> None:
    """Presence in a risk area during its window is an exposure at its level, with its orders."""
    cell = "8831aa5ab7fffff"
    area = RiskArea(
        id="area1",
        jurisdiction="330100",
        name="Xinfadi market",
        level="high",
        cells=(cell,),
        venues=("market1",),
        starts_at=T,
        ends_at=T + timedelta(days=2),
        declared_at=T,
        proposed_by="wang",
        approved_by="li",
    )
    presences = [
        _presence("buyer", "market1", "8831aa5ab1fffff", 1, 2),
        _presence("walker", cell, cell, 3, 4),
        _presence("early", "market1", "8831aa5ab1fffff", -5, -4),
    ]
    findings = area_exposures(area, (visit_of(p, DEFAULTS) for p in presences))
    assert {(f.subject, f.place_id, f.level, f.category) for f in findings} == {
        ("buyer", "market1", "high", RISK_AREA),
        ("walker", cell, "high", RISK_AREA),
    }
    orders = orders_for_findings(
        source_id="area1",
        findings=findings,
        quarantine={"risk_area_high": (QuarantineStep(setting="home", days=7),)},
        issued_at=T,
        reason="risk area",
    )
    assert {o.subject for o in orders} == {"buyer", "walker"}
    assert check_places(["not-a-cell"], [])[0].field == "payload.cells[0]"
    assert check_places([], [])[0].message.startswith("name at least one")


def test_risk_area_on_a_line_covers_its_trips() -> None:
    """An area naming a line covers its trips on every vehicle; one naming a trip, that vehicle."""
    area = RiskArea(
        id="area2",
        jurisdiction="330100",
        name="bus 7",
        level="medium",
        cells=(),
        venues=("line7", "line9:浙A1"),
        starts_at=T,
        ends_at=T + timedelta(days=1),
        declared_at=T,
        proposed_by="wang",
        approved_by="li",
    )
    rides = [
        replace(_presence(s, place, "8831aa5ab1fffff", 1, 2), place_kind="bus_route")
        for s, place in (
            ("a", "line7:浙A1"),
            ("b", "line7:浙B2"),
            ("c", "line9:浙A1"),
            ("d", "line9:浙B2"),
            ("e", "line70:浙A1"),
        )
    ]
    findings = area_exposures(area, (visit_of(p, DEFAULTS) for p in rides))
    assert [(f.subject, f.place_id) for f in findings] == [
        ("a", "line7:浙A1"),
        ("b", "line7:浙B2"),
        ("c", "line9:浙A1"),
    ]
    assert [c.place_id for c in findings[1].contacts] == ["line7:浙B2"]
    assert split_trip("line7:浙A1:x") == ("line7", "浙A1:x")
    assert split_trip("market1") == ("market1", None)


def test_case_reports_are_checked() -> None:
    """A report needs a subject, past sampling, a test reference and onset unless asymptomatic."""
    details, problems = parse_details(
        {"subject": "s", "sampled_at": T.isoformat(), "asymptomatic": True, "test_reference": "L1"},
        now=T + timedelta(hours=1),
    )
    assert problems == [] and details is not None
    assert details.classification is Classification.ASYMPTOMATIC
    _, problems = parse_details(
        {"subject": "s", "sampled_at": "2026-03-10T10:00:00", "test_reference": ""},
        now=T,
    )
    fields = {p.field for p in problems}
    assert {"payload.sampled_at", "payload.onset_at", "payload.test_reference"} <= fields
    _, problems = parse_details(
        {
            "subject": "s",
            "sampled_at": (T + timedelta(hours=2)).isoformat(),
            "onset_at": T.isoformat(),
            "asymptomatic": True,
            "test_reference": "L1",
        },
        now=T,
    )
    assert {p.message for p in problems} >= {
        "must not be in the future",
        "an asymptomatic case has no symptom onset",
    }


def test_late_presences_rescan_settings() -> None:
    """Cases are rescanned every 15 minutes for 72 hours unless the policy says otherwise."""
    assert (DEFAULTS.late_rescan_minutes, DEFAULTS.late_hours) == (15.0, 72.0)
    settings, problems = parse_tracing({"late_presences": {"rescan_minutes": 5, "hours": 0}})
    assert problems == []
    assert (settings.late_rescan.total_seconds(), settings.late_horizon.total_seconds()) == (300, 0)
