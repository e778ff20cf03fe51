"""An exposure's id is the fact id of its evidence's parts, so ids recorded before stay the
ids a trace finds again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from healthcode.tracing.model.findings import (
    Contact,
    Finding,
    Interval,
    TraceRule,
    exposure_id,
    fact_id,
)

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _contact(start: float, end: float, place: str | None) -> Contact:
    overlap = Interval(T0 + timedelta(minutes=start), T0 + timedelta(minutes=end))
    return Contact(place, "restaurant", overlap, overlap, overlap)


@pytest.mark.parametrize(
    "finding",
    [
        Finding("p1", TraceRule.VENUE, "louwailou", (_contact(0, 47, "louwailou"),)),
        Finding("p2", TraceRule.HOUSEHOLD, None, (_contact(0, 60, None),)),
        Finding(
            "p3",
            TraceRule.SECONDARY_VENUE,
            "gym",
            (_contact(0, 10, "gym"), _contact(30, 42.5, "gym")),
            level="medium",
        ),
    ],
)
def test_an_exposure_id_is_the_fact_id_of_its_parts(finding: Finding) -> None:
    """The written-out id equals fact_id over the same parts, absent ones included."""
    # the close contact in between, no longer part of a finding, stays an empty part
    parts = (
        "exposure",
        "case-1",
        finding.subject,
        finding.rule.value,
        finding.place_id,
        None,
        finding.level,
        finding.at,
        f"{finding.overlap_minutes:.3f}",
    )
    assert exposure_id("case-1", finding) == fact_id(*parts)
