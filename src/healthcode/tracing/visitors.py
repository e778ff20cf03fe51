"""Visitors in tracing (docs/federation.md#visitors-exposures).

Sending: after a confirmed case is traced, the visitors who shared one of its venues or trips
(their presences kept under their home city and opaque subject, ``federation.visitors``) are
found by the same venue and transit rules; each exposure is queued as a signed message to the
visitor's home city in the tracing transaction.

Receiving: a peer's message about one of this city's residents is checked (signed by the
peer's pinned root, for this city, recent, kept once by its id) and recorded as an exposure
with its evidence (the place's name and kind, the intervals, the city), which reassesses the
resident's colour; a replay of it records nothing.

Withdrawing: when a case is withdrawn, or traced again after a correction so that a visitor's
exposure no longer holds, a ``visitor_exposure_withdrawn`` message goes home for each exposure
message it had caused (found by the source ``case:<id>`` kept beside them, never sent); the home
city retracts the exposure that message recorded and reassesses the resident.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from healthcode.federation.messages import PeerMessage
from healthcode.federation.visitors import accept_message, message_id, queue_message
from healthcode.federation.visitors_model import (
    VISITOR_EXPOSURE,
    VISITOR_EXPOSURE_WITHDRAWN,
    split_visitor,
)
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import InvalidInput, NotFound
from healthcode.kernel.facts import Exposure
from healthcode.presence.serving_area import bundled_boundaries
from healthcode.tracing.derive import Desired, Planned, derive, reassess
from healthcode.tracing.model.cases import CaseRecord
from healthcode.tracing.model.contacts import close_contacts
from healthcode.tracing.model.findings import (
    CATEGORY_OF,
    Contact,
    Interval,
    OverlapQuery,
    PlaceClass,
    Sighting,
    assumed_slack,
    exposure_id,
    fact_id,
    visits_of,
)
from healthcode.tracing.ports import TracingUnitOfWork
from healthcode.tracing.reads import PLACE_LOOKBACK
from healthcode.tracing.settings import tracing_settings

PEER_SOURCE: Final = "peer"
_CATEGORIES: Final = frozenset(CATEGORY_OF.values())
_PLACES: Final = (PlaceClass.VENUE, PlaceClass.TRIP)


def case_source(case_id: str) -> str:
    """The source kept beside the messages a case caused (never sent)."""
    return f"case:{case_id}"


def send_visitor_exposures(
    uow: TracingUnitOfWork, clock: Clock, record: CaseRecord, window: Interval
) -> int:
    """Queue a message home for each visitor the case exposed, and a withdrawal for each
    exposure sent before that no longer holds; how many exposure messages were new."""
    kept: set[str] = set()
    sent = _send_exposures(uow, clock, record, window, kept)
    withdraw_visitor_exposures(uow, clock, case_id=record.case_id, keep=kept)
    return sent


def withdraw_visitor_exposures(
    uow: TracingUnitOfWork,
    clock: Clock,
    *,
    case_id: str,
    keep: set[str] | frozenset[str] = frozenset(),
) -> int:
    """Queue a withdrawal home for each exposure message the case caused that is not in
    ``keep`` (all of them for a withdrawn case); how many were new."""
    withdrawn = 0
    for m in uow.visitors.outgoing_from(case_source(case_id)):
        if m.kind != VISITOR_EXPOSURE or m.id in keep:
            continue
        withdrawn += queue_message(
            uow,
            clock,
            ident=message_id(VISITOR_EXPOSURE_WITHDRAWN, m.id),
            peer=m.peer,
            kind=VISITOR_EXPOSURE_WITHDRAWN,
            subject=m.subject,
            body={"subject": m.subject, "withdraws": m.id},
            source=case_source(case_id),
        )
    return withdrawn


def _send_exposures(
    uow: TracingUnitOfWork, clock: Clock, record: CaseRecord, window: Interval, kept: set[str]
) -> int:
    """Queue the exposure messages the case causes now (their ids added to ``kept``)."""
    if window.end <= window.start:
        return 0
    settings = tracing_settings(uow.policies.active(record.jurisdiction))
    subject = record.details.subject
    reach = OverlapQuery(window.start, window.end, PLACE_LOOKBACK, assumed_slack(settings))
    own = [
        v
        for v in visits_of(uow.tracing.presences_of([subject], reach), settings)
        if v.place in _PLACES and v.interval.overlap(window) is not None
    ]
    if not own:
        return 0
    rows = uow.visitors.presences_at(
        {v.place_id for v in own},
        start=window.start - PLACE_LOOKBACK,
        end=window.end + assumed_slack(settings),
    )
    if not rows:
        return 0
    names = {r.place_id: r.place_name for r in rows}
    sightings = [
        Sighting(r.id, r.visitor, r.place_id, r.place_kind, r.source, r.cell, r.at, r.until)
        for r in rows
    ]
    findings = close_contacts(
        case_subject=subject,
        window=window,
        case_visits=own,
        candidates=visits_of(sightings, settings),
        household=[],
        settings=settings,
    )
    withdrawn = _withdrawn_messages(uow, record.case_id)
    sent = 0
    for f in findings:
        issuer, visitor = split_visitor(f.subject)
        key = exposure_id(record.case_id, f)
        body = {
            "subject": visitor,
            "exposure": key,
            "category": f.category,
            "rule": f.rule.value,
            "at": f.at.isoformat(),
            "overlap_minutes": f.overlap_minutes,
            "place_name": names.get(f.place_id or "", ""),
            "place_kind": f.contacts[0].place_kind,
            "contacts": [_contact(c) for c in f.contacts],
        }
        ident = _exposure_message_id(key, withdrawn)
        kept.add(ident)
        sent += queue_message(
            uow,
            clock,
            ident=ident,
            peer=issuer,
            kind=VISITOR_EXPOSURE,
            subject=visitor,
            body=body,
            source=case_source(record.case_id),
        )
    return sent


def _withdrawn_messages(uow: TracingUnitOfWork, case_id: str) -> set[str]:
    """The ids of the exposure messages the case caused that it has withdrawn since."""
    return {
        str(m.body["withdraws"])
        for m in uow.visitors.outgoing_from(case_source(case_id))
        if m.kind == VISITOR_EXPOSURE_WITHDRAWN
    }


def _exposure_message_id(key: str, withdrawn: set[str]) -> str:
    """The id of the message that tells home of exposure ``key``: derived from it, so a trace
    that finds it again queues nothing new; once that message was withdrawn (a correction),
    finding the exposure again needs a message of its own, or home would never learn of it
    (its id was taken): the next in line of ``key``'s messages not withdrawn."""
    ident, again = message_id(VISITOR_EXPOSURE, key), 0
    while ident in withdrawn:
        again += 1
        ident = message_id(VISITOR_EXPOSURE, key, again)
    return ident


def _contact(c: Contact) -> dict[str, Any]:
    def span(i: Interval) -> dict[str, str]:
        return {"start": i.start.isoformat(), "end": i.end.isoformat()}

    return {
        "place_id": c.place_id,
        "place_kind": c.place_kind,
        "source": span(c.source_interval),
        "contact": span(c.contact_interval),
        "overlap": span(c.overlap),
        "minutes": round(c.overlap.minutes, 3),
    }


@dataclass(frozen=True, kw_only=True)
class Received:
    """What receiving a peer's message did: the message, the sender, whether it was new."""

    message_id: str
    sender: str
    recorded: bool


def receive_visitor_exposure(
    *,
    uow: TracingUnitOfWork,
    clock: Clock,
    jurisdiction: str,
    document: str | bytes,
    clock_skew: timedelta,
) -> Received:
    """Check a peer's signed message and record the exposure of this city's resident it
    carries, reassessing them, with an access-log record naming the peer; committed before it
    returns. The same message again is acknowledged and records nothing."""
    with uow:
        message, new = accept_message(
            uow,
            clock,
            jurisdiction=jurisdiction,
            document=document,
            clock_skew=clock_skew,
            kind=frozenset({VISITOR_EXPOSURE, VISITOR_EXPOSURE_WITHDRAWN}),
        )
        if new and message.kind == VISITOR_EXPOSURE_WITHDRAWN:
            _withdraw(uow, clock, message, jurisdiction=jurisdiction)
        elif new:
            body = message.body
            subject = _text(body, "subject", 64)
            found = uow.persons.jurisdictions_of([subject]).get(subject)
            if found != jurisdiction:
                raise NotFound("person", subject)
            desired = _desired(message.id, message.sender, body, subject, clock.now())
            _apply(
                uow,
                clock,
                message,
                subject=subject,
                source_id=message.id,
                desired=[desired],
            )
        uow.commit()
    return Received(message_id=message.id, sender=message.sender, recorded=new)


def _withdraw(
    uow: TracingUnitOfWork, clock: Clock, message: PeerMessage, *, jurisdiction: str
) -> None:
    """Retract the exposure an earlier message of the same peer recorded, and reassess. An
    exposure message not received (yet) is ``NotFound``: nothing is kept, the sender retries."""
    subject = _text(message.body, "subject", 64)
    withdrawn = _text(message.body, "withdraws", 32)
    original = uow.visitors.received(message.sender, withdrawn)
    if original is None or original.kind != VISITOR_EXPOSURE or original.subject != subject:
        raise NotFound("message", withdrawn)
    if uow.persons.jurisdictions_of([subject]).get(subject) != jurisdiction:
        raise NotFound("person", subject)
    _apply(
        uow,
        clock,
        message,
        subject=subject,
        source_id=withdrawn,
        desired=[],
    )


def _apply(
    uow: TracingUnitOfWork,
    clock: Clock,
    message: PeerMessage,
    *,
    subject: str,
    source_id: str,
    desired: list[Desired],
) -> None:
    """Make the person's exposures from this peer message what ``desired`` says (none: the
    exposure withdrawn), reassess them, and write the peer's act in their access log."""
    withdrawn = not desired
    applied = derive(
        uow,
        clock,
        source_kind=PEER_SOURCE,
        source_id=source_id,
        planned=Planned.of(desired),
        cause_added=f"exposure while visiting {message.sender}",
        cause_removed=f"correction from {message.sender}"
        + (": exposure withdrawn" if withdrawn else ""),
    )
    reassess(uow, clock, [applied])
    uow.audit.append(
        at=clock.now(),
        actor=f"peer:{message.sender}",
        role="peer",
        purpose="contact_tracing",
        subject=subject,
        what=f"exposure sent by {message.sender} {'withdrawn' if withdrawn else 'recorded'}",
    )


def _desired(ident: str, sender: str, body: Any, subject: str, now: datetime) -> Desired:
    category = _text(body, "category", 30)
    if category not in _CATEGORIES:
        raise InvalidInput.one("message.body.category", f"must be one of {sorted(_CATEGORIES)}")
    rule = _text(body, "rule", 30)
    at = _moment(body.get("at"), "message.body.at")
    contacts = body.get("contacts")
    if not isinstance(contacts, list) or not 0 < len(contacts) <= 100:
        raise InvalidInput.one("message.body.contacts", "must be a list of 1 to 100 contacts")
    checked = [_checked_contact(i, c) for i, c in enumerate(contacts)]
    minutes = round(sum(float(c["minutes"]) for c in checked), 3)
    place = _text(body, "place_name", 200)
    key = fact_id("peer-exposure", sender, ident)
    fact = Exposure(
        id=key,
        subject=subject,
        at=at,
        recorded_at=now,
        category=category,
        rule=rule,
        source_id=ident,
        place_id=None,
        overlap_minutes=minutes,
        level=None,
    )
    evidence = {
        "at": at.isoformat(),
        "place_id": None,
        "overlap_minutes": minutes,
        "level": None,
        "secondary": category == "secondary_contact",
        "contacts": checked,
        "city": sender,
        "city_name": _city_name(sender),
        "place_name": place,
    }
    return Desired(key=key, fact=fact, rule=rule, category=category, evidence=evidence)


def _city_name(code: str) -> str:
    """The city's name as the bundled boundaries give it (``北京市 Beijing``), else its code."""
    names = {b.code: b.name for b in bundled_boundaries()}
    return names.get(code, code)


def _text(body: Any, name: str, most: int) -> str:
    value = body.get(name) if isinstance(body, dict) else None
    if not isinstance(value, str) or not 0 < len(value) <= most:
        raise InvalidInput.one(f"message.body.{name}", f"must be text of 1 to {most} characters")
    return value


def _moment(value: Any, path: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput.one(path, "must be an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise InvalidInput.one(path, "must have a time zone")
    return moment


def _checked_contact(i: int, c: Any) -> dict[str, Any]:
    path = f"message.body.contacts[{i}]"
    if not isinstance(c, dict):
        raise InvalidInput.one(path, "must be an object")
    spans = {}
    for name in ("source", "contact", "overlap"):
        span = c.get(name)
        if not isinstance(span, dict):
            raise InvalidInput.one(f"{path}.{name}", "must hold start and end")
        start = _moment(span.get("start"), f"{path}.{name}.start")
        end = _moment(span.get("end"), f"{path}.{name}.end")
        if end < start:
            raise InvalidInput.one(f"{path}.{name}", "ends before it starts")
        spans[name] = {"start": start.isoformat(), "end": end.isoformat()}
    minutes = c.get("minutes")
    if not isinstance(minutes, int | float) or not 0 <= minutes <= 7 * 24 * 60:
        raise InvalidInput.one(f"{path}.minutes", "must be a number of minutes")
    return {
        "place_id": str(c.get("place_id", ""))[:64],
        "place_kind": str(c.get("place_kind", ""))[:30],
        **spans,
        "minutes": float(minutes),
    }
