"""The bus checkpoint's steps of `healthcode federation demo`: a Beijing device that fetches
Beijing's trust bundle online, decides offline by Beijing's acceptance rule, and uploads its
signed batch."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from healthcode.checkpoint.acceptance import acceptance_for, max_trust_list_age
from healthcode.checkpoint.batches import ScanRecord
from healthcode.checkpoint.device import DeviceConfig, decide, scan_record, signed_batches
from healthcode.credentials.cose import public_key_bytes
from healthcode.credentials.signer import load_public_key
from healthcode.credentials.verify import Decision, Outcome
from healthcode.federation.bundle import open_bundle
from healthcode.federation.commands.demo_cities import BEIJING, HANGZHOU, DemoFailure, World, check
from healthcode.policy.bundled import bundled_policy
from healthcode.presence.venues import (
    VenueDetails,
    add_organisation,
    add_venue,
    entry_rule,
    register_device,
)

BUS: Final = ("1路公交", "Bus route 1")
VEHICLE: Final = "B-1001"
TIANANMEN: Final = (39.9087, 116.3975)


def bus_checkpoint(world: World) -> list[str]:
    """Beijing registers a bus route and its checkpoint device, which fetches Beijing's trust
    bundle while online."""
    beijing = world.beijing
    c = beijing.container
    org = add_organisation(uow=c.uow(), clock=c.clock, jurisdiction=BEIJING, name="北京公交集团")
    bus = add_venue(
        uow=c.uow(),
        clock=c.clock,
        private_keys=c.private_keys,
        jurisdiction=BEIJING,
        details=VenueDetails(
            organisation_id=org.id,
            name_zh=BUS[0],
            name_en=BUS[1],
            kind="bus_route",
            lat=TIANANMEN[0],
            lon=TIANANMEN[1],
        ),
    )
    key = Ed25519PrivateKey.generate()
    device = register_device(
        uow=c.uow(),
        clock=c.clock,
        venue_id=bus.id,
        public_key=public_key_bytes(key.public_key()),
        serving=BEIJING,
    )
    colours = entry_rule(uow=c.uow(), jurisdiction=BEIJING, kind=bus.kind)
    root = load_public_key(_b64(beijing.root_key()))
    world.seen["device"] = DeviceConfig(
        device=device.id,
        venue=bus.id,
        kind=bus.kind.value,
        jurisdiction=BEIJING,
        colours=frozenset(colours),
        private_key=key,
        root_keys={BEIJING: public_key_bytes(root)},
    )
    bundle = beijing.call("GET", "/.well-known/healthcode/trust-bundle")
    check(bundle.status_code == 200, f"Beijing serves its trust bundle ({bundle.status_code})")
    world.seen.update(bundle=bundle.content, bundle_at=c.clock.now())
    store = open_bundle(bundle.content, root_public_key=root, at=c.clock.now())
    held = sorted(store.jurisdictions)
    return [
        f"bus {BUS[0]} ({BUS[1]}), device {device.id} registered in Beijing",
        check(
            held == sorted(world.cities),
            f"the bundle verifies under Beijing's root and holds the lists of {', '.join(held)}",
        ),
    ]


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _decide(world: World, token: str, *, kind: str | None = None) -> Decision:
    """The checkpoint's decision offline: the bundle fetched earlier, Beijing's bundled policy."""
    config: DeviceConfig = world.seen["device"]
    now = world.clock.now()
    root = load_public_key(config.root_keys[BEIJING])
    store = open_bundle(world.seen["bundle"], root_public_key=root, at=now)
    policy = bundled_policy(BEIJING)
    acceptance = acceptance_for(
        policy,
        kind=kind or config.kind,
        own_colours=config.colours,
        trusted=store.jurisdictions,
    )
    return decide(
        token,
        config=config,
        trust_store=store,
        at=now,
        acceptance=acceptance,
        max_trust_list_age=max_trust_list_age(policy),
    )


def ride(world: World) -> list[str]:
    """On the bus the device, offline, admits the Beijing code and, by Beijing's acceptance
    rule for buses, the Hangzhou code; both scans are queued."""
    local = _decide(world, world.seen["local_code"])
    check(
        local.outcome is Outcome.PASS, f"the Beijing code: {local.outcome.value} ({local.message})"
    )
    records = [_record(local, 1, world)]
    world.move_to(world.clock.now() + timedelta(minutes=3))
    visitor = _decide(world, world.seen["visitor_code"])
    at_hospital = _decide(world, world.seen["visitor_code"], kind="hospital")
    records.append(_record(visitor, 2, world))
    world.seen["scans"] = records
    return [
        f"no network: the bundle fetched at {world.seen['bundle_at']:%H:%M}Z, Beijing's "
        f"bundled policy {bundled_policy(BEIJING).version}, venue kind {local_kind(world)}",
        f"Beijing code: {local.outcome.value}, {local.message}",
        check(
            visitor.outcome is Outcome.PASS and visitor.issuer == HANGZHOU,
            f"Hangzhou code, offline: {visitor.outcome.value}, {visitor.message}",
        ),
        check(
            at_hospital.outcome is Outcome.STOP
            and "hospitals-own-codes-only" in at_hospital.message,
            f"(the same code at a Beijing hospital: {at_hospital.outcome.value}, "
            f"{at_hospital.message})",
        ),
    ]


def upload(world: World) -> list[str]:
    """Back online, the device uploads its signed batch to Beijing."""
    receipts = [
        world.beijing.expect("POST", "/api/v1/scans/batches", 200, json=batch)
        for batch in signed_batches(world.seen["device"], world.seen["scans"])
    ]
    stored = sum(r["stored"] for r in receipts)
    visitors = sum(r["visitors"] for r in receipts)
    return [
        check(
            (stored, visitors) == (1, 1),
            f"Beijing stored {stored} resident's scan and {visitors} visitor's presence "
            "(the Hangzhou code's issuer and opaque subject only)",
        )
    ]


def local_kind(world: World) -> str:
    """The kind of venue the device stands at (its device file says)."""
    config: DeviceConfig = world.seen["device"]
    return config.kind


def _record(decision: Decision, seq: int, world: World) -> ScanRecord:
    """The scan the device queues for ``decision`` (on the bus's vehicle)."""
    record = scan_record(decision, seq=seq, at=world.clock.now(), temperature=None, vehicle=VEHICLE)
    if record is None:
        raise DemoFailure(f"no scan to queue for {decision.message}")
    return record
