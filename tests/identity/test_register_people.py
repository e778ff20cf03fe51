"""Registering many people in one transaction (``register_people``), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from factories import register, resident_id
from healthcode.container import Container
from healthcode.identity.model import LOCATION_CONSENT_PURPOSE, IdentityState, Person
from healthcode.identity.registration import register_people, register_person
from healthcode.identity.tables import ConsentRow, PersonRow
from healthcode.kernel.errors import Conflict, InvalidInput
from healthcode.status.assessment import current_status, status_history
from sign_up_helpers import website_sign_up


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


def test_a_batch_stores_each_person_as_one_registration_does(container: Container) -> None:
    """Each person of a batch reads back as entered, findable by ID number, with their consent."""
    people = [
        register(id_number=resident_id(30), name="李四", phone="13800000030", district="330106"),
        register(id_number=resident_id(31), phone="13800000031", consent_location=False),
    ]
    done = register_people(
        uow=container.uow(), clock=container.clock, jurisdiction="330100", people=people
    )
    with container.uow() as uow:
        for entered, added in zip(people, done, strict=True):
            person = uow.persons.get(added.subject)
            assert person is not None
            seen = (person.name, person.id_number, person.phone, person.district)
            assert seen == (entered.name, entered.id_number, entered.phone, entered.district)
            assert person.identity is IdentityState.VERIFIED
            found = uow.persons.subject_for_id_number(
                jurisdiction="330100", id_type="resident", id_number=entered.id_number
            )
            assert found == added.subject
            consents = [c.purpose for c in uow.persons.consents(added.subject)]
            assert consents == ([LOCATION_CONSENT_PURPOSE] if entered.consent_location else [])


def test_a_batch_takes_a_claimed_number_back_as_one_registration_does(
    container: Container,
) -> None:
    """A website claim of a number the batch registers is taken back, recorded with its holder."""
    claimant = website_sign_up(container, phone="13822220009", id_number=resident_id(40))
    done = register_people(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction="330100",
        people=[register(id_number=resident_id(41)), register(id_number=resident_id(40))],
    )
    with container.uow() as uow:
        person = uow.persons.get(claimant)
        assert person is not None
        assert person.identity is IdentityState.TAKEN_BACK
        assert [(s, h) for s, _, h in uow.identity_events.of(claimant)] == [
            (IdentityState.TAKEN_BACK, done[1].subject)
        ]


def test_a_district_outside_refuses_the_batch_as_one_registration_does(
    container: Container,
) -> None:
    """A district outside the jurisdiction refuses the whole batch with the same problem."""
    people = [
        register(id_number=resident_id(50)),
        register(id_number=resident_id(51), district="110105"),
    ]
    with pytest.raises(InvalidInput) as refused:
        register_people(
            uow=container.uow(), clock=container.clock, jurisdiction="330100", people=people
        )
    with pytest.raises(InvalidInput) as alone:
        register_person(
            uow=container.uow(), clock=container.clock, jurisdiction="330100", person=people[1]
        )
    assert refused.value.problems == alone.value.problems
    assert _count(container, PersonRow) == 0


def test_a_number_verified_meanwhile_is_a_conflict(container: Container) -> None:
    """Adding many people whose number was verified meanwhile is a conflict, not a crash."""
    register_person(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction="330100",
        person=register(id_number=resident_id(60)),
    )
    twin = Person(
        subject="0" * 32,
        jurisdiction="330100",
        id_type="resident",
        id_number=resident_id(60),
        name="王五",
        phone="13800000060",
        address="杭州市西湖区文三路2号",
        registered_at=container.clock.now(),
    )
    with container.uow() as uow, pytest.raises(Conflict):
        uow.persons.add_many([twin])
