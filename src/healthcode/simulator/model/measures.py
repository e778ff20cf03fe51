"""What a run of a tracing policy achieved and cost, measured against the model's ground truth.

Pure functions over plain data (docs/simulator.md#measures): the system's flags (the exposures
tracing recorded, each for one confirmed case, by rule), the residents' colours each day, and
the epidemic's truth (who infected whom and when; the minutes each tested case shared with
each person in its tracing window)."""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from healthcode.simulator.model.disease import DAY
from healthcode.simulator.model.epidemic import Infection
from healthcode.simulator.model.transmission import ContactMinutes

CONTACT_MINUTES: Final = 15
"""A person is truly exposed by a case when they shared at least this long with it in its
tracing window, in places of any class (the WHO and US CDC duration)."""
INFECTIOUS_AFTER: Final = 2 * DAY
"""An infected person counts as infectious this long after their infection (by then about 5 %
of the generation-time Weibull's infectiousness has passed)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Flag:
    """One exposure the system recorded: resident ``person`` flagged for the confirmed case of
    resident ``case`` by ``rule`` (of ``kind``), at minute ``at`` of the run."""

    person: int
    case: int
    rule: str
    kind: str
    at: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Truth:
    """The model's ground truth for the measures."""

    infections: Sequence[Infection]
    contacts: Mapping[int, ContactMinutes]
    sampled: Mapping[int, int]
    """Each confirmed case's sample minute (resident -> minute)."""


def infections_per_day(infections: Iterable[Infection], days: int) -> list[int]:
    """New infections on each day of the run (those before it on day 0)."""
    counts = [0] * days
    for infection in infections:
        counts[min(days - 1, max(0, infection.at // DAY))] += 1
    return counts


def restricted_days(colours: Sequence[Mapping[str, int]]) -> dict[str, int]:
    """Person-days spent at each colour but green, summed over the days' colour counts."""
    total: Counter[str] = Counter()
    for day in colours:
        total.update({c: n for c, n in day.items() if c != "green"})
    return dict(sorted(total.items()))


def exposed_by(contacts: Mapping[int, ContactMinutes]) -> dict[int, set[int]]:
    """For each case, the people who shared at least ``CONTACT_MINUTES`` with it."""
    out: dict[int, set[int]] = {}
    for case, met in contacts.items():
        minutes: Counter[int] = Counter()
        for (person, _cls), n in met.items():
            minutes[person] += n
        out[case] = {p for p, n in minutes.items() if n >= CONTACT_MINUTES}
    return out


def rule_precision(flags: Sequence[Flag], truth: Truth) -> dict[str, dict[str, Any]]:
    """For each rule: the distinct (case, person) pairs it flagged, the share truly exposed by
    that case and the share that case infected."""
    exposed = exposed_by(truth.contacts)
    infector = {i.person: i.infector for i in truth.infections}
    pairs: dict[str, set[tuple[int, int]]] = defaultdict(set)
    for flag in flags:
        pairs[flag.rule].add((flag.case, flag.person))
    out: dict[str, dict[str, Any]] = {}
    for rule in sorted(pairs):
        flagged = pairs[rule]
        true = sum(p in exposed.get(c, ()) for c, p in flagged)
        infected = sum(infector.get(p) == c for c, p in flagged)
        out[rule] = {
            "flagged": len(flagged),
            "truly_exposed": true,
            "infected_by_case": infected,
            "precision_exposed": _share(true, len(flagged)),
            "precision_infected": _share(infected, len(flagged)),
        }
    return out


def precision(flags: Sequence[Flag], truth: Truth) -> dict[str, Any]:
    """Over the distinct (case, person) pairs flagged by any rule: the share truly exposed."""
    exposed = exposed_by(truth.contacts)
    pairs = {(f.case, f.person) for f in flags}
    true = sum(p in exposed.get(c, ()) for c, p in pairs)
    return {"flagged": len(pairs), "truly_exposed": true, "precision": _share(true, len(pairs))}


def recall(flags: Sequence[Flag], truth: Truth, *, rule: str | None = None) -> dict[str, Any]:
    """Of the infections whose infector was a confirmed case (in ``truth.sampled``), the share
    flagged for that case (by ``rule``, any with None) before
    ``INFECTIOUS_AFTER`` had passed since the infection."""
    first: dict[tuple[int, int], int] = {}
    for flag in flags:
        if rule is None or flag.rule == rule:
            key = (flag.case, flag.person)
            first[key] = min(first.get(key, flag.at), flag.at)
    eligible = [
        (i.infector, i.person, i.at) for i in truth.infections if i.infector in truth.sampled
    ]
    caught = sum(
        first.get((case, person), at + INFECTIOUS_AFTER) < at + INFECTIOUS_AFTER
        for case, person, at in eligible
        if case is not None
    )
    return {"infections": len(eligible), "caught": caught, "recall": _share(caught, len(eligible))}


def time_to_flag(flags: Sequence[Flag], sampled: Mapping[int, int]) -> dict[str, Any]:
    """Hours from a case's sample to each of its contacts' first flag: count, median, p95."""
    first: dict[tuple[int, int], int] = {}
    for flag in flags:
        key = (flag.case, flag.person)
        first[key] = min(first.get(key, flag.at), flag.at)
    hours = sorted((at - sampled[case]) / 60 for (case, _p), at in first.items() if case in sampled)
    if not hours:
        return {"count": 0, "median_hours": None, "p95_hours": None}
    return {
        "count": len(hours),
        "median_hours": round(statistics.median(hours), 2),
        "p95_hours": round(percentile(hours, 95), 2),
    }


def percentile(ordered: Sequence[float], p: float) -> float:
    """The nearest-rank ``p``-th percentile of the sorted ``ordered`` (not empty)."""
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def flagged_per_case(flags: Sequence[Flag], cases: int) -> float | None:
    """Distinct (case, person) pairs flagged per confirmed case."""
    pairs = {(f.case, f.person) for f in flags}
    return None if cases == 0 else round(len(pairs) / cases, 2)


def false_reds(red: Iterable[int], truth: Truth) -> dict[str, int]:
    """Residents who were red some day although never infected nor truly exposed by a case."""
    exposed = set().union(*exposed_by(truth.contacts).values()) if truth.contacts else set()
    infected = {i.person for i in truth.infections}
    ever_red = set(red)
    false = ever_red - exposed - infected
    return {"ever_red": len(ever_red), "false_reds": len(false)}


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


def measures(
    *,
    flags: Sequence[Flag],
    truth: Truth,
    colours: Sequence[Mapping[str, int]],
    red: Iterable[int],
    cases: int,
) -> dict[str, Any]:
    """Every measure of a run, as JSON values."""
    rules = rule_precision(flags, truth)
    for rule, values in rules.items():
        values["recall"] = recall(flags, truth, rule=rule)["recall"]
    return {
        "infections_per_day": infections_per_day(truth.infections, len(colours)),
        "infections": len(truth.infections),
        "confirmed_cases": cases,
        "person_days_restricted": restricted_days(colours),
        "colours_per_day": [dict(sorted(c.items())) for c in colours],
        "rules": rules,
        "precision": precision(flags, truth),
        "recall": recall(flags, truth),
        "time_to_flag": time_to_flag(flags, truth.sampled),
        "flagged_per_case": flagged_per_case(flags, cases),
        "false_reds": false_reds(red, truth),
    }
