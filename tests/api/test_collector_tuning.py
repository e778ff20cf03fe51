"""A served process tunes Python's collector while it serves (``kernel.collector``) and leaves
it as it was after; a test that hands in its own container leaves it alone."""

from __future__ import annotations

import gc

from fastapi.testclient import TestClient

from healthcode.app import create_app
from healthcode.container import Container
from healthcode.kernel.collector import OLDER_THRESHOLDS
from healthcode.settings import Settings


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
