"""The worker fetches the peers' lists on its schedule, over real HTTP on loopback: a peer down
(connection refused) loses nothing, and the pass after it is back takes its list (SQLite and
PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from federation_helpers import SHANGHAI, LoopbackPeer, PeerCity, add_shanghai
from healthcode import bootstrap
from healthcode.container import Container
from healthcode.federation.model import Outcome
from healthcode.federation.peers import peer_health
from healthcode.kernel.clock import FixedClock
from healthcode.worker import PEER_SYNC_EVERY, Worker


@pytest.fixture
def peer() -> Iterator[LoopbackPeer]:
    loopback = LoopbackPeer()
    yield loopback
    loopback.stop()


def _worker(container: Container) -> Worker:
    return Worker(
        uow_factory=container.uow,
        clock=container.clock,
        kinds=bootstrap.job_kinds(),
        peer_sync=bootstrap.peer_syncer(container),
    )


def test_the_worker_syncs_peers_on_its_schedule(
    container: Container, clock: FixedClock, peer: LoopbackPeer
) -> None:
    """Down at the first pass, not fetched again before the interval, taken once it is up."""
    city = PeerCity()
    add_shanghai(container, city, url=peer.url)
    worker = _worker(container)
    (first,) = worker.run_once().peers_synced  # type: ignore[misc]
    assert first.outcome is Outcome.UNREACHABLE and first.sequence is None
    peer.start(city.trust_list(sequence=3, issued_at=clock.now()))
    assert worker.run_once().peers_synced is None  # not due yet
    clock.advance(PEER_SYNC_EVERY)
    (second,) = worker.run_once().peers_synced  # type: ignore[misc]
    assert (second.outcome, second.sequence) == (Outcome.ACCEPTED, 3)
    peer.stop()
    clock.advance(PEER_SYNC_EVERY + timedelta(seconds=1))
    (third,) = worker.run_once().peers_synced  # type: ignore[misc]
    assert third.outcome is Outcome.UNREACHABLE and third.sequence == 3
    health = peer_health(uow=container.uow())
    assert health.counts == {(SHANGHAI, "unreachable"): 2, (SHANGHAI, "accepted"): 1}
    (held,) = health.peers
    assert held.held is not None and held.held.sequence == 3
