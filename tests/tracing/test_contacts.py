"""Tracing rules without I/O: hand-built presences, who is flagged by which rule, who is not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from healthcode.kernel.facts import Presence
from healthcode.tracing.model.contacts import (
    close_contacts,
    companions,
    counts_by_rule,
    most_severe,
    secondary_contacts,
    secondary_windows,
)
from healthcode.tracing.model.findings import (
    CLOSE_CONTACT,
    COMPANION,
    SECONDARY_CONTACT,
    Interval,
    PlaceClass,
    TraceRule,
    Visit,
    exposure_id,
    infectious_window,
    place_class,
    visit_of,
)
from healthcode.tracing.settings import CHENGDU, TracingSettings

T = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 10:00 in China
SETTINGS = TracingSettings()
CELL = "8831aa5ab7fffff"


def at(minutes: float) -> datetime:
    return T + timedelta(minutes=minutes)


def presence(
    subject: str,
    place: str,
    start: float,
    end: float | None = None,
    *,
    kind: str = "restaurant",
    source: str = "checkin",
    cell: str | None = None,
    pid: str | None = None,
) -> Presence:
    """A presence from ``start`` to ``end`` minutes after T (an instant when ``end`` is None)."""
    return Presence(
        id=pid or f"{subject}-{place}-{start}",
        subject=subject,
        at=at(start),
        recorded_at=at(start),
        place_id=place,
        place_kind=kind,
        until=at(start if end is None else end),
        source=source,
        cell=cell,
    )


def visits(*presences: Presence, settings: TracingSettings = SETTINGS) -> list[Visit]:
    return [visit_of(p, settings) for p in presences]


WINDOW = Interval(at(-2 * 24 * 60), at(24 * 60))


def trace(
    case: list[Presence],
    others: list[Presence],
    *,
    household: list[str] | None = None,
    settings: TracingSettings = SETTINGS,
) -> dict[str, set[str]]:
    found = close_contacts(
        case_subject="case",
        window=WINDOW,
        case_visits=visits(*case, settings=settings),
        candidates=visits(*others, settings=settings),
        household=household or [],
        settings=settings,
    )
    by_rule: dict[str, set[str]] = {}
    for f in found:
        by_rule.setdefault(f.rule.value, set()).add(f.subject)
    return by_rule


def test_intervals_are_half_open() -> None:
    """Two intervals that only touch share no time; one second of overlap counts."""
    a = Interval(at(0), at(10))
    assert a.overlap(Interval(at(10), at(20))) is None
    common = a.overlap(Interval(at(9), at(20)))
    assert common == Interval(at(9), at(10)) and common.minutes == 1


def test_infectious_window_starts_two_days_before_onset_and_ends_at_isolation() -> None:
    """The default window runs from 2 days before onset, or earlier sampling, until isolation."""
    onset, sampled, isolated = at(0), at(24 * 60), at(48 * 60)
    w = infectious_window(
        onset_at=onset, sampled_at=sampled, isolated_at=isolated, settings=SETTINGS
    )
    assert w == Interval(onset - timedelta(days=2), isolated)
    w = infectious_window(
        onset_at=None, sampled_at=sampled, isolated_at=isolated, settings=SETTINGS
    )
    assert w.start == sampled - timedelta(days=2)
    early = infectious_window(
        onset_at=None,
        sampled_at=sampled,
        isolated_at=sampled - timedelta(days=3),
        settings=SETTINGS,
    )
    assert early.start == early.end  # isolated before the window began: nobody was exposed


def test_venue_overlap_of_at_least_the_policy_minutes() -> None:
    """An overlap of 15 minutes at the same venue flags a close contact; 14 minutes does not."""
    case = [presence("case", "louwailou", 0, 60)]
    found = trace(
        case,
        [
            presence("long", "louwailou", 45, 90),
            presence("short", "louwailou", 46, 90),
            presence("elsewhere", "kfc", 0, 60),
        ],
    )
    assert found == {"venue": {"long"}}


def test_check_ins_count_as_assumed_stays() -> None:
    """A check-in counts as a stay of the policy's assumed length, 60 minutes by default."""
    case = [presence("case", "louwailou", 0)]
    found = trace(case, [presence("near", "louwailou", 45), presence("later", "louwailou", 46)])
    assert found == {"venue": {"near"}}
    longer = TracingSettings(venue_assumed_stay_minutes=120)
    assert trace(case, [presence("later", "louwailou", 46)], settings=longer) == {
        "venue": {"later"}
    }


def test_same_trip_any_overlap_but_not_another_vehicle() -> None:
    """Any overlap on the same trip is close contact; another vehicle or a later ride is not."""
    ride = dict(kind="bus_route", source="transit")
    case = [presence("case", "line7:浙A12345", 0, 20, **ride)]  # type: ignore[arg-type]
    found = trace(
        case,
        [
            presence("rider", "line7:浙A12345", 19, 40, **ride),  # type: ignore[arg-type]
            presence("other-bus", "line7:浙A99999", 0, 20, **ride),  # type: ignore[arg-type]
            presence("later", "line7:浙A12345", 20, 40, **ride),  # type: ignore[arg-type]
        ],
    )
    assert found == {"transit": {"rider"}}
    assert place_class("bus_route", "line7:浙A12345") is PlaceClass.TRIP
    assert place_class("subway_station", "station-3") is PlaceClass.VENUE


def test_household_members_for_the_whole_window_and_only_within_it() -> None:
    """Household members are close contacts; presences outside the window flag no one."""
    case = [presence("case", "louwailou", -4 * 24 * 60, -4 * 24 * 60 + 60)]
    found = trace(
        case,
        [presence("then", "louwailou", -4 * 24 * 60, -4 * 24 * 60 + 60)],
        household=["case", "spouse", "child"],
    )
    assert found == {"household": {"spouse", "child"}}


def test_rules_can_be_switched_off() -> None:
    """A policy without household, venue or transit tracing flags nobody by that rule."""
    off = TracingSettings(household=False, venue=False)
    found = trace(
        [presence("case", "louwailou", 0, 60)],
        [presence("diner", "louwailou", 0, 60)],
        household=["spouse"],
        settings=off,
    )
    assert found == {}


def _stay(
    subject: str, start: float, end: float, *, cell: str = CELL, source: str = "telecom"
) -> Presence:
    return presence(subject, cell, start, end, kind="cell", source=source, cell=cell)


def test_chengdu_companions_need_more_than_ten_minutes_and_thirty_hours() -> None:
    """Chengdu companions share a cell over 10 minutes where either spent 30 h in 14 days."""
    settings = TracingSettings(companion=CHENGDU)
    home = [_stay("case", -40 * 60, -5 * 60)]  # 35 h in the cell: the dwell condition holds
    case = [*home, _stay("case", 0, 60)]
    others = [
        _stay("eleven", 49, 120),
        _stay("ten", 50, 120),
        _stay("gps", 0, 60, source="gps"),
        presence("diner", "louwailou", 0, 60, cell=CELL),  # a check-in: not a location stay
    ]
    found = companions(
        case_subject="case",
        window=WINDOW,
        case_visits=visits(*case),
        candidates=visits(*others),
        settings=settings,
    )
    assert {f.subject for f in found} == {"eleven", "gps"}
    assert all(f.rule is TraceRule.COMPANION and f.category == COMPANION for f in found)
    # without 30 h by either phone nobody is a companion
    brief = companions(
        case_subject="case",
        window=WINDOW,
        case_visits=visits(_stay("case", 0, 60)),
        candidates=visits(*others),
        settings=settings,
    )
    assert brief == []


def test_companions_off_by_default() -> None:
    """Without the companion rule switched on, sharing a cell flags nobody."""
    found = companions(
        case_subject="case",
        window=WINDOW,
        case_visits=visits(_stay("case", 0, 600)),
        candidates=visits(_stay("x", 0, 600)),
        settings=SETTINGS,
    )
    assert found == []


def test_secondary_contacts_after_the_close_contacts_exposure_until_confirmation() -> None:
    """Meeting a close contact after their exposure and before confirmation is secondary contact."""
    case = [presence("case", "louwailou", 0, 60)]
    primary = close_contacts(
        case_subject="case",
        window=WINDOW,
        case_visits=visits(*case),
        candidates=visits(presence("cc", "louwailou", 30, 90)),
        household=[],
        settings=SETTINGS,
    )
    cutoff = at(24 * 60)
    windows = secondary_windows(primary, cutoff)
    assert windows == {"cc": Interval(at(30), cutoff)}
    cc_visits = visits(
        presence("cc", "office", -600, -500),  # before the exposure
        presence("cc", "office", 120, 600),
        presence("cc", "gym", 25 * 60, 26 * 60),  # after the confirmation
    )
    candidates = visits(
        presence("before", "office", -600, -500),
        presence("colleague", "office", 300, 400),
        presence("gym-goer", "gym", 25 * 60, 26 * 60),
        presence("case", "office", 300, 400),
    )
    found = secondary_contacts(
        windows=windows,
        contact_visits={"cc": cc_visits},
        candidates=candidates,
        households={"cc": ["cc-partner"]},
        settings=SETTINGS,
        exclude={"case", "cc"},
    )
    assert {(f.subject, f.rule) for f in found} == {
        ("colleague", TraceRule.SECONDARY_VENUE),
        ("cc-partner", TraceRule.SECONDARY_HOUSEHOLD),
    }
    assert all(f.category == SECONDARY_CONTACT for f in found)
    off = TracingSettings(secondary=False)
    assert (
        secondary_contacts(
            windows=windows,
            contact_visits={"cc": cc_visits},
            candidates=candidates,
            households={},
            settings=off,
            exclude={"case", "cc"},
        )
        == []
    )


def test_a_secondary_contact_has_one_finding_per_place_whoever_they_met_there() -> None:
    """Three close contacts met at a market make one finding there, a contact per distinct time."""
    # two close contacts there at the same times make one contact; a household shared with two
    # close contacts is one finding with both their windows
    cutoff = at(24 * 60)
    windows = {"cc1": Interval(at(0), cutoff), "cc2": Interval(at(10), cutoff)}
    windows["cc3"] = Interval(at(0), cutoff)
    cc_visits = {
        "cc1": visits(presence("cc1", "market", 100, 160)),
        "cc2": visits(presence("cc2", "market", 100, 160)),
        "cc3": visits(presence("cc3", "market", 130, 200), presence("cc3", "office", 300, 400)),
    }
    candidates = visits(
        presence("shopper", "market", 90, 190), presence("colleague", "office", 300, 400)
    )
    found = secondary_contacts(
        windows=windows,
        contact_visits=cc_visits,
        candidates=candidates,
        households={"cc1": ["partner"], "cc2": ["partner"]},
        settings=SETTINGS,
        exclude={"case", "cc1", "cc2", "cc3"},
    )
    assert [(f.subject, f.rule, f.place_id) for f in found] == [
        ("colleague", TraceRule.SECONDARY_VENUE, "office"),
        ("partner", TraceRule.SECONDARY_HOUSEHOLD, None),
        ("shopper", TraceRule.SECONDARY_VENUE, "market"),
    ]
    shopper = found[2]
    assert [(c.overlap.start, c.overlap.end) for c in shopper.contacts] == [
        (at(100), at(160)),
        (at(130), at(190)),
    ]
    assert shopper.overlap_minutes == 120.0 and shopper.at == at(190)
    assert shopper.first == at(100)
    assert len(found[1].contacts) == 2


def test_each_person_keeps_only_their_most_severe_category() -> None:
    """A close contact who is also a companion counts as a close contact only, and once."""
    settings = TracingSettings(companion=CHENGDU)
    case = [presence("case", "louwailou", 0, 60), _stay("case", -40 * 60, 120)]
    others = [presence("both", "louwailou", 0, 60), _stay("both", 0, 120), _stay("x", 0, 120)]
    primary = close_contacts(
        case_subject="case",
        window=WINDOW,
        case_visits=visits(*case, settings=settings),
        candidates=visits(*others, settings=settings),
        household=[],
        settings=settings,
    )
    companion = companions(
        case_subject="case",
        window=WINDOW,
        case_visits=visits(*case, settings=settings),
        candidates=visits(*others, settings=settings),
        settings=settings,
    )
    kept = most_severe([*primary, *companion])
    assert {(f.subject, f.category) for f in kept} == {
        ("both", CLOSE_CONTACT),
        ("x", COMPANION),
    }
    assert counts_by_rule(kept) == {"companion": 1, "venue": 1}


def test_evidence_and_deterministic_ids() -> None:
    """A finding carries its evidence, and its exposure id changes only when the evidence does."""
    case = [presence("case", "louwailou", 0, 60)]
    first = close_contacts(
        case_subject="case",
        window=WINDOW,
        case_visits=visits(*case),
        candidates=visits(presence("p", "louwailou", 30, 120)),
        household=[],
        settings=SETTINGS,
    )
    (finding,) = first
    (contact,) = finding.contacts
    assert contact.place_id == "louwailou"
    assert contact.source_interval == Interval(at(0), at(60))
    assert contact.contact_interval == Interval(at(30), at(120))
    assert contact.overlap == Interval(at(30), at(60))
    assert finding.overlap_minutes == 30 and finding.at == at(60)
    again = close_contacts(
        case_subject="case",
        window=WINDOW,
        case_visits=visits(*case),
        candidates=visits(presence("p", "louwailou", 30, 120)),
        household=[],
        settings=SETTINGS,
    )
    assert exposure_id("c1", again[0]) == exposure_id("c1", finding)
    assert exposure_id("c2", finding) != exposure_id("c1", finding)
    shorter = close_contacts(
        case_subject="case",
        window=WINDOW,
        case_visits=visits(*case),
        candidates=visits(presence("p", "louwailou", 40, 120)),
        household=[],
        settings=SETTINGS,
    )
    assert exposure_id("c1", shorter[0]) != exposure_id("c1", finding)
