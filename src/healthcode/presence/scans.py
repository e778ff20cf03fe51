"""Receiving a checkpoint's signed batch of scans: each scan becomes a presence at the
device's venue (or on a trip, for a bus or train with a vehicle), stored once however often
it is sent; a temperature of 37.3 °C or more also becomes a health declaration.

All or nothing: a batch with any bad item (unknown device, bad signature, malformed item, a
time in the future or before the retention window, a subject of this jurisdiction that is not
registered) is refused whole with every problem named by item (``scans[17].at``), and nothing
is stored. Scans of codes issued by other jurisdictions (``foreign`` in the receipt) are stored
as visitors' presences when the issuer is a peer whose list is held (``visitors``): under the
issuer and the code's opaque subject only, so tracing finds them and sends their exposures home
(``federation.visitors``); scans of other issuers are counted and not stored.

Presences are inserted in bulk without reassessing each person (one multi-row insert per
batch): no status rule reads presences. Facts that do change a status — the fever
declarations — go through ``record_fact`` in the same transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Final, TypeVar

from healthcode.checkpoint.batches import (
    MAX_PROBLEMS,
    ParsedBatch,
    ScanRecord,
    batch_id,
    parse_batch,
    scan_id,
    signature_holds,
)
from healthcode.credentials.signer import load_public_key
from healthcode.federation.visitors import trusted_issuers
from healthcode.federation.visitors_model import VisitorPresence
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import InvalidInput, NotFound, Problem
from healthcode.kernel.facts import FEVER_THRESHOLD_CELSIUS, HealthDeclaration, Symptom
from healthcode.oversight.instance import require_collecting
from healthcode.presence.checkins import CLOCK_SKEW
from healthcode.presence.model import Device, UnknownSubjects, Venue
from healthcode.presence.ports import PresenceUnitOfWork
from healthcode.presence.settings import retention
from healthcode.presence.venue_kinds import TRANSIT_KINDS
from healthcode.status.assessment import record_fact

_T = TypeVar("_T")


@dataclass(frozen=True, kw_only=True)
class Receipt:
    """What the server acknowledges once the batch is committed."""

    batch: str
    device: str
    venue: str
    scans: int
    stored: int
    duplicates: int
    foreign: int
    fevers: int
    visitors: int = 0
    first_time: bool


def trip_id(venue: Venue, vehicle: str) -> str:
    """The place of a ride: the line (a venue) and the vehicle."""
    return f"{venue.id}:{vehicle}"


def trip_parts(place_id: str) -> tuple[str, str]:
    """The line's venue id and the vehicle of a ride's place (``trip_id``'s reverse)."""
    venue, _, vehicle = place_id.partition(":")
    return venue, vehicle


def upload_scans(
    *, uow: PresenceUnitOfWork, clock: Clock, jurisdiction: str, batch: Mapping[str, Any]
) -> Receipt:
    """Verify, check and store a device's signed batch; committed before it returns."""
    parsed = parse_batch(batch)
    now = clock.now()
    with uow:
        require_collecting(uow)
        keep = retention(uow.policies.active(jurisdiction))
        receipt = _store(uow, clock, parsed, jurisdiction, now=now, keep=keep)
        uow.commit()
    return receipt


MAX_BATCHES: Final = 1_000
"""Signed batches in one ``upload_scan_batches`` call."""


def upload_scan_batches(
    *,
    uow: PresenceUnitOfWork,
    clock: Clock,
    jurisdiction: str,
    batches: Sequence[Mapping[str, Any]],
) -> list[Receipt]:
    """``upload_scans`` of several signed batches (a gateway forwarding its devices' queues),
    each verified and checked as alone, in one transaction: all or nothing, a refusal naming
    the batch (``batches[2].signature``); committed before it returns."""
    if not 0 < len(batches) <= MAX_BATCHES:
        raise InvalidInput.one("batches", f"must hold 1-{MAX_BATCHES} signed batches")
    parsed = [_labelled(f"batches[{i}]", parse_batch, b) for i, b in enumerate(batches)]
    now = clock.now()
    with uow:
        require_collecting(uow)
        keep = retention(uow.policies.active(jurisdiction))
        # the devices and their venues read together, the batches recorded together
        devices = uow.venues.devices_of({p.device for p in parsed})
        known = _Known(devices, uow.venues.venues_of({d.venue_id for d in devices.values()}))
        stored = [
            _labelled(
                f"batches[{i}]",
                _store,
                uow,
                clock,
                p,
                jurisdiction,
                now=now,
                keep=keep,
                known=known,
            )
            for i, p in enumerate(parsed)
        ]
        firsts = uow.venues.add_batches(
            [
                {
                    "id": r.batch,
                    "device_id": r.device,
                    "received_at": now,
                    "scans": r.scans,
                    "stored": r.stored,
                }
                for r in stored
            ]
        )
        uow.commit()
    return [replace(r, first_time=first) for r, first in zip(stored, firsts, strict=True)]


@dataclass(frozen=True)
class _Known:
    """Devices and venues read beforehand (a batch's device absent: not registered)."""

    devices: Mapping[str, Device]
    venues: Mapping[str, Venue]


def _labelled(label: str, step: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """``step``, its refusal's fields named under ``label``."""
    try:
        return step(*args, **kwargs)
    except InvalidInput as refused:
        raise InvalidInput(
            [Problem(f"{label}.{p.field}", p.message) for p in refused.problems]
        ) from None


def _store(
    uow: PresenceUnitOfWork,
    clock: Clock,
    parsed: ParsedBatch,
    jurisdiction: str,
    *,
    now: datetime,
    keep: timedelta,
    known: _Known | None = None,
) -> Receipt:
    """Verify a parsed batch and store its scans in the open transaction. Given ``known``, its
    device and venue are read there, and the batch is not recorded (the caller records it:
    ``first_time`` is left false)."""
    device = uow.venues.device(parsed.device) if known is None else known.devices.get(parsed.device)
    if device is not None and device.revoked_at is not None:
        raise InvalidInput.one("device", f"{parsed.device} was revoked: its batches are refused")
    if device is None or not device.active:
        raise InvalidInput.one("device", f"{parsed.device} is not a registered device")
    holds, message = signature_holds(
        load_public_key(device.public_key), parsed.device, parsed.scans, parsed.signature
    )
    if not holds:
        raise InvalidInput.one("signature", f"does not verify under device {device.id}'s key")
    venue = (
        uow.venues.venue(device.venue_id) if known is None else known.venues.get(device.venue_id)
    )
    if venue is None:  # a device's venue is never deleted
        raise NotFound("venue", device.venue_id)
    own = [s for s in parsed.scans if s.issuer == jurisdiction]
    _check(uow, parsed, jurisdiction, now=now, keep=keep, venue=venue)
    rows = [_row(parsed.device, s, venue, now) for s in own]
    try:
        stored = uow.presences.insert_rows(rows)
    except UnknownSubjects as unknown:  # refused whole (rolled back); name every item
        raise InvalidInput(
            [
                Problem(f"scans[{i}].subject", "is not a registered person here")
                for i, s in enumerate(parsed.scans)
                if s.issuer == jurisdiction and s.subject in unknown.subjects
            ][:MAX_PROBLEMS]
        ) from None
    fevers = _fevers(uow, clock, parsed.device, venue, own, now)
    visitors = _visitors(uow, parsed, jurisdiction, venue, now)
    first = known is None and uow.venues.add_batch(
        batch_id=batch_id(message + parsed.signature),
        device_id=device.id,
        received_at=now,
        scans=len(parsed.scans),
        stored=stored,
    )
    distinct = len({s.seq for s in own})
    return Receipt(
        batch=batch_id(message + parsed.signature),
        device=device.id,
        venue=venue.id,
        scans=len(parsed.scans),
        stored=stored,
        duplicates=distinct - stored,
        foreign=len(parsed.scans) - len(own),
        fevers=fevers,
        first_time=first,
        visitors=visitors,
    )


def _check(
    uow: PresenceUnitOfWork,
    parsed: ParsedBatch,
    jurisdiction: str,
    *,
    now: datetime,
    keep: timedelta,
    venue: Venue,
) -> None:
    problems: list[Problem] = []
    latest, earliest = now + CLOCK_SKEW, now - keep
    # Unknown subjects are found by the insert itself (foreign key), not by a query per batch.
    for i, scan in enumerate(parsed.scans):
        path = f"scans[{i}]"
        if scan.at > latest:
            problems.append(Problem(f"{path}.at", "is in the future"))
        elif scan.at < earliest:
            problems.append(
                Problem(f"{path}.at", f"is older than the retention window of {keep.days} days")
            )
        if scan.vehicle is not None and venue.kind not in TRANSIT_KINDS:
            problems.append(Problem(f"{path}.vehicle", f"a {venue.kind.value} has no vehicles"))
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise InvalidInput(problems)


def _row(device: str, scan: ScanRecord, venue: Venue, now: datetime) -> dict[str, Any]:
    return {
        "id": scan_id(device, scan.seq),
        "subject": scan.subject,
        "at": scan.at,
        "recorded_at": now,
        "supersedes": None,
        "retracted": False,
        "place_id": venue.id if scan.vehicle is None else trip_id(venue, scan.vehicle),
        "place_kind": venue.kind.value,
        "until": scan.at,
        "source": "scan",
        "cell": venue.cell,
    }


def _visitors(
    uow: PresenceUnitOfWork, parsed: ParsedBatch, jurisdiction: str, venue: Venue, now: datetime
) -> int:
    """Store the scans of peers' codes as visitors' presences; how many were new."""
    foreign = [s for s in parsed.scans if s.issuer != jurisdiction]
    if not foreign:
        return 0
    peers = trusted_issuers(uow)
    name = f"{venue.name_zh} ({venue.name_en})"[:200]
    return uow.visitors.add_presences(
        [
            VisitorPresence(
                id=scan_id(parsed.device, s.seq),
                issuer=s.issuer,
                subject=s.subject,
                place_id=venue.id if s.vehicle is None else trip_id(venue, s.vehicle),
                place_kind=venue.kind.value,
                place_name=name,
                at=s.at,
                until=s.at,
                source="scan",
                cell=venue.cell,
                recorded_at=now,
            )
            for s in {s.seq: s for s in foreign if s.issuer in peers}.values()
        ]
    )


def _fevers(
    uow: PresenceUnitOfWork,
    clock: Clock,
    device: str,
    venue: Venue,
    scans: list[ScanRecord],
    now: datetime,
) -> int:
    """A health declaration per scan at or above the fever threshold (once per scan)."""
    hot = {
        hashlib.sha256(f"fever:{device}:{s.seq}".encode()).hexdigest()[:32]: (s, s.temperature)
        for s in scans
        if s.temperature is not None and s.temperature >= FEVER_THRESHOLD_CELSIUS
    }
    if not hot:
        return 0
    held = uow.presences.fact_ids("health_declarations", hot)
    for fact_id, (scan, temperature) in hot.items():
        if fact_id in held:
            continue
        record_fact(
            uow,
            clock=clock,
            fact=HealthDeclaration(
                id=fact_id,
                subject=scan.subject,
                at=scan.at,
                recorded_at=now,
                temperature=temperature,
                symptoms=(Symptom.FEVER,),
                note=f"checkpoint {device} at {venue.name_en}",
            ),
        )
    return len(hot) - len(held)
