"""Contact tracing rules: from a case's infectious window and who was where, the close contacts,
spatio-temporal companions and secondary contacts, each with its evidence. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from healthcode.tracing.model.findings import (
    _SEVERITY,
    CATEGORY_OF,
    CLOSE_CONTACT,
    HOME,
    Contact,
    Finding,
    Interval,
    PlaceClass,
    TraceRule,
    Visit,
)
from healthcode.tracing.model.summary import (
    Candidate,
    Source,
    Spans,
    pairable,
    shortest,
    summarise,
    summarise_visits,
)
from healthcode.tracing.model.sweep import Cover, cover, shares_time, sweep
from healthcode.tracing.settings import TracingSettings


def _threshold(rule: TraceRule, settings: TracingSettings) -> float:
    if rule in (TraceRule.TRANSIT, TraceRule.SECONDARY_TRANSIT):
        return settings.transit_min_overlap_minutes
    return settings.venue_min_overlap_minutes


def _at_home(window: Interval) -> Contact:
    """A contact at home: all of the window (who lives together meets all the time)."""
    return Contact(None, HOME, window, window, window)


Episodes = dict[tuple[str | None, str, TraceRule, str], list[Contact]]
"""The contacts found, by ``(via, subject, rule, place)``."""

Limits = Mapping[TraceRule, tuple[float, bool]]
"""Per rule, the minutes an overlap needs, and whether it must be strictly more."""


def _match(
    place: str,
    sources: Sequence[Source],
    candidates: Sequence[Candidate],
    limits: Limits,
    episodes: Episodes,
) -> None:
    """Add to ``episodes`` every pair of a source and a candidate at ``place`` whose overlap
    meets the candidate's rule: a sweep over both sorted by start, so the work is the sorting
    and the pairs that share time, not every source against every candidate (only the
    intervals that share time with the other side's are swept: ``sweep.sharing``). Both hold
    no duplicates, so no contact is found twice."""
    sources, candidates, own, theirs = pairable(sources, candidates)
    for is_source, index, others in sweep(own, theirs):
        # the overlap exactly as Interval.overlap and Interval.minutes compute it
        if is_source:
            clipped, kind, via = sources[index]
            for _, other in others:
                subject, rule, interval = candidates[other]
                start = interval.start if interval.start > clipped.start else clipped.start
                end = interval.end if interval.end < clipped.end else clipped.end
                minutes = (end - start).total_seconds() / 60
                threshold, strictly = limits[rule]
                if minutes > threshold if strictly else minutes >= threshold:
                    episodes[(via, subject, rule, place)].append(
                        Contact(place, kind, clipped, interval, Interval(start, end))
                    )
        else:
            subject, rule, interval = candidates[index]
            threshold, strictly = limits[rule]
            for _, other in others:
                clipped, kind, via = sources[other]
                start = interval.start if interval.start > clipped.start else clipped.start
                end = interval.end if interval.end < clipped.end else clipped.end
                minutes = (end - start).total_seconds() / 60
                if minutes > threshold if strictly else minutes >= threshold:
                    episodes[(via, subject, rule, place)].append(
                        Contact(place, kind, clipped, interval, Interval(start, end))
                    )


def _match_places(
    sources: Mapping[str, Iterable[Source]],
    candidates: Iterable[Visit],
    rules: Mapping[PlaceClass, TraceRule],
    limits: Limits,
    exclude: frozenset[str] | set[str],
    evidence: bool = True,
) -> Episodes:
    """Candidates at the places of ``sources`` (not excluded, of a class ``rules`` names)
    matched against them, place by place. Without ``evidence``, each episode holds a single
    summary contact instead of every contact: its overlap spans from the first contact's start
    to the last one's end (``summary.summarise``), all a preview needs."""
    if not evidence:
        return _summarised(sources, candidates, rules, limits, exclude)
    by_place: dict[str, dict[Candidate, None]] = defaultdict(dict)
    for c in candidates:
        rule = rules.get(c.place)
        if rule is not None and c.place_id in sources and c.subject not in exclude:
            by_place[c.place_id][(c.subject, rule, c.interval)] = None
    episodes: Episodes = defaultdict(list)
    for place, found in by_place.items():
        _match(place, list(dict.fromkeys(sources[place])), list(found), limits, episodes)
    return episodes


def _summarised(
    sources: Mapping[str, Iterable[Source]],
    candidates: Iterable[Visit],
    rules: Mapping[PlaceClass, TraceRule],
    limits: Limits,
    exclude: frozenset[str] | set[str],
) -> Episodes:
    """``_match_places`` without evidence. A candidate met twice gives the same span, so they
    are not deduplicated (hashing 160,000 of them at a busy venue cost more than matching)."""
    least = {rule: shortest(*limit) for rule, limit in limits.items()}
    spans: Spans = {}
    several = summarise_visits(sources, candidates, rules, least, exclude, spans)
    for place, found in several.items():
        summarise(place, list(sources[place]), found, least, spans)
    episodes: Episodes = defaultdict(list)
    for key, (first, last, kind) in spans.items():
        span = Interval(first, last)
        episodes[key].append(Contact(key[3], kind, span, span, span))
    return episodes


def _limits(settings: TracingSettings) -> Limits:
    return {rule: (_threshold(rule, settings), False) for rule in TraceRule}


def _finding(subject: str, rule: TraceRule, place: str | None, contacts: list[Contact]) -> Finding:
    return Finding(
        subject=subject,
        rule=rule,
        place_id=place,
        contacts=tuple(sorted(contacts, key=_contact_key) if len(contacts) > 1 else contacts),
    )


def shared_places(
    *,
    sources: Iterable[Visit],
    within: Interval,
    candidates: Iterable[Visit],
    rules: Mapping[PlaceClass, TraceRule],
    settings: TracingSettings,
    exclude: frozenset[str] | set[str],
    evidence: bool = True,
) -> list[Finding]:
    """People whose visits overlap ``sources`` (clipped to ``within``) at the same venue or on
    the same trip, by each place class's rule and threshold (without ``evidence``: see
    ``close_contacts``)."""
    by_place: dict[str, list[Source]] = defaultdict(list)
    for source in sources:
        clipped = source.interval.overlap(within)
        if source.place in rules and clipped is not None:
            by_place[source.place_id].append((clipped, source.place_kind, None))
    episodes = _match_places(by_place, candidates, rules, _limits(settings), exclude, evidence)
    # every source here is the case's (``via`` None): the keys sort as ``_episode_order`` does,
    # without a key function (a busy venue's 50,000)
    return [_finding(s, rule, place, c) for (_, s, rule, place), c in sorted(episodes.items())]


def _episode_order(item: tuple[tuple[str | None, str, TraceRule, str], object]) -> tuple[str, ...]:
    via, subject, rule, place = item[0]
    return (via or "", subject, rule, place)


def _contact_key(contact: Contact) -> tuple[datetime, datetime, datetime, datetime, datetime, str]:
    """First contact first; the rest of the key only orders contacts that begin alike."""
    return (
        contact.overlap.start,
        contact.contact_interval.start,
        contact.source_interval.start,
        contact.contact_interval.end,
        contact.source_interval.end,
        contact.place_kind,
    )


def close_contacts(
    *,
    case_subject: str,
    window: Interval,
    case_visits: Sequence[Visit],
    candidates: Iterable[Visit],
    household: Iterable[str],
    settings: TracingSettings,
    evidence: bool = True,
) -> list[Finding]:
    """Household members, and people at the case's venues and on its trips within the window.

    Without ``evidence`` (a preview), a finding at a place holds one summary contact instead of
    every contact: its overlap runs from the first contact's start to the last one's end, so
    ``first`` and ``at`` are those of the full finding; its other figures are not."""
    found: list[Finding] = []
    if window.end <= window.start:
        return found
    if settings.household:
        found += [
            Finding(member, TraceRule.HOUSEHOLD, None, (_at_home(window),))
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
        evidence=evidence,
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
    by_cell: dict[str, list[Source]] = defaultdict(list)
    for v in own:
        clipped = v.interval.overlap(window)
        if clipped is not None and v.cell is not None:
            by_cell[v.cell].append((clipped, "cell", None))
    by_place: dict[str, dict[Candidate, None]] = defaultdict(dict)
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
        by_place[cell][(candidate.subject, TraceRule.COMPANION, candidate.interval)] = None
    limits = {TraceRule.COMPANION: (cs.min_overlap_minutes, cs.strictly_more)}
    episodes: Episodes = defaultdict(list)
    for cell, found in by_place.items():
        _match(cell, list(dict.fromkeys(by_cell[cell])), list(found), limits, episodes)
    ordered = sorted(episodes.items(), key=_episode_order)
    return [_finding(s, rule, place, c) for (_, s, rule, place), c in ordered]


def secondary_windows(primary: Iterable[Finding], cutoff: datetime) -> dict[str, Interval]:
    """Per close contact: from the start of their first contact with the case until ``cutoff``
    (the confirmation, when close contacts are told to isolate)."""
    starts: dict[str, datetime] = {}
    for f in primary:  # a busy venue's 50,000: each first contact computed once
        if CATEGORY_OF[f.rule] == CLOSE_CONTACT:
            first, seen = f.first, starts.get(f.subject)
            if seen is None or first < seen:
                starts[f.subject] = first
    return {s: Interval(start, cutoff) for s, start in sorted(starts.items()) if cutoff > start}


def _covers(
    candidates: Iterable[Visit],
    rules: Mapping[PlaceClass, TraceRule],
    exclude: frozenset[str] | set[str],
) -> dict[str, Cover]:
    """Per place, the time the candidates there cover (those ``_match_places`` matches)."""
    by_place: dict[str, list[Interval]] = defaultdict(list)
    for c in candidates:
        if c.place in rules and c.subject not in exclude:
            by_place[c.place_id].append(c.interval)
    return {place: cover(intervals) for place, intervals in by_place.items()}


def _contact_sources(
    windows: Mapping[str, Interval],
    contact_visits: Mapping[str, Sequence[Visit]],
    rules: Mapping[PlaceClass, TraceRule],
    covers: Mapping[str, Cover],
) -> dict[str, list[Source]]:
    """Per place, the close contacts' visits there clipped to their windows: only those that
    share time with a candidate's visit there (``covers``), the others can make no pair."""
    by_place: dict[str, list[Source]] = defaultdict(list)
    for contact, window in windows.items():
        for v in contact_visits.get(contact, ()):
            covered = covers.get(v.place_id)
            if covered is None or v.place not in rules or not shares_time(v.interval, covered):
                continue
            clipped = v.interval.overlap(window)
            if clipped is not None:
                by_place[v.place_id].append((clipped, v.place_kind, contact))
    return by_place


def secondary_contacts(
    *,
    windows: Mapping[str, Interval],
    contact_visits: Mapping[str, Sequence[Visit]],
    candidates: Sequence[Visit],
    households: Mapping[str, Sequence[str]],
    settings: TracingSettings,
    exclude: set[str] | frozenset[str],
    evidence: bool = True,
) -> list[Finding]:
    """People who shared a household, venue or trip with a close contact within that contact's
    window (``secondary_windows``); ``exclude`` holds the case and the close contacts. Without
    ``evidence``: as ``close_contacts``, one summary contact for each close contact met.

    A person has one finding per rule and place, whichever close contacts they met there: its
    contacts are those with each of them (at a busy venue, dozens), so they hold one exposure
    for it, not one for each close contact, and reading their status back does not grow with
    how many close contacts shopped there."""
    if not settings.secondary:
        return []
    rules: dict[PlaceClass, TraceRule] = {}
    if "venue" in settings.secondary_rules:
        rules[PlaceClass.VENUE] = TraceRule.SECONDARY_VENUE
    if "transit" in settings.secondary_rules:
        rules[PlaceClass.TRIP] = TraceRule.SECONDARY_TRANSIT
    covers = _covers(candidates, rules, exclude)
    by_place = _contact_sources(windows, contact_visits, rules, covers)
    episodes = _match_places(by_place, candidates, rules, _limits(settings), exclude, evidence)
    merged: dict[tuple[str, TraceRule, str], list[Contact]] = defaultdict(list)
    if "household" in settings.secondary_rules:
        for contact, window in windows.items():
            for member in sorted(set(households.get(contact, ())) - exclude):
                merged[(member, TraceRule.SECONDARY_HOUSEHOLD, "")].append(_at_home(window))
    for (_, subject, rule, place), contacts in episodes.items():
        merged[(subject, rule, place)] += contacts
    # two close contacts there at the same times make the same contact, listed once
    return [
        _finding(subject, rule, place or None, list(dict.fromkeys(contacts)))
        for (subject, rule, place), contacts in sorted(merged.items())
    ]


def most_severe(findings: Iterable[Finding]) -> list[Finding]:
    """Per person, only the findings of their most severe category, in a stable order."""
    severities = [(f, _SEVERITY[CATEGORY_OF[f.rule]]) for f in findings]
    top: dict[str, int] = {}
    for f, severity in severities:
        if severity > top.get(f.subject, -1):
            top[f.subject] = severity
    kept = [f for f, severity in severities if severity == top[f.subject]]
    return sorted(kept, key=lambda f: (f.subject, f.rule.value, f.place_id or ""))


def counts_by_rule(findings: Iterable[Finding]) -> dict[str, int]:
    """How many people each rule flags (a person found twice by one rule counts once)."""
    people: dict[str, set[str]] = defaultdict(set)
    for f in findings:
        people[f.rule.value].add(f.subject)
    return {rule: len(people[rule]) for rule in sorted(people)}
