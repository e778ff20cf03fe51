"""Contact tracing rules: from a case's infectious window and who was where, the close contacts,
spatio-temporal companions and secondary contacts, each with its evidence. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from healthcode.tracing.model.findings import (
    _SEVERITY,
    CLOSE_CONTACT,
    HOME,
    Contact,
    Finding,
    Interval,
    PlaceClass,
    TraceRule,
    Visit,
)
from healthcode.tracing.settings import TracingSettings


def _meets(minutes: float, threshold: float, *, strictly: bool) -> bool:
    return minutes > threshold if strictly else minutes >= threshold


def _threshold(rule: TraceRule, settings: TracingSettings) -> float:
    if rule in (TraceRule.TRANSIT, TraceRule.SECONDARY_TRANSIT):
        return settings.transit_min_overlap_minutes
    return settings.venue_min_overlap_minutes


def _home(subject: str, rule: TraceRule, window: Interval, via: str | None) -> Finding:
    contact = Contact(None, HOME, window, window, window)
    return Finding(subject=subject, rule=rule, place_id=None, contacts=(contact,), via=via)


def shared_places(
    *,
    sources: Iterable[Visit],
    within: Interval,
    candidates: Iterable[Visit],
    rules: Mapping[PlaceClass, TraceRule],
    settings: TracingSettings,
    exclude: frozenset[str] | set[str],
    via: str | None = None,
) -> list[Finding]:
    """People whose visits overlap ``sources`` (clipped to ``within``) at the same venue or on
    the same trip, by each place class's rule and threshold."""
    by_place: dict[str, list[tuple[Visit, Interval]]] = defaultdict(list)
    for source in sources:
        clipped = source.interval.overlap(within)
        if source.place in rules and clipped is not None:
            by_place[source.place_id].append((source, clipped))
    episodes: dict[tuple[str, TraceRule, str], list[Contact]] = defaultdict(list)
    for candidate in candidates:
        if candidate.subject in exclude or candidate.place_id not in by_place:
            continue
        rule = rules.get(candidate.place)
        if rule is None:
            continue
        threshold = _threshold(rule, settings)
        for source, clipped in by_place[candidate.place_id]:
            common = clipped.overlap(candidate.interval)
            if common is not None and _meets(common.minutes, threshold, strictly=False):
                episodes[(candidate.subject, rule, candidate.place_id)].append(
                    Contact(
                        candidate.place_id, source.place_kind, clipped, candidate.interval, common
                    )
                )
    return [
        Finding(
            subject=s, rule=r, place_id=p, contacts=tuple(sorted(set(c), key=_contact_key)), via=via
        )
        for (s, r, p), c in sorted(episodes.items())
    ]


def _contact_key(contact: Contact) -> tuple[datetime, datetime, datetime]:
    return (contact.overlap.start, contact.contact_interval.start, contact.source_interval.start)


def close_contacts(
    *,
    case_subject: str,
    window: Interval,
    case_visits: Sequence[Visit],
    candidates: Iterable[Visit],
    household: Iterable[str],
    settings: TracingSettings,
) -> list[Finding]:
    """Household members, and people at the case's venues and on its trips within the window."""
    found: list[Finding] = []
    if window.end <= window.start:
        return found
    if settings.household:
        found += [
            _home(member, TraceRule.HOUSEHOLD, window, None)
            for member in sorted(set(household) - {case_subject})
        ]
    rules: dict[PlaceClass, TraceRule] = {}
    if settings.venue:
        rules[PlaceClass.VENUE] = TraceRule.VENUE
    if settings.transit:
        rules[PlaceClass.TRIP] = TraceRule.TRANSIT
    found += shared_places(
        sources=case_visits,
        within=window,
        candidates=candidates,
        rules=rules,
        settings=settings,
        exclude={case_subject},
    )
    return found


def _dwell(visits: Iterable[Visit], lookback: Interval) -> dict[tuple[str, str], float]:
    hours: dict[tuple[str, str], float] = defaultdict(float)
    for v in visits:
        common = v.interval.overlap(lookback)
        if v.cell is not None and common is not None:
            hours[(v.subject, v.cell)] += common.minutes / 60
    return hours


def companions(
    *,
    case_subject: str,
    window: Interval,
    case_visits: Sequence[Visit],
    candidates: Sequence[Visit],
    settings: TracingSettings,
) -> list[Finding]:
    """People in the same H3 cell as the case (from location stays) for long enough."""
    cs = settings.companion
    if not cs.enabled or window.end <= window.start:
        return []
    lookback = Interval(window.end - cs.dwell_lookback, window.end)
    own = [v for v in case_visits if v.cell is not None and v.source in cs.sources]
    others = [
        v
        for v in candidates
        if v.cell is not None and v.source in cs.sources and v.subject != case_subject
    ]
    dwell = _dwell([*own, *others], lookback) if cs.dwell_hours > 0 else {}
    by_cell: dict[str, list[Interval]] = defaultdict(list)
    for v in own:
        clipped = v.interval.overlap(window)
        if clipped is not None and v.cell is not None:
            by_cell[v.cell].append(clipped)
    episodes: dict[tuple[str, str], list[Contact]] = defaultdict(list)
    for candidate in others:
        cell = candidate.cell
        if cell is None or cell not in by_cell:
            continue
        if (
            cs.dwell_hours > 0
            and max(dwell.get((case_subject, cell), 0.0), dwell.get((candidate.subject, cell), 0.0))
            < cs.dwell_hours
        ):
            continue
        for clipped in by_cell[cell]:
            common = clipped.overlap(candidate.interval)
            if common is not None and _meets(
                common.minutes, cs.min_overlap_minutes, strictly=cs.strictly_more
            ):
                episodes[(candidate.subject, cell)].append(
                    Contact(cell, "cell", clipped, candidate.interval, common)
                )
    return [
        Finding(
            subject=s,
            rule=TraceRule.COMPANION,
            place_id=cell,
            contacts=tuple(sorted(set(c), key=_contact_key)),
        )
        for (s, cell), c in sorted(episodes.items())
    ]


def secondary_windows(primary: Iterable[Finding], cutoff: datetime) -> dict[str, Interval]:
    """Per close contact: from the start of their first contact with the case until ``cutoff``
    (the confirmation, when close contacts are told to isolate)."""
    starts: dict[str, datetime] = {}
    for f in primary:
        if f.category == CLOSE_CONTACT:
            starts[f.subject] = min(starts.get(f.subject, f.first), f.first)
    return {s: Interval(start, cutoff) for s, start in sorted(starts.items()) if cutoff > start}


def secondary_contacts(
    *,
    windows: Mapping[str, Interval],
    contact_visits: Mapping[str, Sequence[Visit]],
    candidates: Sequence[Visit],
    households: Mapping[str, Sequence[str]],
    settings: TracingSettings,
    exclude: set[str] | frozenset[str],
) -> list[Finding]:
    """People who shared a household, venue or trip with a close contact within that contact's
    window (``secondary_windows``); ``exclude`` holds the case and the close contacts."""
    if not settings.secondary:
        return []
    rules: dict[PlaceClass, TraceRule] = {}
    if "venue" in settings.secondary_rules:
        rules[PlaceClass.VENUE] = TraceRule.SECONDARY_VENUE
    if "transit" in settings.secondary_rules:
        rules[PlaceClass.TRIP] = TraceRule.SECONDARY_TRANSIT
    by_place: dict[str, list[Visit]] = defaultdict(list)
    for candidate in candidates:
        if candidate.subject not in exclude:
            by_place[candidate.place_id].append(candidate)
    found: list[Finding] = []
    for contact, window in windows.items():
        if "household" in settings.secondary_rules:
            found += [
                _home(member, TraceRule.SECONDARY_HOUSEHOLD, window, contact)
                for member in sorted(set(households.get(contact, ())) - set(exclude))
            ]
        visits = contact_visits.get(contact, ())
        nearby = [c for v in visits for c in by_place.get(v.place_id, ())]
        found += shared_places(
            sources=visits,
            within=window,
            candidates=nearby,
            rules=rules,
            settings=settings,
            exclude=exclude,
            via=contact,
        )
    return found


def most_severe(findings: Iterable[Finding]) -> list[Finding]:
    """Per person, only the findings of their most severe category, in a stable order."""
    findings = list(findings)
    top: dict[str, int] = {}
    for f in findings:
        top[f.subject] = max(top.get(f.subject, -1), _SEVERITY[f.category])
    kept = [f for f in findings if _SEVERITY[f.category] == top[f.subject]]
    return sorted(kept, key=lambda f: (f.subject, f.rule.value, f.place_id or "", f.via or ""))


def counts_by_rule(findings: Iterable[Finding]) -> dict[str, int]:
    """How many people each rule flags (a person found twice by one rule counts once)."""
    people: dict[str, set[str]] = defaultdict(set)
    for f in findings:
        people[f.rule.value].add(f.subject)
    return {rule: len(people[rule]) for rule in sorted(people)}
