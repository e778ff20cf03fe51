"""Benchmark: status assessments a second, one core, a person with 50 facts, each bundled policy.

Contenders, timed in the same run and interleaved round by round (the order rotates):

- ``assess, FactSet`` (the headline): ``assess(prepared, policy, at)`` with
  ``prepared = FactSet.of(facts)`` built once, as the status service does for one load of a
  person's facts (catch-up over several instants, then now) and policy impact does for the two
  policies it compares.
- ``assess, raw facts``: ``assess(facts, policy, at)``, which prepares the facts inside each call;
  ``assess, shuffled facts`` likewise with the facts in a shuffled order.
- ``conditions alone`` (the baseline): every rule and notice condition of the policy evaluated
  against every fact of its kind with the reference evaluator
  ``healthcode.policy.certlogic.evaluate``.

Each call assesses a different instant spread over the person's 30 days of facts, so windows open
and close between calls. Reused between calls, by every contender: each immutable fact's own
``condition_data`` (its ``data()`` dict, memoised on the fact) and the policy as loaded (its
matching plans, its windows' constants). Reused by the FactSet contender only: the FactSet,
which holds what depends on the facts alone - the effective facts in (at, id) order, checked to
be about one person, grouped by kind; and, derived on first use: per kind and condition field
the column of values (``data.get(field)`` per fact) and the facts grouped by exact string value,
the negative test results by test kind, whether every result came after its sample, the
declarations with their timestamps. Nothing that depends on the instant or on the policy is
kept between calls: every call matches every condition anew (an equality is a lookup of its
string among the field's groups, a truthiness test scans the column, any other condition is
called per fact), computes each window's start and the ends it needs (a window opening after
the instant that cannot be empty needs only its start), what holds at the instant and the next
change, and builds a new Status. FactSet.of itself is timed apart: it is paid once per load.

Target: >= 20,000 assessments a second from a FactSet. Run:

    .venv/bin/python bench/assess.py [--policy all|110000|330100|310000] [--rounds 15]
                                     [--number 1000] [--check]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from healthcode.kernel.facts import (
    Arrival,
    Colour,
    Exposure,
    Fact,
    HealthDeclaration,
    IdentityCheck,
    ManualOverride,
    Presence,
    QuarantineOrder,
    Symptom,
    TestResult,
    TravelDeclaration,
    ordered,
)
from healthcode.policy.assess import assess
from healthcode.policy.bundled import BUNDLED_FILES, bundled_policy
from healthcode.policy.certlogic import evaluate
from healthcode.policy.factset import FactSet
from healthcode.policy.model import Policy

START = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
TARGET_PER_SECOND = 20_000
FACTS = 50


def person(seed: int = 7) -> list[Fact]:
    """50 facts of mixed kinds over 30 days, the way a resident under watch accumulates them."""
    rng = random.Random(seed)
    facts: list[Fact] = []

    def stamp(day: float) -> dict[str, Any]:
        at = START + timedelta(days=day, minutes=rng.randrange(0, 600))
        return {"id": f"f{len(facts):03d}", "subject": "p1", "at": at, "recorded_at": at}

    for day in range(27):  # a daily declaration, one with fever
        feverish = day == 12
        facts.append(
            HealthDeclaration(
                **stamp(day),
                temperature=38.1 if feverish else 36.6,
                symptoms=(Symptom.FEVER,) if feverish else (),
            )
        )
    for day in (2, 5, 9, 13, 17, 21):
        base = stamp(day)
        until = base["at"] + timedelta(hours=1)
        facts.append(Presence(**base, place_id=f"v{day}", place_kind="shop", until=until,
                              source="checkin"))  # fmt: skip
    for day, kind in ((3, "pcr"), (13, "pcr"), (14, "pcr"), (15, "antigen"), (20, "pcr")):
        base = stamp(day)
        sampled = base["at"] - timedelta(hours=8)
        facts.append(TestResult(**base, test_kind=kind, result="negative", sampled_at=sampled))
    for day in (0, 8, 16, 24):
        facts.append(IdentityCheck(**stamp(day), channel="alipay"))
    for day, origin in ((1, "330100"), (11, "110105")):
        facts.append(Arrival(**stamp(day), from_region=origin, to_region="110105"))
    for day, category in ((10, "companion"), (18, "secondary_contact"), (19, "risk_area")):
        facts.append(Exposure(**stamp(day), category=category, rule="venue",
                              source_id="case-9", level="medium"))  # fmt: skip
    facts.append(TravelDeclaration(**stamp(4), place="310000", from_date=START.date(),
                                   to_date=START.date()))  # fmt: skip
    base = stamp(22)
    facts.append(QuarantineOrder(**base, order_id="q1", setting="home",
                                 planned_end=base["at"] + timedelta(days=3)))  # fmt: skip
    base = stamp(23)
    facts.append(ManualOverride(**base, colour=Colour.YELLOW, reason_category="exposure",
                                reason_text="venue alert",
                                expires_at=base["at"] + timedelta(days=2)))  # fmt: skip
    assert len(facts) == FACTS, len(facts)
    return ordered(facts)


def conditions_alone(facts: list[Fact], policy: Policy) -> tuple[Callable[[], int], int]:
    """Every rule and notice condition against every fact of its kind, with `evaluate`; and how
    many (condition, fact) pairs that is."""
    pairs = [
        (item.when, fact.condition_data)
        for item in (*policy.rules, *policy.notices)
        if item.fact is not None
        for fact in facts
        if fact.kind is item.fact
    ]

    def run() -> int:
        return sum(1 for expression, data in pairs if evaluate(expression, data) is True)

    return run, len(pairs)


def _per_call(fn: Callable[[int], object], number: int) -> float:
    start = time.perf_counter()
    for i in range(number):
        fn(i)
    return (time.perf_counter() - start) / number


def run(policy: Policy, rounds: int, number: int) -> float:
    """Print the figures for one policy; the headline rate (FactSet) a second."""
    facts = person()
    shuffled = random.Random(1).sample(facts, len(facts))
    prepared = FactSet.of(facts)
    instants = [START + timedelta(seconds=2593 * i) for i in range(1000)]  # ~30 days
    seen = [assess(prepared, policy, at) for at in instants]
    assert seen == [assess(shuffled, policy, at) for at in instants]  # the same statuses
    baseline, pairs_per_call = conditions_alone(facts, policy)

    contenders: dict[str, Callable[[int], object]] = {
        "assess, FactSet": lambda i: assess(prepared, policy, instants[i % 1000]),
        "assess, raw facts": lambda i: assess(facts, policy, instants[i % 1000]),
        "assess, shuffled facts": lambda i: assess(shuffled, policy, instants[i % 1000]),
        "conditions alone": lambda i: baseline(),
        "FactSet.of (once per load)": lambda i: FactSet.of(facts),
    }
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for fn in contenders.values():  # warm up
        _per_call(fn, number // 4 or 1)
    names = list(contenders)
    for r in range(rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:  # rotate the order round by round
            times[name].append(_per_call(contenders[name], number))

    median = {name: statistics.median(values) for name, values in times.items()}
    colours = {c: sum(1 for s in seen if s.colour is c) for c in Colour}
    print(
        f"policy {policy.jurisdiction} v{policy.version}; {FACTS} facts; over the instants: "
        + ", ".join(f"{n} {c.value}" for c, n in colours.items())
        + f"; {sum(len(s.reasons) for s in seen) / len(seen):.1f} reasons on average"
    )
    for name in names:
        print(f"  {name + ':':32s} {median[name] * 1e6:8.1f} µs   {1 / median[name]:10,.0f} /s")
    print(f"    ({pairs_per_call} fact-condition pairs a call for the conditions alone)")
    for name in ("assess, FactSet", "assess, raw facts"):
        ratio = median[name] / median["conditions alone"]
        print(f"  ratio {name} / conditions alone: {ratio:6.2f}")
    return 1 / median["assess, FactSet"]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--policy", choices=["all", *sorted(BUNDLED_FILES)], default="all")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--number", type=int, default=1000, help="calls per round per contender")
    parser.add_argument("--check", action="store_true", help="exit 1 below the target rate")
    args = parser.parse_args()

    chosen = sorted(BUNDLED_FILES) if args.policy == "all" else [args.policy]
    rates = {code: run(bundled_policy(code), args.rounds, args.number) for code in chosen}
    print(f"rounds x calls: {args.rounds} x {args.number} (medians)")
    met = all(rate >= TARGET_PER_SECOND for rate in rates.values())
    print(
        f"target {TARGET_PER_SECOND:,} assessments/s on one core from a FactSet: "
        + ("met" if met else "NOT met")
        + " ("
        + ", ".join(f"{code} {rate:,.0f}/s" for code, rate in rates.items())
        + ")"
    )
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
