"""Checkpoint devices at the city's venues: most sites have one (a bus line has one on each
vehicle, its scans carrying the vehicle), registered through ``presence.venues.register_device``
with a key drawn from the city's seed. A resident arriving there shows their code; the device
answers pass or stop offline, from the colour the code carries (the colour the resident's app
last read: at midnight, again after each decision of the office or pass of the worker that
may have changed colours, and after a result or declaration of their own) and the venue kind's
entry rule; it queues the scan and uploads its queue as one signed batch
(``checkpoint.batches``) at the end of each ``UPLOAD_EVERY`` (three hours) of the day, as an
offline device syncing now and then does, whatever the office or the worker does meanwhile
(tracing rescans presences that arrive late), and at the end of every slice the run sends. The
devices' batches of a moment go together, as a gateway forwards them, through
``presence.scans.upload_scan_batches`` (the bulk twin of ``upload_scans``, the use case behind
``POST /api/v1/scans/batches``): one use case call and one transaction for every venue's three
hours, however many people came.

About one site in ``PHONE_ONLY_EVERY`` (drawn by its name) has no checkpoint, only the venue's
place-code poster: there residents check in with their phone, one ``check_in`` each (the
answer is the system's), and bus riders record their ride (``record_ride``) on leaving the
bus."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from healthcode.checkpoint.batches import MAX_SCANS, ScanRecord, sign_batch
from healthcode.credentials.errors import Reason
from healthcode.kernel.facts import Colour
from healthcode.presence.model import Venue
from healthcode.presence.scans import MAX_BATCHES, upload_scan_batches
from healthcode.presence.venue_kinds import VenueKind, outcome_for
from healthcode.presence.venues import entry_rule, register_device
from healthcode.simulator.model.places import BusTrip
from healthcode.simulator.ports import SettableClock, SimulatorUnitOfWork
from healthcode.status.batch import current_colours

PHONE_ONLY_EVERY: Final = 50
"""About one site in this many (drawn by the site's name) has no checkpoint."""
HOUR: Final = 60
UPLOAD_EVERY: Final = 3 * HOUR
"""A device uploads its queue at the end of each block of this many minutes of the day."""
COLOUR_BATCH: Final = 5_000


def has_checkpoint(site: str) -> bool:
    """Whether ``site`` (``kind-number``) has a checkpoint device."""
    digest = hashlib.sha256(f"simulator checkpoint/{site}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % PHONE_ONLY_EVERY != 0


def device_key(seed: int, site: str) -> Ed25519PrivateKey:
    """The private key of the site's device, drawn from the city's seed (so a saved run needs
    no key material: the same seed and site give the same key)."""
    raw = hashlib.sha256(f"simulator device/{seed}/{site}".encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(raw)


def register_devices(
    *,
    uow: Callable[[], SimulatorUnitOfWork],
    clock: SettableClock,
    seed: int,
    venues: Mapping[str, Venue],
    jurisdiction: str,
) -> dict[str, str]:
    """Register a device at every site with a checkpoint; site -> device id."""
    devices: dict[str, str] = {}
    for site, venue in venues.items():
        if not has_checkpoint(site):
            continue
        public = device_key(seed, site).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        device = register_device(
            uow=uow(),
            clock=clock,
            venue_id=venue.id,
            public_key=public,
            serving=jurisdiction,
        )
        devices[site] = device.id
    return devices


@dataclass
class Doors:
    """The colours residents' codes show at the doors, the entry rules, and each device's
    queue of scans not uploaded yet (empty between two slices of a run, so a run saves
    without them)."""

    seed: int
    colours: dict[int, Colour] = field(default_factory=dict)
    """Each resident's colour as last read (absent: green)."""
    stale: bool = False
    """Colours may have changed since they were read (the office or the worker acted)."""
    dirty: set[int] = field(default_factory=set)
    """Residents whose own colour may have changed since it was read (a result, a
    declaration of theirs): read again alone, not everyone's."""
    rules: dict[VenueKind, frozenset[Colour]] = field(default_factory=dict)
    queues: dict[str, list[ScanRecord]] = field(default_factory=dict)
    sites: dict[str, str] = field(default_factory=dict)
    """device id -> site, for the devices with a queue."""
    hour: int = -1
    """The upload block (``UPLOAD_EVERY`` minutes) of the last event sent."""
    trips: Mapping[int, BusTrip] = field(default_factory=dict)
    """The city's bus trips by place (set by each ``send``)."""
    scans: int = 0
    batches: int = 0

    def __getstate__(self) -> dict[str, object]:
        return {**self.__dict__, "trips": {}}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update({"dirty": set(), **state})  # runs saved before ``dirty``

    def refresh(
        self,
        *,
        uow: Callable[[], SimulatorUnitOfWork],
        clock: SettableClock,
        subjects: Sequence[str],
    ) -> None:
        """Read the colours that may have changed: everyone's when stale, else the dirty
        residents' alone (their apps read their new colour)."""
        if self.stale:
            self.colours = read_colours(uow=uow, clock=clock, subjects=subjects)
        elif self.dirty:
            residents = sorted(self.dirty)
            read = current_colours(
                uow=uow(), clock=clock, subjects=[subjects[r] for r in residents]
            )
            self.colours.update({r: read[subjects[r]] for r in residents})
        self.stale = False
        self.dirty.clear()

    def answer(
        self,
        uow: Callable[[], SimulatorUnitOfWork],
        jurisdiction: str,
        venue: Venue,
        resident: int,
    ) -> tuple[str, str]:
        """The device's outcome and reason for the resident's code at ``venue``."""
        if venue.kind not in self.rules:
            self.rules[venue.kind] = entry_rule(
                uow=uow(),
                jurisdiction=jurisdiction,
                kind=venue.kind,
            )
        outcome = outcome_for(self.colours.get(resident, Colour.GREEN), self.rules[venue.kind])
        return outcome, (Reason.OK if outcome == "pass" else Reason.COLOUR_NOT_ACCEPTED).value

    def queue(
        self,
        *,
        device: str,
        site: str,
        scan: ScanRecord,
    ) -> None:
        self.queues.setdefault(device, []).append(scan)
        self.sites[device] = site

    def upload(
        self,
        *,
        uow: Callable[[], SimulatorUnitOfWork],
        clock: SettableClock,
        jurisdiction: str,
        at: datetime,
    ) -> None:
        """Every device uploads its queue, in signed batches, with the clock at ``at``: the
        batches of the moment go together (``upload_scan_batches``, one transaction), as a
        gateway forwards its devices' queues."""
        if not self.queues:
            return
        clock.set(at)
        batches = []
        for device in sorted(self.queues):
            scans = self.queues[device]
            key = device_key(self.seed, self.sites[device])
            for first in range(0, len(scans), MAX_SCANS):
                batches.append(
                    sign_batch(device, scans[first : first + MAX_SCANS], private_key=key)
                )
            self.scans += len(scans)
        for first in range(0, len(batches), MAX_BATCHES):
            upload_scan_batches(
                uow=uow(),
                clock=clock,
                jurisdiction=jurisdiction,
                batches=batches[first : first + MAX_BATCHES],
            )
        self.batches += len(batches)
        self.queues.clear()
        self.sites.clear()


def scan_of(
    *,
    subject: str,
    resident: int,
    minute: int,
    start: datetime,
    outcome: tuple[str, str],
    issuer: str,
    vehicle: str | None,
) -> ScanRecord:
    """The device's record of a resident's scan at ``minute`` of the run (``seq``: unique per
    device, as a person is scanned once a minute at a door)."""
    return ScanRecord(
        seq=minute * 1_000_000 + resident,
        subject=subject,
        at=start + timedelta(minutes=minute),
        outcome=outcome[0],
        reason=outcome[1],
        issuer=issuer,
        vehicle=vehicle,
    )


def read_colours(
    *, uow: Callable[[], SimulatorUnitOfWork], clock: SettableClock, subjects: Sequence[str]
) -> dict[int, Colour]:
    """Each resident's colour now, as their app reads it (``status.batch.current_colours``,
    a few thousand residents a transaction); resident index -> colour."""
    colours: dict[int, Colour] = {}
    for first in range(0, len(subjects), COLOUR_BATCH):
        chunk = subjects[first : first + COLOUR_BATCH]
        read = current_colours(uow=uow(), clock=clock, subjects=chunk)
        colours.update({first + n: read[s] for n, s in enumerate(chunk)})
    return colours
