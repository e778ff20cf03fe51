"""Benchmark: `policy impact` over 100,000 registered people on SQLite (target: under 60 s).

Prints the time of the impact run and the ratio to a baseline measured in the same run: loading
the same people's facts without assessing them. Run: `.venv/bin/python bench/impact.py [N]`.
"""

from __future__ import annotations

import random
import re
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from healthcode.bootstrap import EVENT_HANDLERS
from healthcode.db.encryption import PersonalDataCipher
from healthcode.db.engine import build_engine, build_session_factory
from healthcode.db.fact_mapping import text_context
from healthcode.db.facts import HealthDeclarationRow, TestResultRow
from healthcode.db.migrate import upgrade
from healthcode.db.unit_of_work import SqlUnitOfWork
from healthcode.identity.tables import PersonRow
from healthcode.kernel.clock import FixedClock
from healthcode.kernel.facts import FactKind
from healthcode.kernel.uow import EventHandlers
from healthcode.policies.repository import ParsedPolicyCache
from healthcode.policies.versions import policy_impact
from healthcode.policy.bundled import bundled_policy_path

NOW = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
HEALTH = FactKind.HEALTH_DECLARATION


def _populate(url: str, people: int, rng: random.Random, cipher: PersonalDataCipher) -> None:
    engine = build_engine(url)
    upgrade(engine)
    blob = b"\x00" * 40
    persons, declarations, tests = [], [], []
    for i in range(people):
        subject = f"{i:032x}"
        persons.append(
            {
                "subject": subject,
                "jurisdiction": "330100",
                "id_type": "resident",
                "id_lookup": f"{i:064x}",
                "phone_lookup": f"{i:064x}",
                "household": f"{i:064x}",
                "name_enc": blob,
                "id_number_enc": blob,
                "phone_enc": blob,
                "address_enc": blob,
                "registered_at": NOW - timedelta(days=30),
            }
        )
        for day in range(3):
            at = NOW - timedelta(days=day, hours=rng.randint(0, 12))
            fever = rng.random() < 0.02
            declaration_id = f"d{i:015x}{day:016x}"
            declarations.append(
                {
                    "id": declaration_id,
                    "subject": subject,
                    "at": at,
                    "recorded_at": at,
                    "supersedes": None,
                    "retracted": False,
                    "temperature": 38.2 if fever else 36.6,
                    "symptoms": ["fever"] if fever else ["none"],
                    "note_enc": cipher.encrypt(
                        "", context=text_context(HEALTH, declaration_id, "note")
                    ),
                }
            )
        if rng.random() < 0.05:
            at = NOW - timedelta(days=2)
            tests.append(
                {
                    "id": f"t{i:031x}",
                    "subject": subject,
                    "at": at,
                    "recorded_at": at,
                    "supersedes": None,
                    "retracted": False,
                    "test_kind": "pcr",
                    "result": "positive" if rng.random() < 0.1 else "negative",
                    "sampled_at": at - timedelta(hours=8),
                }
            )
    with engine.begin() as conn:
        conn.execute(insert(PersonRow), persons)
        conn.execute(insert(HealthDeclarationRow), declarations)
        conn.execute(insert(TestResultRow), tests)
    engine.dispose()


def _relaxed_policy() -> str:
    """Hangzhou's bundled policy without its fever rule. The tests build the same policy with
    ``tests/policy_helpers.fever_free_hangzhou``; a bench script runs from a plain interpreter
    where ``tests`` is no package on the path, so it keeps this copy instead of importing it."""
    source = bundled_policy_path("330100").read_text(encoding="utf-8")
    start = source.index("  - id: fever")
    end = source.index("  - id:", start + 1)
    relaxed = re.sub(r'(?m)^version: "[^"]*"$', 'version: "bench-relaxed"', source[:start])
    return relaxed + source[end:]


def main() -> None:
    people = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        started = time.perf_counter()
        cipher = PersonalDataCipher(b"\x01" * 32)
        _populate(url, people, random.Random(7), cipher)
        print(f"populated {people:,} people in {time.perf_counter() - started:.1f} s")
        engine = build_engine(url)
        factory = build_session_factory(engine)
        cache = ParsedPolicyCache()

        def uow() -> SqlUnitOfWork:
            return SqlUnitOfWork(factory, cipher, cache, EventHandlers(EVENT_HANDLERS))

        started = time.perf_counter()
        loaded = 0
        with uow() as work:
            for batch in work.persons.iter_subjects(jurisdiction="330100", batch_size=2_000):
                loaded += sum(len(f) for f in work.facts.by_subject(batch).values())
        baseline = time.perf_counter() - started

        started = time.perf_counter()
        impact = policy_impact(uow=uow(), clock=FixedClock(NOW), source=_relaxed_policy())
        elapsed = time.perf_counter() - started
        engine.dispose()
    print(f"baseline: load {loaded:,} facts of {people:,} people: {baseline:.2f} s")
    print(f"policy impact over {impact.people:,} people: {elapsed:.2f} s (target < 60 s)")
    print(f"ratio impact / load-only baseline: {elapsed / baseline:.2f}")
    for (old, new), n in sorted(impact.moves.items()):
        print(f"  {old.value:>6} -> {new.value:<6} {n:>8,}")
    if elapsed >= 60:
        raise SystemExit("policy impact missed its 60 s target")


if __name__ == "__main__":
    main()
