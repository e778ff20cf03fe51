"""What ``/metrics`` shows, in the Prometheus text format: each app's own registry.

Counted by this process as it answers: requests and their latency by route template, method
and status; codes issued by colour; online verifications by outcome; requests shed under
overload by priority, and those in flight. Read from the database at each scrape
(``QueueCollector``), so every API process shows the same figures: the job queue by kind and
status, the oldest due job's wait, the webhook outbox's backlog and how long finished jobs took
from queueing to done (``kind="trace_case"``: a case's tracing, from its confirmation to the
changed statuses), and the appeals open and overdue (past their policy's
``appeals.answer_within``). With a Redis status cache, its hits, misses and errors in this process.

The registry is built with the app (``create_app``), never at import: two apps in one process
(tests) count apart. The counters are per process; with several API processes, scrape each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    Metric,
    SummaryMetricFamily,
)
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from healthcode.appeals.ports import AppealsUnitOfWork
from healthcode.appeals.queue import appeal_counts
from healthcode.jobs.model import JobStatus, QueueState
from healthcode.jobs.ports import JobsUnitOfWork
from healthcode.jobs.queue import queue_state
from healthcode.kernel.clock import Clock
from healthcode.notifications.status_changes import WEBHOOK

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
"""Seconds: fine below 100 ms, where code display and verification must stay."""


class Metrics:
    """The app's registry and the counters its requests feed."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "healthcode_http_requests",
            "HTTP requests answered, by route template, method and status",
            ("route", "method", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "healthcode_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template, method and status",
            ("route", "method", "status"),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.codes_issued = Counter(
            "healthcode_codes_issued",
            "Signed codes issued through the API, by colour",
            ("colour",),
            registry=self.registry,
        )
        self.shed = Counter(
            "healthcode_http_shed",
            "Requests refused with 503 at admission under overload, by priority (low, critical)",
            ("priority",),
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "healthcode_http_in_flight",
            "Requests this process is working on now (health and metrics aside)",
            registry=self.registry,
        )
        self.low_limit = Gauge(
            "healthcode_http_low_limit",
            "Requests in flight at which low-priority work is refused now (adapts under load)",
            registry=self.registry,
        )
        self.verifications = Counter(
            "healthcode_verifications",
            "Online verifications of a code, by outcome (pass, stop, invalid)",
            ("outcome",),
            registry=self.registry,
        )

    def watch_queue(
        self, uow_factory: Callable[[], JobsUnitOfWork], clock: Clock
    ) -> Callable[[], None]:
        """Read the job queue from the database at each scrape; returns how to stop."""
        collector = QueueCollector(uow_factory, clock)
        self.registry.register(collector)
        return lambda: self.registry.unregister(collector)

    def watch_appeals(
        self, uow_factory: Callable[[], AppealsUnitOfWork], clock: Clock
    ) -> Callable[[], None]:
        """Count open and overdue appeals from the database at each scrape; returns how to
        stop."""
        collector = AppealsCollector(uow_factory, clock)
        self.registry.register(collector)
        return lambda: self.registry.unregister(collector)

    def watch_status_cache(self, outcomes: Callable[[], Mapping[str, int]]) -> Callable[[], None]:
        """Show the status cache's ``outcomes`` at each scrape; returns how to stop."""
        collector = StatusCacheCollector(outcomes)
        self.registry.register(collector)
        return lambda: self.registry.unregister(collector)


class AppealsCollector(Collector):
    """``healthcode_appeals{state="open"|"overdue"}``: counts only, read at each scrape (an
    overdue appeal is an open one past its deadline; nothing while the database is down, which
    ``healthcode_database_up`` shows)."""

    def __init__(self, uow_factory: Callable[[], AppealsUnitOfWork], clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        try:
            counts = appeal_counts(uow=self._uow_factory(), clock=self._clock)
        except SQLAlchemyError:
            return
        family = GaugeMetricFamily(
            "healthcode_appeals",
            "Citizens' appeals waiting for an answer (open), and those of them past their "
            "deadline (overdue)",
            labels=("state",),
        )
        family.add_metric(["open"], counts.open)
        family.add_metric(["overdue"], counts.overdue)
        yield family


class StatusCacheCollector(Collector):
    """The status cache's counts since the process started (nothing without a cache)."""

    def __init__(self, outcomes: Callable[[], Mapping[str, int]]) -> None:
        self._outcomes = outcomes

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        counted = self._outcomes()
        if not counted:
            return
        family = CounterMetricFamily(
            "healthcode_status_cache",
            "Status cache: reads that found an entry (hit) or none (miss), and reads, drops or "
            "writes that failed (error, answered from the database)",
            labels=("outcome",),
        )
        for outcome, count in sorted(counted.items()):
            family.add_metric([outcome], count)
        yield family


class QueueCollector(Collector):
    """Gauges read from the jobs table when ``/metrics`` is scraped."""

    def __init__(self, uow_factory: Callable[[], JobsUnitOfWork], clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    def describe(self) -> list[Metric]:
        # nothing is read while registering; the families are named in collect
        return []

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "healthcode_database_up", "Whether this scrape could read the database (1) or not (0)"
        )
        try:
            state = queue_state(uow=self._uow_factory(), clock=self._clock)
        except SQLAlchemyError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from queue_families(state, now=self._clock.now())


def queue_families(state: QueueState, *, now: datetime) -> Iterator[Metric]:
    """The queue's gauges and the finished jobs' durations as metric families."""
    jobs = GaugeMetricFamily(
        "healthcode_jobs", "Jobs in the queue, by kind and status", labels=("kind", "status")
    )
    for (kind, status), count in sorted(state.counts.items()):
        jobs.add_metric([kind, status], count)
    yield jobs
    oldest = GaugeMetricFamily(
        "healthcode_job_oldest_due_seconds",
        "How long the oldest due, pending job of each kind has waited",
        labels=("kind",),
    )
    for kind, due in sorted(state.oldest_due.items()):
        oldest.add_metric([kind], max(0.0, (now - due).total_seconds()))
    yield oldest
    waiting = (JobStatus.PENDING.value, JobStatus.RUNNING.value)
    outbox = GaugeMetricFamily(
        "healthcode_outbox_backlog", "Webhooks to channels not yet delivered (pending or running)"
    )
    outbox.add_metric([], sum(state.counts.get((WEBHOOK, status), 0) for status in waiting))
    yield outbox
    done = SummaryMetricFamily(
        "healthcode_job_duration_seconds",
        "Finished jobs still kept, from queueing to done, by kind "
        '(kind="trace_case": tracing a case, from its confirmation)',
        labels=("kind",),
    )
    for kind, (count, seconds) in sorted(state.done.items()):
        done.add_metric([kind], count_value=count, sum_value=seconds)
    yield done
