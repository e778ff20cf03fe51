"""A served process tunes Python's collector while it serves and leaves it as it was after; a
test that hands in its own container, or a threshold of 0, leaves it alone."""

from __future__ import annotations

import gc

from fastapi.testclient import TestClient

from healthcode.api.collector import OLDER_THRESHOLDS, tuned_collector
from healthcode.app import create_app
from healthcode.container import Container
from healthcode.settings import Settings


def test_the_collector_is_tuned_while_serving_and_restored_after() -> None:
    """Inside: the young threshold set and the heap frozen; after: thresholds and heap back."""
    before = gc.get_threshold()
    with tuned_collector(12_345):
        assert gc.get_threshold() == (12_345, *OLDER_THRESHOLDS)
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_threshold_of_zero_leaves_the_collector_alone() -> None:
    """0 is the operator's way to keep Python's own collector."""
    before = gc.get_threshold()
    with tuned_collector(0):
        assert gc.get_threshold() == before
        assert gc.get_freeze_count() == 0


def test_the_app_tunes_the_collector_only_for_a_process_it_builds(
    settings: Settings, container: Container
) -> None:
    """The lifespan tunes it for a container it built itself, not for one a test hands in."""
    before = gc.get_threshold()
    with TestClient(create_app(settings.model_copy(update={"gc_young_threshold": 23_456}))):
        assert gc.get_threshold() == (23_456, *OLDER_THRESHOLDS)
    assert gc.get_threshold() == before
    with TestClient(create_app(container=container)):
        assert gc.get_threshold() == before
