"""Health and travel declarations: validated, appended as facts, never edited."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import InvalidInput, NotFound, Problem
from healthcode.kernel.facts import Fact, FactKind, HealthDeclaration, Symptom, TravelDeclaration
from healthcode.kernel.ids import new_id
from healthcode.kernel.regions import is_region_code
from healthcode.kernel.text import TextKind, normalise, text_problem
from healthcode.status.assessment import record_fact
from healthcode.status.ports import StatusUnitOfWork

MIN_TEMPERATURE = 34.0
MAX_TEMPERATURE = 43.0
MAX_NOTE_LENGTH = 500
TRAVEL_LOOKBACK = timedelta(days=14)


def _require_person(uow: StatusUnitOfWork, subject: str) -> None:
    if uow.persons.jurisdiction_of(subject) is None:
        raise NotFound("person", subject)


def _parse_symptoms(symptoms: Sequence[str]) -> tuple[Symptom, ...]:
    problems: list[Problem] = []
    parsed: list[Symptom] = []
    for i, raw in enumerate(symptoms):
        try:
            parsed.append(Symptom(raw))
        except ValueError:
            allowed = ", ".join(s.value for s in Symptom)
            problems.append(Problem(f"symptoms[{i}]", f"{raw!r} is not one of {allowed}"))
    if Symptom.NONE in parsed and len(set(parsed)) > 1:
        problems.append(Problem("symptoms", "'none' cannot be combined with a symptom"))
    if problems:
        raise InvalidInput(problems)
    return tuple(dict.fromkeys(parsed))


def declare_health(
    *,
    uow: StatusUnitOfWork,
    clock: Clock,
    subject: str,
    temperature: float,
    symptoms: Sequence[str] = (),
    note: str = "",
) -> HealthDeclaration:
    """Record a daily health declaration at the clock's time."""
    problems: list[Problem] = []
    if not MIN_TEMPERATURE <= temperature <= MAX_TEMPERATURE:
        problems.append(
            Problem(
                "temperature",
                f"must be between {MIN_TEMPERATURE} and {MAX_TEMPERATURE} °C, got {temperature}",
            )
        )
    note = normalise(note)
    if (problem := text_problem(note, TextKind.TEXT)) is not None:
        problems.append(Problem("note", problem))
    elif len(note) > MAX_NOTE_LENGTH:
        problems.append(Problem("note", f"must be at most {MAX_NOTE_LENGTH} characters"))
    try:
        parsed = _parse_symptoms(symptoms)
    except InvalidInput as refused:
        problems.extend(refused.problems)
        parsed = ()
    if problems:
        raise InvalidInput(problems)
    now = clock.now()
    fact = HealthDeclaration(
        id=new_id(),
        subject=subject,
        at=now,
        recorded_at=now,
        temperature=round(temperature, 1),
        symptoms=parsed,
        note=note.strip(),
    )
    with uow:
        _require_person(uow, subject)
        record_fact(uow, clock=clock, fact=fact)
        uow.commit()
    return fact


def declare_travel(
    *,
    uow: StatusUnitOfWork,
    clock: Clock,
    subject: str,
    place: str,
    from_date: date,
    to_date: date,
) -> TravelDeclaration:
    """Record a declared stay in a region within the last 14 days."""
    now = clock.now()
    today = now.date()
    earliest = (now - TRAVEL_LOOKBACK).date()
    problems: list[Problem] = []
    if not is_region_code(place):
        problems.append(Problem("place", f"{place!r} is not a GB/T 2260 six-digit region code"))
    if from_date > today:
        problems.append(Problem("from_date", "must not be in the future"))
    if to_date > today:
        problems.append(Problem("to_date", "must not be in the future"))
    if to_date < earliest:
        problems.append(
            Problem("to_date", f"must be within the last 14 days (on or after {earliest})")
        )
    if from_date > to_date:
        problems.append(Problem("from_date", "must not be after to_date"))
    if problems:
        raise InvalidInput(problems)
    fact = TravelDeclaration(
        id=new_id(),
        subject=subject,
        at=now,
        recorded_at=now,
        place=place,
        from_date=max(from_date, earliest),
        to_date=to_date,
    )
    with uow:
        _require_person(uow, subject)
        record_fact(uow, clock=clock, fact=fact)
        uow.commit()
    return fact


def list_declarations(*, uow: StatusUnitOfWork, subject: str) -> list[Fact]:
    """The person's own health and travel declarations, oldest first."""
    with uow:
        _require_person(uow, subject)
        return list(
            uow.facts.for_subject(
                subject, kinds=(FactKind.HEALTH_DECLARATION, FactKind.TRAVEL_DECLARATION)
            )
        )
