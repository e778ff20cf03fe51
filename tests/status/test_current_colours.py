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
from healthcode.status.batch import current_colours, refresh_many
from healthcode.status.tables import CurrentStatusRow
from status_helpers import quarantined_for_two_hours
from tracing_helpers import hours, resident


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


def test_a_status_past_its_end_is_caught_up_as_current_status_does(container: Container) -> None:
    """A colour read after the cached status ended records the same history as one read alone."""
    many, one = resident(container, 3), resident(container, 4)
    for s in (many, one):
        quarantined_for_two_hours(container, s)
    container.clock.advance(hours(3))  # type: ignore[attr-defined]
    seen = current_colours(uow=container.uow(), clock=container.clock, subjects=[many])
    alone = current_status(uow=container.uow(), clock=container.clock, subject=one)
    assert seen[many] is alone.colour

    def history(subject: str) -> list[tuple[object, ...]]:
        with container.uow() as uow:
            changes = uow.statuses.changes(subject)
        return [(h.colour_from, h.colour_to, h.at) for h in changes] + [changes[-1].cause]

    assert history(many) == history(one)
    assert len(history(many)) == 4  # registered, quarantined, released at the order's end; cause


def test_a_bulk_reassessment_leaves_no_stale_status_in_the_transaction(
    container: Container,
) -> None:
    """A status row the session loaded earlier is read anew after a bulk reassessment."""
    subject = resident(container, 5)
    quarantined_for_two_hours(container, subject)
    container.clock.advance(hours(3))  # type: ignore[attr-defined]
    with container.uow() as uow:
        held = uow.session.get(CurrentStatusRow, subject)  # as saving one status loads it
        assert held is not None
        before = held.assessed_at
        refresh_many(uow, clock=container.clock, causes={subject: "test"})
        again = uow.session.get(CurrentStatusRow, subject)
        assert again is not None
        assert again.assessed_at == container.clock.now() != before
