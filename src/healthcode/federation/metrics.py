"""The peers in ``/metrics``, read from the database at each scrape (the worker that syncs may
run in another process): each peer's syncs by outcome, its held list's sequence and age, and
the time since its last good sync."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry
from sqlalchemy.exc import SQLAlchemyError

from healthcode.federation.peers import peer_health
from healthcode.federation.ports import FederationUnitOfWork
from healthcode.kernel.clock import Clock


class PeerCollector(Collector):
    """``healthcode_peer_syncs_total{peer,outcome}``, ``healthcode_peer_list_sequence{peer}``,
    ``healthcode_peer_list_age_seconds{peer}``, ``healthcode_peer_last_success_age_seconds``."""

    def __init__(self, uow_factory: Callable[[], FederationUnitOfWork], clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        try:
            health = peer_health(uow=self._uow_factory())
        except SQLAlchemyError:
            return  # healthcode_database_up says so
        now = self._clock.now()
        syncs = CounterMetricFamily(
            "healthcode_peer_syncs",
            "Fetches of a peer's trust list, by outcome: accepted, unchanged, or a refusal "
            "(unreachable, malformed, wrong_root, older_sequence, future_dated…)",
            labels=("peer", "outcome"),
        )
        for (jurisdiction, outcome), count in sorted(health.counts.items()):
            syncs.add_metric([jurisdiction, outcome], count)
        yield syncs
        sequence = GaugeMetricFamily(
            "healthcode_peer_list_sequence",
            "The sequence of each peer's held list",
            labels=("peer",),
        )
        age = GaugeMetricFamily(
            "healthcode_peer_list_age_seconds",
            "How old each peer's held list is (since its issue)",
            labels=("peer",),
        )
        success = GaugeMetricFamily(
            "healthcode_peer_last_success_age_seconds",
            "Time since each peer last answered with a good list",
            labels=("peer",),
        )
        for peer in health.peers:
            if peer.held is not None:
                sequence.add_metric([peer.jurisdiction], peer.held.sequence)
                age.add_metric([peer.jurisdiction], (now - peer.held.issued_at).total_seconds())
            if peer.last_success_at is not None:
                seconds = (now - peer.last_success_at).total_seconds()
                success.add_metric([peer.jurisdiction], seconds)
        yield from (sequence, age, success)


def watch_peers(
    registry: CollectorRegistry, uow_factory: Callable[[], FederationUnitOfWork], clock: Clock
) -> Callable[[], None]:
    """Show the peers in ``registry`` at each scrape; returns how to stop."""
    collector = PeerCollector(uow_factory, clock)
    registry.register(collector)
    return lambda: registry.unregister(collector)
