"""Registration and declarations through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text

from factories import VALID_ID, register, resident_id
from healthcode.container import Container
from healthcode.identity.profile import show_profile
from healthcode.identity.registration import register_person
from healthcode.identity.tables import ConsentRow, PersonRow
from healthcode.kernel.errors import Conflict, InvalidInput, NotFound
from healthcode.kernel.facts import HealthDeclaration, Symptom, TravelDeclaration
from healthcode.oversight.access import Principal, Role
from healthcode.status.declarations import declare_health, declare_travel, list_declarations


def _register(container: Container, **overrides: object) -> str:
    return register_person(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction=container.settings.jurisdiction,
        person=register(**overrides),
    ).subject


def _own_profile(container: Container, subject: str):  # type: ignore[no-untyped-def]
    citizen = Principal(role=Role.CITIZEN, id=subject, channel="website")
    return show_profile(
        uow=container.uow(), clock=container.clock, principal=citizen, subject=subject
    )


def _count(container: Container, model: type) -> int:
    with container.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(model)) or 0


def test_registered_person_is_shown_masked(container: Container) -> None:
    """A registered person reads back with name, ID number and phone masked."""
    subject = _register(container)
    profile = _own_profile(container, subject)
    assert (profile.name, profile.id_number, profile.phone) == (
        "张*丰",
        "1101**********002X",
        "138****1234",
    )
    assert profile.location_consent
    assert profile.jurisdiction == "330100"


def test_personal_data_is_stored_encrypted(container: Container) -> None:
    """No personal field appears in clear in the database; the subject id is random."""
    subject = _register(container)
    with container.uow() as uow:
        row = uow.session.get(PersonRow, subject)
        assert row is not None
        stored = b"".join([row.name_enc, row.id_number_enc, row.phone_enc, row.address_enc])
        raw = uow.session.execute(text("SELECT * FROM persons")).one()
    for clear in ("张三丰", VALID_ID, "13812341234", "文三路"):
        assert clear.encode() not in stored
        assert all(clear not in str(value) for value in raw)
    assert VALID_ID not in subject and len(subject) == 32


def test_same_id_number_twice_is_refused(container: Container) -> None:
    """A second registration of the same ID number (even written differently) is a conflict."""
    _register(container)
    with pytest.raises(Conflict) as refused:
        _register(container, id_number="110105 19491231 002x", phone="13900000000")
    assert refused.value.field == "id_number"
    assert _count(container, PersonRow) == 1


def test_consent_is_recorded_with_purpose_and_time(container: Container) -> None:
    """Consent to location use is stored with its purpose and the time it was given."""
    subject = _register(container)
    with container.uow() as uow:
        consents = uow.persons.consents(subject)
    assert [(c.purpose, c.granted_at) for c in consents] == [
        ("location_for_epidemic_control", container.clock.now())
    ]


def test_no_consent_records_none(container: Container) -> None:
    """Without consent, no consent row is written."""
    subject = _register(container, consent_location=False)
    assert not _own_profile(container, subject).location_consent
    assert _count(container, ConsentRow) == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"id_number": "110105194912310021"}, "id_number", "check character should be X"),
        ({"phone": "12345"}, "phone", "11 digits"),
        ({"name": "  "}, "name", "must not be empty"),
        ({"address": ""}, "address", "must not be empty"),
        ({"id_type": "driving_licence"}, "id_type", "must be one of"),
    ],
)
def test_invalid_registration_names_the_field_and_stores_nothing(
    container: Container, overrides: dict[str, object], field: str, message: str
) -> None:
    """Each invalid field is refused by name and with its rule, and no row is written."""
    with pytest.raises(InvalidInput) as refused:
        _register(container, **overrides)
    problems = {p.field: p.message for p in refused.value.problems}
    assert message in problems[field]
    assert _count(container, PersonRow) == 0


def test_failure_mid_registration_leaves_nothing(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash after the person and consent rows are written rolls the whole registration back."""

    def crash(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("healthcode.identity.registration.refresh_status", crash)
    with pytest.raises(RuntimeError):
        _register(container)
    for model in (PersonRow, ConsentRow):
        assert _count(container, model) == 0


def test_health_declaration_is_appended(container: Container) -> None:
    """A health declaration is stored as a fact at the clock's time and lists back."""
    subject = _register(container)
    declare_health(
        uow=container.uow(),
        clock=container.clock,
        subject=subject,
        temperature=36.64,
        symptoms=["cough"],
        note=" dry ",
    )
    [fact] = list_declarations(uow=container.uow(), subject=subject)
    assert isinstance(fact, HealthDeclaration)
    assert (fact.temperature, fact.symptoms, fact.note) == (36.6, (Symptom.COUGH,), "dry")
    assert fact.at == container.clock.now()


@pytest.mark.parametrize(
    ("temperature", "symptoms", "field"),
    [
        (33.9, [], "temperature"),
        (43.1, [], "temperature"),
        (36.5, ["headache"], "symptoms[0]"),
        (36.5, ["none", "cough"], "symptoms"),
    ],
)
def test_bad_health_declaration_is_refused(
    container: Container, temperature: float, symptoms: list[str], field: str
) -> None:
    """Temperatures outside 34–43 °C and unknown or contradictory symptoms are refused."""
    subject = _register(container)
    with pytest.raises(InvalidInput) as refused:
        declare_health(
            uow=container.uow(),
            clock=container.clock,
            subject=subject,
            temperature=temperature,
            symptoms=symptoms,
        )
    assert field in {p.field for p in refused.value.problems}
    assert list_declarations(uow=container.uow(), subject=subject) == []


def test_travel_declaration_within_14_days(container: Container) -> None:
    """A stay within the last 14 days is recorded with its place and dates."""
    subject = _register(container)
    today = container.clock.now().date()
    declare_travel(
        uow=container.uow(),
        clock=container.clock,
        subject=subject,
        place="310000",
        from_date=today - timedelta(days=5),
        to_date=today - timedelta(days=2),
    )
    [fact] = list_declarations(uow=container.uow(), subject=subject)
    assert isinstance(fact, TravelDeclaration)
    assert (fact.place, fact.to_date) == ("310000", today - timedelta(days=2))


@pytest.mark.parametrize(
    ("place", "from_days", "to_days", "field"),
    [
        ("999999", -3, -1, "place"),
        ("31000", -3, -1, "place"),
        ("310000", -3, 1, "to_date"),
        ("310000", -30, -20, "to_date"),
        ("310000", -1, -3, "from_date"),
    ],
)
def test_bad_travel_declaration_is_refused(
    container: Container, place: str, from_days: int, to_days: int, field: str
) -> None:
    """Unknown regions, future dates, stays older than 14 days and reversed dates are refused."""
    subject = _register(container)
    today: date = container.clock.now().date()
    with pytest.raises(InvalidInput) as refused:
        declare_travel(
            uow=container.uow(),
            clock=container.clock,
            subject=subject,
            place=place,
            from_date=today + timedelta(days=from_days),
            to_date=today + timedelta(days=to_days),
        )
    assert field in {p.field for p in refused.value.problems}


def test_declaring_for_an_unknown_person_is_refused(container: Container) -> None:
    """A declaration for a subject nobody registered is refused as not found."""
    with pytest.raises(NotFound):
        declare_health(
            uow=container.uow(), clock=container.clock, subject="0" * 32, temperature=36.5
        )


def test_many_people_register(container: Container) -> None:
    """Distinct ID numbers register as distinct people with distinct subjects."""
    subjects = {_register(container, id_number=resident_id(i)) for i in range(5)}
    assert len(subjects) == 5
