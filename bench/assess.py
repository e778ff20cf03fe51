"""Benchmark: status assessments a second, one core, a person with 50 facts, a bundled policy.

Each call is a fresh `assess(facts, policy, at)` at a different instant spread over the person's
30 days of facts (so windows open and close between calls); nothing is cached across calls but
each immutable fact's own `condition_data` (its `data()` dict, computed once per fact). Facts
are passed in time order, as the repository loads them; a shuffled copy is timed too.

Baseline, measured in the same run and interleaved round by round: evaluating the same CertLogic
conditions alone (every rule and notice condition of the policy against every fact of its kind)
with the reference evaluator `healthcode.policy.certlogic.evaluate`. Target: >= 20,000 a second.

    .venv/bin/python bench/assess.py [--policy 110000] [--rounds 15] [--number 1000] [--check]
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

from healthcode.domain.facts import (
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


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--policy", choices=sorted(BUNDLED_FILES), default="110000")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--number", type=int, default=1000, help="calls per round per contender")
    parser.add_argument("--check", action="store_true", help="exit 1 below the target rate")
    args = parser.parse_args()

    policy = bundled_policy(args.policy)
    facts = person()
    shuffled = random.Random(1).sample(facts, len(facts))
    instants = [START + timedelta(seconds=2593 * i) for i in range(1000)]  # ~30 days
    seen = [assess(facts, policy, at) for at in instants]
    baseline, pairs_per_call = conditions_alone(facts, policy)

    contenders: dict[str, Callable[[int], object]] = {
        "assess": lambda i: assess(facts, policy, instants[i % 1000]),
        "assess, shuffled facts": lambda i: assess(shuffled, policy, instants[i % 1000]),
        "conditions alone": lambda i: baseline(),
    }
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for fn in contenders.values():  # warm up
        _per_call(fn, args.number // 4 or 1)
    names = list(contenders)
    for r in range(args.rounds):
        for name in names[r % 3 :] + names[: r % 3]:  # rotate the order round by round
            times[name].append(_per_call(contenders[name], args.number))

    median = {name: statistics.median(values) for name, values in times.items()}
    rate = 1 / median["assess"]
    colours = {c: sum(1 for s in seen if s.colour is c) for c in Colour}
    print(
        f"policy {policy.jurisdiction} v{policy.version}; {FACTS} facts; over the instants: "
        + ", ".join(f"{n} {c.value}" for c, n in colours.items())
        + f"; {sum(len(s.reasons) for s in seen) / len(seen):.1f} reasons on average"
    )
    for name in names:
        print(f"{name + ':':34s} {median[name] * 1e6:8.1f} µs   {1 / median[name]:10,.0f} /s")
    print(f"  ({pairs_per_call} fact-condition pairs a call for the conditions alone)")
    ratio = median["assess"] / median["conditions alone"]
    print(f"ratio assess / conditions alone:   {ratio:8.2f}")
    print(f"rounds x calls:                    {args.rounds} x {args.number} (medians)")
    met = rate >= TARGET_PER_SECOND
    print(f"target {TARGET_PER_SECOND:,} assessments/s on one core: {'met' if met else 'NOT met'}")
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
