"""Checking in with a place code: verify the code, answer pass or stop for that venue, and
record where the person was — unless the phone is far from the venue.

A check-in sends the place-code text, the phone's position and (optionally) the phone's time.
It is **flagged**, never silently accepted, when the phone is farther from the venue than the
policy allows (``checkin.max_distance_m``, default 1 km) — a forwarded or photographed poster —
and the message says so, naming the venue the phone seems to be at when one is near. A phone
outside the area the instance serves (``presence.serving_area``: in another city) is refused,
and nothing is stored: no review could confirm that visit, and the instance keeps no record of
where people are outside its jurisdiction. A flagged
check-in is stored as a check-in record only: it becomes a presence (the thing tracing reads)
only once an official confirms it (``confirm_checkin``; API ``POST /api/v1/checkins/{id}/
confirm``, CLI ``healthcode checkin confirm``); a rejected one never does.

Presences are appended without reassessing the person: no status rule reads presences (tracing
turns them into exposures, which do go through ``record_fact``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Final

from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import InvalidInput, NotFound, Problem
from healthcode.kernel.facts import Presence
from healthcode.kernel.ids import new_id
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.audit import record_access, record_reads
from healthcode.oversight.authz import require, sees_person
from healthcode.oversight.instance import require_collecting
from healthcode.policy.model import Policy
from healthcode.presence.cells import cell_of, disk
from healthcode.presence.geo import coordinate_problems, distance_metres
from healthcode.presence.model import Checkin, Venue
from healthcode.presence.place_codes import FIELD, verify_place_code
from healthcode.presence.ports import PresenceUnitOfWork
from healthcode.presence.serving_area import outside_problems
from healthcode.presence.settings import accepted_colours, checkin_max_distance, retention
from healthcode.presence.venue_kinds import outcome_for
from healthcode.status.assessment import status_now

CLOCK_SKEW: Final = timedelta(minutes=5)
ACCEPTED, FLAGGED, CONFIRMED, REJECTED = "accepted", "flagged", "confirmed", "rejected"
FAR_FROM_VENUE, OTHER_VENUE = "far_from_venue", "other_venue"


@dataclass(frozen=True, kw_only=True)
class CheckinResult:
    checkin: Checkin
    venue: Venue
    texts: dict[str, str]  # zh / en

    @property
    def flagged(self) -> bool:
        return self.checkin.state == FLAGGED


def check_time(at: datetime, *, now: datetime, keep: timedelta, field: str = "at") -> list[Problem]:
    """Problems with an event time: in the future (beyond clock skew) or before retention."""
    if at.tzinfo is None:
        return [Problem(field, "must include a time zone")]
    if at > now + CLOCK_SKEW:
        return [Problem(field, "is in the future")]
    if at < now - keep:
        return [Problem(field, f"is older than the retention window of {keep.days} days")]
    return []


def checkin_texts(
    venue: Venue, outcome: str, flag: str | None, distance: float, near: Venue | None
) -> dict[str, str]:
    verdict = {"pass": ("通行", "pass"), "stop": ("禁止通行", "stop")}[outcome]
    zh = f"{venue.name_zh}：{verdict[0]}"
    en = f"{venue.name_en}: {verdict[1]}"
    if flag == OTHER_VENUE and near is not None:
        zh += (
            f"。此场所码属于{venue.name_zh}，但您似乎在{near.name_zh}，签到已标记待核实，未计入行程"
        )
        en += (
            f". This place code is {venue.name_en}'s but you seem to be at {near.name_en}: "
            "the check-in is flagged for review and not counted as a visit"
        )
    elif flag == FAR_FROM_VENUE:
        km = distance / 1000
        zh += f"。您距离该场所约{km:.1f}公里，签到已标记待核实，未计入行程"
        en += (
            f". You are about {km:.1f} km from this venue: the check-in is flagged for review "
            "and not counted as a visit"
        )
    return {"zh": zh, "en": en}


def _nearby_venue(uow: PresenceUnitOfWork, lat: float, lon: float, limit: float) -> Venue | None:
    near = uow.venues.venues_in_cells(disk(cell_of(lat, lon), 2))
    scored = [(distance_metres(lat, lon, v.lat, v.lon), v.id, v) for v in near]
    within = [s for s in scored if s[0] <= limit]
    return min(within)[2] if within else None


def presence_of(checkin: Checkin, venue: Venue, *, recorded_at: datetime) -> Presence:
    return Presence(
        id=new_id(),
        subject=checkin.subject,
        at=checkin.at,
        recorded_at=recorded_at,
        place_id=venue.id,
        place_kind=venue.kind.value,
        until=checkin.at,
        source="checkin",
        cell=venue.cell,
    )


@dataclass(frozen=True, kw_only=True)
class PlaceScan:
    """A place code as a phone scanned it: the code's text, where the phone was, and when
    (None: now)."""

    place_code: str
    lat: float
    lon: float
    at: datetime | None = None


def scanned_venue(
    uow: PresenceUnitOfWork, *, scan: PlaceScan, jurisdiction: str, now: datetime
) -> tuple[Venue, Policy, datetime]:
    """The venue of a scanned place code, the policy in force and when the visit was, read in
    the caller's transaction while collecting. ``InvalidInput`` (nothing kept): a bad position,
    place code or time, a replaced poster, or a phone outside the serving area."""
    problems = coordinate_problems(scan.lat, scan.lon)
    if problems:
        raise InvalidInput(problems)
    require_collecting(uow)
    claims = verify_place_code(uow, text=scan.place_code, jurisdiction=jurisdiction)
    venue = uow.venues.venue(claims.venue_id)
    if venue is None:
        raise InvalidInput.one(FIELD, "names no registered venue")
    if claims.issued_at != venue.code_issued_at:
        raise InvalidInput.one(FIELD, "this poster was replaced: scan the venue's current one")
    policy = uow.policies.active(jurisdiction)
    when = scan.at or now
    problems = check_time(when, now=now, keep=retention(policy))
    problems += outside_problems(uow, jurisdiction=jurisdiction, lat=scan.lat, lon=scan.lon)
    if problems:
        raise InvalidInput(problems)
    return venue, policy, when


def check_in(
    *,
    uow: PresenceUnitOfWork,
    clock: Clock,
    jurisdiction: str,
    subject: str,
    scan: PlaceScan,
) -> CheckinResult:
    """Check the person in at the venue of the scanned place code; answer pass or stop there."""
    lat, lon = scan.lat, scan.lon
    now = clock.now()
    with uow:
        venue, policy, when = scanned_venue(uow, scan=scan, jurisdiction=jurisdiction, now=now)
        status = status_now(uow, clock=clock, subject=subject)
        outcome = outcome_for(status.colour, accepted_colours(policy, venue.kind))
        limit = checkin_max_distance(policy)
        distance = distance_metres(lat, lon, venue.lat, venue.lon)
        flag: str | None = None
        near: Venue | None = None
        if distance > limit:
            near = _nearby_venue(uow, lat, lon, limit)
            flag = OTHER_VENUE if near is not None and near.id != venue.id else FAR_FROM_VENUE
        texts = checkin_texts(venue, outcome, flag, distance, near)
        checkin = Checkin(
            id=new_id(),
            subject=subject,
            venue_id=venue.id,
            jurisdiction=venue.jurisdiction,
            at=when,
            lat=float(lat),
            lon=float(lon),
            distance_m=round(distance, 1),
            flag=flag,
            state=FLAGGED if flag else ACCEPTED,
            outcome=outcome,
            colour=status.colour.value,
            message=texts["en"],
        )
        if flag is None:
            presence = presence_of(checkin, venue, recorded_at=now)
            uow.facts.add(presence)
            checkin = replace(checkin, presence_id=presence.id)
        uow.venues.add_checkin(checkin)
        uow.commit()
    return CheckinResult(checkin=checkin, venue=venue, texts=texts)


def my_checkins(*, uow: PresenceUnitOfWork, subject: str) -> list[Checkin]:
    with uow:
        return uow.venues.checkins_of(subject)


def flagged_checkins(
    *, uow: PresenceUnitOfWork, clock: Clock, principal: Principal
) -> list[Checkin]:
    """Check-ins of the official's jurisdiction waiting for review (of their district's people,
    for an official with a district, cut in the query), oldest first; each person shown is
    recorded in the access log."""
    principal = require(principal, Action.REVIEW_CHECKINS)
    if principal.jurisdiction is None:
        raise InvalidInput.one("jurisdiction", "an official has a jurisdiction")
    with uow:
        found = uow.venues.checkins_in_state(
            principal.jurisdiction, FLAGGED, district=principal.district
        )
        subjects = [c.subject for c in found]
        if record_reads(
            uow, clock=clock, principal=principal, subjects=subjects, what="flagged check-ins"
        ):
            uow.commit()
    return found


def _to_review(uow: PresenceUnitOfWork, principal: Principal, checkin_id: str) -> Checkin:
    """The check-in, if within the official's scope (outside it: not found, as if absent)."""
    checkin = uow.venues.checkin(checkin_id)
    if (
        checkin is None
        or (principal.jurisdiction is not None and checkin.jurisdiction != principal.jurisdiction)
        or not sees_person(uow, principal, checkin.subject)
    ):
        raise NotFound("check-in", checkin_id)
    return checkin


def review_checkin(
    *,
    uow: PresenceUnitOfWork,
    clock: Clock,
    principal: Principal,
    checkin_id: str,
    confirm: bool,
) -> Checkin:
    """Confirm a flagged check-in (it becomes a presence) or reject it (it never does). Only
    one within the official's scope; the review, which shows the check-in, is recorded."""
    principal = require(principal, Action.REVIEW_CHECKINS)
    now = clock.now()
    with uow:
        checkin = _to_review(uow, principal, checkin_id)
        if checkin.state != FLAGGED:
            raise InvalidInput.one("checkin", f"is {checkin.state}, not waiting for review")
        venue = uow.venues.venue(checkin.venue_id)
        if venue is None:  # a check-in's venue is never deleted
            raise NotFound("venue", checkin.venue_id)
        presence_id = None
        if confirm:
            presence = presence_of(checkin, venue, recorded_at=now)
            uow.facts.add(presence)
            presence_id = presence.id
        checkin = replace(
            checkin,
            state=CONFIRMED if confirm else REJECTED,
            presence_id=presence_id,
            reviewed_by=principal.actor,
            reviewed_at=now,
        )
        uow.venues.save_checkin(checkin)
        record_access(
            uow,
            clock=clock,
            principal=principal,
            subject=checkin.subject,
            what="check-in review",
            purpose=principal.purpose,
        )
        uow.commit()
    return checkin
