"""A small city for presence tests: keys, people, an organisation, venues and a device."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from factories import register, resident_id
from healthcode.checkpoint.batches import ScanRecord, sign_batch
from healthcode.codes.keys import init_keys, list_keys
from healthcode.container import Container
from healthcode.credentials.cose import public_key_bytes
from healthcode.identity.registration import register_person
from healthcode.presence.checkins import CheckinResult, PlaceScan, check_in
from healthcode.presence.model import Venue
from healthcode.presence.venues import (
    VenueDetails,
    add_organisation,
    add_venue,
    register_device,
)

T0 = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)  # the clock fixture's time (conftest.T0)
WEST_LAKE = (30.2590, 120.1490)  # a restaurant by the West Lake, Hangzhou
HOSPITAL = (30.2630, 120.1720)
FAR_AWAY = (30.2900, 120.2100)  # about 6 km away, still in Hangzhou
SHANGHAI = (31.2304, 121.4737)


def person(
    container: Container, seq: int = 1, *, consent: bool = True, at: datetime | None = None
) -> str:
    """A registered person; ``at`` registers them (and their consent) at that time instead."""
    clock = container.clock
    now = clock.now()
    if at is not None:
        clock.set(at)  # type: ignore[attr-defined]
    try:
        return _register(container, seq, consent)
    finally:
        clock.set(now)  # type: ignore[attr-defined]


def _register(container: Container, seq: int, consent: bool) -> str:
    return register_person(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction="330100",
        person=register(
            id_number=resident_id(seq), phone=f"139{seq:08d}", consent_location=consent
        ),
    ).subject


def keys(container: Container) -> None:
    """The jurisdiction's signing keys, made unless it has some."""
    if list_keys(uow=container.uow(), jurisdiction="330100"):
        return
    init_keys(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction="330100",
    )


@dataclass
class City:
    organisation: str
    restaurant: Venue
    hospital: Venue
    bus: Venue


def city(container: Container) -> City:
    keys(container)
    org = add_organisation(
        uow=container.uow(), clock=container.clock, jurisdiction="330100", name="西湖餐饮有限公司"
    )

    def venue(name_zh: str, name_en: str, kind: str, at: tuple[float, float]) -> Venue:
        return add_venue(
            uow=container.uow(),
            clock=container.clock,
            private_keys=container.private_keys,
            jurisdiction="330100",
            details=VenueDetails(
                organisation_id=org.id,
                name_zh=name_zh,
                name_en=name_en,
                kind=kind,
                lat=at[0],
                lon=at[1],
            ),
        )

    return City(
        organisation=org.id,
        restaurant=venue("楼外楼", "Louwailou", "restaurant", WEST_LAKE),
        hospital=venue("浙一医院", "First Hospital", "hospital", HOSPITAL),
        bus=venue("7路公交", "Bus route 7", "bus_route", WEST_LAKE),
    )


@dataclass
class DeviceKit:
    id: str
    key: Ed25519PrivateKey

    def batch(self, scans: list[ScanRecord]) -> dict[str, object]:
        return sign_batch(self.id, scans, private_key=self.key)


def device(container: Container, venue: Venue) -> DeviceKit:
    key = Ed25519PrivateKey.generate()
    registered = register_device(
        uow=container.uow(),
        clock=container.clock,
        venue_id=venue.id,
        public_key=public_key_bytes(key.public_key()),
        serving=container.settings.jurisdiction,
    )
    return DeviceKit(registered.id, key)


def scan(seq: int, subject: str, at: datetime, **overrides: object) -> ScanRecord:
    values: dict[str, object] = {
        "seq": seq,
        "subject": subject,
        "at": at,
        "outcome": "pass",
        "reason": "ok",
        "issuer": "330100",
    }
    values.update(overrides)
    return ScanRecord(**values)  # type: ignore[arg-type]


def check_in_at(
    container: Container, subject: str, code: str, at: tuple[float, float]
) -> CheckinResult:
    """Check the person in with the place code, from the phone's position ``at`` (lat, lon)."""
    return check_in(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction="330100",
        subject=subject,
        scan=PlaceScan(place_code=code, lat=at[0], lon=at[1]),
    )
