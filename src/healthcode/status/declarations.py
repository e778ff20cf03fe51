"""Health and travel declarations: validated, appended as facts, never edited."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import InvalidInput, NotFound, Problem
from healthcode.kernel.facts import Fact, FactKind, HealthDeclaration, Symptom, TravelDeclaration
from healthcode.kernel.ids import new_id
from healthcode.kernel.regions import is_region_code, local_date
from healthcode.kernel.text import TextKind, normalise, text_problem
from healthcode.oversight.instance import require_collecting
from healthcode.status.assessment import record_fact
from healthcode.status.model import declared_arrival
from healthcode.status.ports import StatusUnitOfWork

MIN_TEMPERATURE = 34.0
MAX_TEMPERATURE = 43.0
MAX_NOTE_LENGTH = 500
TRAVEL_LOOKBACK = timedelta(days=14)
CLOCK_SKEW = timedelta(minutes=5)
"""How far in the future a declaration's time may be (a phone's or console's clock running
ahead); farther is refused."""
MAINLAND = "110000"  # a mainland code: its calendar days are China Standard Time


def _declared_at(at: datetime | None, *, now: datetime) -> datetime:
    """When a declaration was made: ``at`` (an operator entering a paper form) or now; never
    in the future beyond the clock skew a phone or console may have."""
    if at is None:
        return now
    if at.tzinfo is None:
        raise InvalidInput.one("at", "must include a time zone")
    if at > now + CLOCK_SKEW:
        raise InvalidInput.one(
            "at",
            f"is in the future: declarations are of now or the past (now is {now:%Y-%m-%dT%H:%MZ})",
        )
    return at.astimezone(UTC)


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
    at: datetime | None = None,
) -> HealthDeclaration:
    """Record a daily health declaration made at ``at`` (None: the clock's time; never in the
    future beyond ``CLOCK_SKEW``)."""
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
    now = clock.now()
    try:
        when = _declared_at(at, now=now)
    except InvalidInput as refused:
        problems.extend(refused.problems)
    if problems:
        raise InvalidInput(problems)
    fact = HealthDeclaration(
        id=new_id(),
        subject=subject,
        at=when,
        recorded_at=now,
        temperature=round(temperature, 1),
        symptoms=parsed,
        note=note.strip(),
    )
    with uow:
        require_collecting(uow)
        _require_person(uow, subject)
        record_fact(uow, clock=clock, fact=fact)
        uow.commit()
    return fact


def _travel_problems(from_date: date, to_date: date, *, today: date) -> list[Problem]:
    """What is wrong with the days of a stay, ``today`` being the local calendar day."""
    earliest = today - TRAVEL_LOOKBACK
    problems: list[Problem] = []
    if from_date > today:
        problems.append(Problem("from_date", f"must not be in the future (today is {today})"))
    if to_date > today:
        problems.append(Problem("to_date", f"must not be in the future (today is {today})"))
    if to_date < earliest:
        problems.append(
            Problem("to_date", f"must be within the last 14 days (on or after {earliest})")
        )
    if from_date > to_date:
        problems.append(Problem("from_date", "must not be after to_date"))
    return problems


def declare_travel(
    *,
    uow: StatusUnitOfWork,
    clock: Clock,
    subject: str,
    place: str,
    from_date: date,
    to_date: date,
    at: datetime | None = None,
) -> TravelDeclaration:
    """Record a declared stay in a region within the last 14 days, made at ``at`` (None: now;
    never in the future); a stay in another province is also recorded as an arrival from it
    (``declared_arrival``), which the policy colours like one found from locations. The days
    are calendar days in the time zone of the person's jurisdiction
    (``kernel.regions.local_date``), not UTC days."""
    now = clock.now()
    when = _declared_at(at, now=now)
    problems: list[Problem] = []
    if not is_region_code(place):
        problems.append(Problem("place", f"{place!r} is not a GB/T 2260 six-digit region code"))
    with uow:
        require_collecting(uow)
        jurisdiction = uow.persons.jurisdiction_of(subject)
        # an unknown person's days are China's (every jurisdiction's but Taiwan, Hong Kong and
        # Macau), so bad input is named before the person is found missing, as elsewhere
        today = local_date(when, jurisdiction or MAINLAND)
        problems += _travel_problems(from_date, to_date, today=today)
        if problems:
            raise InvalidInput(problems)
        if jurisdiction is None:
            raise NotFound("person", subject)
        fact = TravelDeclaration(
            id=new_id(),
            subject=subject,
            at=when,
            recorded_at=now,
            place=place,
            from_date=max(from_date, today - TRAVEL_LOOKBACK),
            to_date=to_date,
        )
        record_fact(uow, clock=clock, fact=fact)
        arrival = declared_arrival(fact, jurisdiction)
        if arrival is not None:  # a stay in another province counts as an arrival from it
            record_fact(uow, clock=clock, fact=arrival)
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
