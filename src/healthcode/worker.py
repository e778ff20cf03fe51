"""The background worker: runs due jobs (tracing, risk-area scans, webhooks to channels),
reassesses people whose status stops holding (a quarantine ending on time is notified on time)
once an hour, makes the presences partitions of the days ahead (PostgreSQL) and deletes data past
its retention and, every five minutes, publishes the access log's
signed head (an audit anchor) when the log grew and fetches the peers' trust lists
(``federation.sync``). ``healthcode worker`` runs it
in its own process; ``healthcode serve`` runs one in a thread on SQLite. Restart-safe: every
step is committed on its own and is idempotent.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from healthcode.jobs.model import LEASE, JobKinds, JobStatus
from healthcode.jobs.queue import run_due, worker_name
from healthcode.kernel.clock import Clock
from healthcode.notifications.delivery import DeliveryReport
from healthcode.notifications.ports import NotificationsUnitOfWork
from healthcode.notifications.status_changes import WEBHOOK
from healthcode.presence.retention import Purged, prepare_days, purge
from healthcode.status.assessment import refresh_due_statuses
from healthcode.sunset.ports import SunsetUnitOfWork
from healthcode.sunset.purge import purge_if_due as sunset_purge
from healthcode.tracing.ports import TracingUnitOfWork

log = logging.getLogger(__name__)

PURGE_EVERY = timedelta(hours=1)
ANCHOR_EVERY = timedelta(minutes=5)
PEER_SYNC_EVERY = timedelta(minutes=5)


class WorkerUnitOfWork(TracingUnitOfWork, NotificationsUnitOfWork, SunsetUnitOfWork, Protocol):
    """What a worker's passes use: every kind of job, statuses, retention."""


@dataclass
class PassReport:
    """What one pass did."""

    jobs_done: int = 0
    jobs_failed: int = 0
    jobs_retried: int = 0
    statuses_refreshed: int = 0
    delivery: DeliveryReport = field(default_factory=DeliveryReport)
    purged: Purged | None = None  # this pass's hourly purge of expired data, if it ran
    days_prepared: list[date] = field(default_factory=list)  # presences partitions it made
    anchored: object = None  # what this pass's publication of the audit anchor wrote, if any
    peers_synced: object = None  # what this pass's fetch of the peers' trust lists came to

    def add(self, other: PassReport) -> None:
        """Count ``other``'s work in this report too (a worker's total over its passes)."""
        self.jobs_done += other.jobs_done
        self.jobs_failed += other.jobs_failed
        self.jobs_retried += other.jobs_retried
        self.statuses_refreshed += other.statuses_refreshed
        self.delivery.add(other.delivery)

    @property
    def busy(self) -> bool:
        return bool(
            self.jobs_done
            or self.jobs_failed
            or self.jobs_retried
            or self.statuses_refreshed
            or self.delivery.attempted
        )


class Worker:
    """One worker. ``run_once`` does a pass; ``run`` repeats passes until stopped."""

    def __init__(  # noqa: PLR0913 - keyword-only, each an optional duty of the worker
        self,
        *,
        uow_factory: Callable[[], WorkerUnitOfWork],
        clock: Clock,
        kinds: JobKinds,
        name: str | None = None,
        lease: timedelta = LEASE,
        max_jobs_per_pass: int = 100,
        anchor: Callable[[], object] | None = None,
        peer_sync: Callable[[], object] | None = None,
    ) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.kinds = kinds
        self.name = name or worker_name()
        self.lease = lease
        self.max_jobs_per_pass = max_jobs_per_pass
        self._purged_at: datetime | None = None
        self.anchor = anchor
        self._anchored_at: datetime | None = None
        self.peer_sync = peer_sync
        self.peer_sync_every = PEER_SYNC_EVERY
        self._synced_at: datetime | None = None

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
                if outcome.job.kind == WEBHOOK:
                    report.delivery.count(outcome.status)
                elif outcome.status is JobStatus.DONE:
                    report.jobs_done += 1
                elif outcome.status is JobStatus.FAILED:
                    report.jobs_failed += 1
                elif outcome.status is JobStatus.PENDING:
                    report.jobs_retried += 1

    def purge_if_due(self, report: PassReport | None = None) -> Purged | None:
        """At most once an hour (the first pass does it): make the presences partitions of
        today and the days ahead, then delete what is past its retention."""
        now = self.clock.now()
        if self._purged_at is not None and now - self._purged_at < PURGE_EVERY:
            return None
        prepared = prepare_days(uow=self.uow_factory(), clock=self.clock)
        if report is not None:
            report.days_prepared = prepared
        purged = purge(uow=self.uow_factory(), clock=self.clock)
        # a retired instance past its grace period: the final report kept, every person purged
        sunset_purge(uow=self.uow_factory(), clock=self.clock)
        self._purged_at = now
        return purged

    def anchor_if_due(self) -> object:
        """Publish the access log's signed head, at most every ``ANCHOR_EVERY`` (the first pass
        publishes); what ``anchor`` returned, or None when not due or there is none."""
        now = self.clock.now()
        if self.anchor is None or (
            self._anchored_at is not None and now - self._anchored_at < ANCHOR_EVERY
        ):
            return None
        # due again only after the interval, even if this one fails: a broken publication
        # (an unreadable key file) must not fail every pass
        self._anchored_at = now
        return self.anchor()

    def sync_peers_if_due(self) -> object:
        """Fetch the peers' trust lists, at most every ``peer_sync_every`` (the first pass
        fetches); what ``peer_sync`` returned, or None when not due or there is none."""
        now = self.clock.now()
        if self.peer_sync is None or (
            self._synced_at is not None and now - self._synced_at < self.peer_sync_every
        ):
            return None
        self._synced_at = now  # a peer down must not be fetched on every pass
        return self.peer_sync()

    def run_once(self) -> PassReport:
        report = PassReport()
        report.purged = self.purge_if_due(report)
        self.run_jobs(report)
        report.statuses_refreshed = refresh_due_statuses(
            uow_factory=self.uow_factory, clock=self.clock
        )
        report.peers_synced = self.sync_peers_if_due()
        report.anchored = self.anchor_if_due()  # last: a failure here leaves the rest done
        return report

    def run_surviving(self) -> PassReport | None:
        """One pass; None when it failed. The error is logged and the next pass tries again:
        a long-running worker must outlive a bad pass (e.g. the database restarting)."""
        try:
            return self.run_once()
        except Exception:
            log.exception("worker pass failed")
            return None

    def run(self, stop: threading.Event, *, interval: float = 1.0) -> None:
        """Passes until ``stop`` is set; sleeps ``interval`` seconds after an idle or failed
        pass."""
        while not stop.is_set():
            report = self.run_surviving()
            if report is None or not report.busy:
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
