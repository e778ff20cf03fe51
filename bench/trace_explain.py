"""Where a traced case's time goes in SQL: one case of a bench's database traced again (its
reads only, rolled back), every statement timed, and the slowest explained.

Run against a live scratch database of `bench/trace.py` (its name is in `pg_database`, prefix
``hc_bench_``) while the bench measures, or any database holding a reported case:
`.venv/bin/python bench/trace_explain.py postgresql+psycopg://postgres@127.0.0.1:5432/hc_bench_...
[--explain 3]`. Prints the trace's wall time, its time in SQL (statement by statement, grouped
by their text), and `EXPLAIN (ANALYZE, BUFFERS)` of the slowest statements with their values.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from typing import Any

from sqlalchemy import event, select

from city import BENCH_CIPHER, NOW
from healthcode.bootstrap import EVENT_HANDLERS
from healthcode.db.engine import build_engine, build_session_factory
from healthcode.db.unit_of_work import SqlUnitOfWork
from healthcode.kernel.uow import EventHandlers
from healthcode.policies.repository import ParsedPolicyCache
from healthcode.tracing.tables import CaseRecordRow
from healthcode.tracing.trace import find_case_exposures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--explain", type=int, default=3, help="slowest statements explained")
    args = parser.parse_args()
    engine = build_engine(args.url)
    factory = build_session_factory(engine)
    timed: list[tuple[float, str, Any]] = []
    started: dict[int, float] = {}

    @event.listens_for(engine, "before_cursor_execute")
    def before(conn: Any, cursor: Any, *_: Any) -> None:
        started[id(cursor)] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def after(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        timed.append((time.perf_counter() - started.pop(id(cursor)), statement, params))

    with engine.connect() as conn:
        case_id = conn.scalar(select(CaseRecordRow.case_id).limit(1))
    uow = SqlUnitOfWork(factory, BENCH_CIPHER, ParsedPolicyCache(), EventHandlers(EVENT_HANDLERS))
    with uow:
        record = uow.cases.get(str(case_id))
        assert record is not None
        timed.clear()
        wall = time.perf_counter()
        trace = find_case_exposures(uow, record, now=NOW, evidence=True)
        wall = time.perf_counter() - wall
    in_sql = sum(t for t, _, _ in timed)
    print(
        f"case {case_id}: {len(trace.findings):,} findings; traced (reads only) in {wall:.3f} s, "
        f"{in_sql:.3f} s of it in {len(timed)} SQL statements"
    )
    groups: dict[str, list[float]] = defaultdict(list)
    for seconds, statement, _ in timed:
        groups[" ".join(statement.split())[:150]].append(seconds)
    for text, times in sorted(groups.items(), key=lambda g: -sum(g[1]))[:10]:
        print(f"  {sum(times):7.3f} s  {len(times):4} x  {text}")
    with engine.connect() as conn:
        for seconds, statement, params in sorted(timed, key=lambda s: -s[0])[: args.explain]:
            print(f"\n-- {seconds:.3f} s: {' '.join(statement.split())[:300]}")
            plan = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", params)
            for (line,) in plan:
                print(f"   {line}")
    engine.dispose()


if __name__ == "__main__":
    main()
