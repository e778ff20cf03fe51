"""Admission by priority: low-priority work only within its share, critical work up to the limit
and then in line for a freed slot, first come first served; the route table names the classes."""

from __future__ import annotations

import anyio
import pytest
from pydantic import ValidationError

from healthcode.api.shedding import Admission, Limits, Priority, priority_of, request_priority
from healthcode.settings import Settings

LOW, CRITICAL = Priority.LOW, Priority.CRITICAL


def _admission(queue_seconds: float = 0.0) -> Admission:
    return Admission(
        Limits(max_in_flight=3, low_in_flight=1, queue_seconds=queue_seconds, retry_after_seconds=1)
    )


def test_the_route_table_names_critical_exempt_and_low_routes() -> None:
    """Code display and verification are critical, probes exempt, anything else low."""
    assert priority_of("GET", "/api/v1/me/code") is CRITICAL
    assert priority_of("POST", "/api/v1/verify") is CRITICAL
    assert priority_of("GET", "/healthz") is Priority.EXEMPT
    assert priority_of("POST", "/api/v1/scans/batches") is LOW
    assert priority_of("GET", "/api/v1/cases") is LOW
    assert priority_of("POST", "/api/v1/me/code") is LOW  # the method is part of the key


def test_the_pages_static_files_are_never_counted_nor_refused() -> None:
    """A page's scripts and styles are exempt (a dozen load at once); only as GET."""
    assert priority_of("GET", "/static/js/citizen/status-view.js") is Priority.EXEMPT
    assert priority_of("GET", "/static/vendor/swagger-ui/swagger-ui.css") is Priority.EXEMPT
    assert priority_of("POST", "/static/js/citizen/status-view.js") is LOW
    assert priority_of("GET", "/citizen") is LOW


def test_a_request_is_classed_by_its_path_below_the_root_path() -> None:
    """Behind a root path (/hc), /hc/api/v1/me/code is still code display."""
    scope = {"method": "GET", "path": "/hc/api/v1/me/code", "root_path": "/hc"}
    assert request_priority(scope) is CRITICAL
    assert request_priority({**scope, "root_path": ""}) is LOW


def test_low_priority_work_is_held_to_its_share() -> None:
    """One low request in flight refuses the next low one but still admits critical ones."""

    async def scene() -> list[bool]:
        admission = _admission()
        return [
            await admission.admit(LOW),
            await admission.admit(LOW),
            await admission.admit(CRITICAL),
            await admission.admit(CRITICAL),
            await admission.admit(CRITICAL),
        ]

    assert anyio.run(scene) == [True, False, True, True, False]


def test_a_critical_request_waits_in_line_for_a_freed_slot() -> None:
    """At the limit a critical request waits; a release hands it the slot, count unchanged."""

    async def scene() -> tuple[list[bool], int]:
        admission = _admission(queue_seconds=30.0)
        for _ in range(3):
            assert await admission.admit(CRITICAL)
        admitted: list[bool] = []

        async def wait() -> None:
            admitted.append(await admission.admit(CRITICAL))

        async with anyio.create_task_group() as group:
            group.start_soon(wait)
            with anyio.fail_after(10):
                while admission.waiting == 0:
                    await anyio.sleep(0)
            assert not await admission.admit(LOW)  # no low request jumps the line
            admission.release()
        return admitted, admission.in_flight

    assert anyio.run(scene) == ([True], 3)


def test_a_critical_request_is_refused_when_no_slot_frees_in_time() -> None:
    """Waiting in line ends after the queue time with a refusal, and leaves the line empty."""

    async def scene() -> tuple[bool, int, int]:
        admission = _admission(queue_seconds=0.01)
        for _ in range(3):
            assert await admission.admit(CRITICAL)
        refused = await admission.admit(CRITICAL)
        return refused, admission.waiting, admission.in_flight

    assert anyio.run(scene) == (False, 0, 3)


def test_releases_free_the_slots() -> None:
    """Each release frees a slot when nobody waits."""

    async def scene() -> int:
        admission = _admission()
        await admission.admit(LOW)
        await admission.admit(CRITICAL)
        admission.release()
        admission.release()
        return admission.in_flight

    assert anyio.run(scene) == 0


def test_the_low_priority_share_fits_within_the_limit() -> None:
    """A low-priority share above the in-flight limit is refused."""
    with pytest.raises(ValueError, match="low-priority limit"):
        Limits(max_in_flight=2, low_in_flight=3, queue_seconds=0, retry_after_seconds=1)


def test_settings_refuse_a_low_priority_share_above_the_limit() -> None:
    """HEALTHCODE_OVERLOAD_LOW_IN_FLIGHT above the in-flight limit stops the process at start."""
    with pytest.raises(ValidationError, match="must not exceed overload_max_in_flight"):
        Settings(overload_max_in_flight=2, overload_low_in_flight=3)
