"""Reading many people's colours at once (``current_colours``) gives what ``current_status``
gives each of them, also once a cached status has stopped holding."""

from __future__ import annotations

from datetime import timedelta

import pytest

from healthcode.container import Container
from healthcode.kernel.errors import NotFound
from healthcode.kernel.facts import Exposure
from healthcode.kernel.ids import new_id
from healthcode.status.assessment import current_status, record_fact
from healthcode.status.batch import current_colours
from tracing_helpers import resident


def test_colours_match_each_persons_status(container: Container) -> None:
    """A yellow contact, a green neighbour; then, days later, both as current_status says."""
    contact, neighbour = resident(container, 1), resident(container, 2)
    now = container.clock.now()
    with container.uow() as uow:
        record_fact(
            uow,
            clock=container.clock,
            fact=Exposure(
                id=new_id(),
                subject=contact,
                at=now - timedelta(hours=2),
                recorded_at=now,
                category="close",
                rule="venue",
                source_id="case-1",
                place_id="louwailou",
                overlap_minutes=30.0,
            ),
        )
        uow.commit()
    for _ in range(2):
        seen = current_colours(
            uow=container.uow(), clock=container.clock, subjects=[contact, neighbour]
        )
        each = {
            s: current_status(uow=container.uow(), clock=container.clock, subject=s).colour
            for s in (contact, neighbour)
        }
        assert seen == each
        container.clock.advance(timedelta(days=30))  # type: ignore[attr-defined]
    assert seen[contact].value == "green"


def test_an_unknown_subject_is_not_found(container: Container) -> None:
    """A subject nobody registered is refused."""
    with pytest.raises(NotFound):
        current_colours(uow=container.uow(), clock=container.clock, subjects=["nobody"])
