"""The trace bench's environment and its workers: due jobs drained by threads of the bench's
process, or by processes forked from it (as `healthcode worker` runs beside others)."""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from healthcode.bootstrap import JOB_KINDS
from healthcode.jobs.model import JobKinds
from healthcode.kernel.clock import FixedClock
from healthcode.worker import PassReport, Worker

JOBS = JobKinds(JOB_KINDS)


@dataclass
class Env:
    engine: Engine
    uow: Any
    clock: FixedClock


def _run_worker(env: Env, name: str) -> int:
    worker = Worker(
        uow_factory=env.uow, clock=env.clock, kinds=JOBS, name=name, max_jobs_per_pass=1_000_000
    )
    report = PassReport()
    worker.run_jobs(report)
    return report.jobs_done


_DRAINING: list[Env] = []


def _forked_worker(name: str) -> int:
    """A worker in a forked process, as `healthcode worker` runs beside others: its own
    connections (the parent's pool left to the parent), its own interpreter lock."""
    (env,) = _DRAINING
    env.engine.dispose(close=False)
    return _run_worker(env, name)


def drain(env: Env, workers: int, processes: bool = False) -> int:
    """Run every due job with ``workers`` workers: threads of this process, or ``processes``
    forked from it (PostgreSQL)."""
    names = [f"bench-{i}" for i in range(workers)]
    if processes and workers > 1:
        _DRAINING[:] = [env]
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            return sum(pool.map(_forked_worker, names))
    done: list[int] = []
    threads = [threading.Thread(target=lambda n=n: done.append(_run_worker(env, n))) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done)
