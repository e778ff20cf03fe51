"""The background worker: runs due jobs (tracing, risk-area scans), reassesses people whose
status stops holding (a quarantine ending on time reaches the outbox on time), delivers due
notifications and, once an hour, deletes data past its retention. ``healthcode worker`` runs it
in its own process; ``healthcode serve`` runs one in a thread on SQLite. Restart-safe: every
step is committed on its own and is idempotent.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from healthcode.jobs.model import LEASE, JobStatus
from healthcode.jobs.queue import JobKinds, run_due, worker_name
from healthcode.kernel.clock import Clock
from healthcode.kernel.uow import UnitOfWork
from healthcode.notifications.delivery import DeliveryReport, WebhookSender, deliver_due
from healthcode.presence.retention import Purged, purge
from healthcode.status.assessment import TIME_CAUSE, refresh_status

log = logging.getLogger(__name__)

PURGE_EVERY = timedelta(hours=1)


@dataclass
class PassReport:
    """What one pass did."""

    jobs_done: int = 0
    jobs_failed: int = 0
    jobs_retried: int = 0
    statuses_refreshed: int = 0
    delivery: DeliveryReport = field(default_factory=DeliveryReport)
    purged: Purged | None = None  # this pass's hourly purge of expired data, if it ran

    @property
    def busy(self) -> bool:
        return bool(
            self.jobs_done
            or self.jobs_failed
            or self.jobs_retried
            or self.statuses_refreshed
            or self.delivery.attempted
        )


def refresh_due_statuses(
    *, uow_factory: Callable[[], UnitOfWork], clock: Clock, limit: int = 500
) -> int:
    """Reassess people whose cached status has stopped holding, each in its own transaction
    (the change is recorded at its exact moment and notified)."""
    now = clock.now()
    with uow_factory() as uow:
        due = uow.statuses.due(now, limit=limit)
    for subject in due:
        with uow_factory() as uow:
            refresh_status(uow=uow, clock=clock, subject=subject, cause=TIME_CAUSE)
            uow.commit()
    return len(due)


class Worker:
    """One worker. ``run_once`` does a pass; ``run`` repeats passes until stopped."""

    def __init__(
        self,
        *,
        uow_factory: Callable[[], UnitOfWork],
        clock: Clock,
        kinds: JobKinds,
        sender: WebhookSender | None,
        name: str | None = None,
        lease: timedelta = LEASE,
        max_jobs_per_pass: int = 100,
    ) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.kinds = kinds
        self.sender = sender
        self.name = name or worker_name()
        self.lease = lease
        self.max_jobs_per_pass = max_jobs_per_pass
        self._purged_at: datetime | None = None

    def run_jobs(self, report: PassReport) -> None:
        ran = 0
        while ran < self.max_jobs_per_pass:
            outcomes = run_due(
                uow_factory=self.uow_factory,
                clock=self.clock,
                kinds=self.kinds,
                worker=self.name,
                lease=self.lease,
            )
            if not outcomes:
                return
            ran += len(outcomes)
            for outcome in outcomes:
                if outcome.status is JobStatus.DONE:
                    report.jobs_done += 1
                elif outcome.status is JobStatus.FAILED:
                    report.jobs_failed += 1
                elif outcome.status is JobStatus.PENDING:
                    report.jobs_retried += 1

    def purge_if_due(self) -> Purged | None:
        """Delete what is past its retention, at most once an hour (the first pass purges)."""
        now = self.clock.now()
        if self._purged_at is not None and now - self._purged_at < PURGE_EVERY:
            return None
        purged = purge(uow=self.uow_factory(), clock=self.clock)
        self._purged_at = now
        return purged

    def run_once(self) -> PassReport:
        report = PassReport()
        report.purged = self.purge_if_due()
        self.run_jobs(report)
        report.statuses_refreshed = refresh_due_statuses(
            uow_factory=self.uow_factory, clock=self.clock
        )
        if self.sender is not None:
            report.delivery = deliver_due(
                uow_factory=self.uow_factory, clock=self.clock, sender=self.sender
            )
        return report

    def run(self, stop: threading.Event, *, interval: float = 1.0) -> None:
        """Passes until ``stop`` is set; sleeps ``interval`` seconds after an idle pass. An
        error in a pass is logged and the next pass tries again."""
        while not stop.is_set():
            try:
                busy = self.run_once().busy
            except Exception:  # the loop must survive a bad pass (e.g. the database restarting)
                log.exception("worker pass failed")
                busy = False
            if not busy:
                stop.wait(interval)


class WorkerThread:
    """A worker in a daemon thread of this process (the embedded SQLite deployment)."""

    def __init__(self, worker: Worker, *, interval: float = 1.0) -> None:
        self._worker = worker
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=worker.run,
            args=(self._stop,),
            kwargs={"interval": interval},
            daemon=True,
            name=f"healthcode-worker-{worker.name}",
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()
