"""Registering many people in one transaction (``register_people``), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from factories import register, resident_id
from healthcode.container import Container
from healthcode.identity.registration import register_people, register_person
from healthcode.identity.tables import ConsentRow, PersonRow
from healthcode.kernel.errors import Conflict, InvalidInput
from healthcode.status.assessment import current_status, status_history


def _count(container: Container, model: type) -> int:
    with container.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(model)) or 0


def test_a_batch_registers_everyone_with_a_status(container: Container) -> None:
    """Every person of the batch is registered, with their consent and a green code."""
    people = [register(id_number=resident_id(n), consent_location=n % 2 == 0) for n in range(5)]
    done = register_people(
        uow=container.uow(), clock=container.clock, jurisdiction="330100", people=people
    )
    assert len({r.subject for r in done}) == 5
    assert _count(container, PersonRow) == 5
    assert _count(container, ConsentRow) == 3
    colour = current_status(uow=container.uow(), clock=container.clock, subject=done[0].subject)
    assert colour.colour.value == "green"


def test_a_bad_item_refuses_the_whole_batch(container: Container) -> None:
    """A bad field and an ID number given twice are named by item; nothing is stored."""
    people = [
        register(id_number=resident_id(1)),
        register(id_number=resident_id(2), phone="12"),
        register(id_number=resident_id(1)),
    ]
    with pytest.raises(InvalidInput) as refused:
        register_people(
            uow=container.uow(), clock=container.clock, jurisdiction="330100", people=people
        )
    fields = {p.field for p in refused.value.problems}
    assert {"people[1].phone", "people[2].id_number"} <= fields
    assert _count(container, PersonRow) == 0


def test_a_number_registered_already_refuses_the_batch(container: Container) -> None:
    """A batch with someone registered already is refused whole, as one registration is."""
    register_person(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction="330100",
        person=register(id_number=resident_id(7)),
    )
    people = [register(id_number=resident_id(8)), register(id_number=resident_id(7))]
    with pytest.raises(Conflict):
        register_people(
            uow=container.uow(), clock=container.clock, jurisdiction="330100", people=people
        )
    assert _count(container, PersonRow) == 1


def test_an_empty_batch_is_refused(container: Container) -> None:
    """An empty batch names the people field."""
    with pytest.raises(InvalidInput):
        register_people(
            uow=container.uow(), clock=container.clock, jurisdiction="330100", people=[]
        )


def test_a_batch_records_the_first_status_as_one_registration_does(container: Container) -> None:
    """Each person's first status and history match a registration of their own."""
    one = register_person(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction="330100",
        person=register(id_number=resident_id(20)),
    ).subject
    many = register_people(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction="330100",
        people=[register(id_number=resident_id(21)), register(id_number=resident_id(22))],
    )

    def seen(subject: str) -> tuple[object, ...]:
        status = current_status(uow=container.uow(), clock=container.clock, subject=subject)
        history = status_history(uow=container.uow(), clock=container.clock, subject=subject)
        return (
            status.colour,
            status.valid_until,
            [(h.colour_from, h.colour_to, h.at, h.cause) for h in history],
        )

    assert seen(many[0].subject) == seen(many[1].subject) == seen(one)
