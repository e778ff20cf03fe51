"""`healthcode demo guard`: the demo's checkpoint, for the scanner page (``/checkpoint``).

Without ``--public-key`` it makes (once) the demo venue, a supermarket by the city's centre
run by a demo organisation, and says how a guard sets up a phone: open ``/checkpoint``, which
makes the device's key in the browser and shows it, then register that key here with
``--public-key`` (what an official does with ``healthcode device add``). Idempotent: the venue
is made once, a key already registered is kept."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

import typer
from rich.console import Console

from healthcode.cli.context import system
from healthcode.cli.options import JsonOpt
from healthcode.cli.output import emit, refusals
from healthcode.container import Container
from healthcode.credentials.cose import kid_of
from healthcode.kernel.errors import Conflict, InvalidInput
from healthcode.kernel.regions import CENTRES
from healthcode.presence.venues import (
    VenueDetails,
    add_organisation,
    add_venue,
    entry_rule,
    list_organisations,
    list_venues,
    register_device,
)

ORGANISATION = "演示检查点运营"
VENUE_ZH, VENUE_EN = "演示超市入口", "Demo supermarket entrance"
SCANNER = "/checkpoint"


def _demo_venue(c: Container) -> str:
    """The demo venue's id, made on first use."""
    jurisdiction = c.settings.jurisdiction
    for venue in list_venues(uow=c.uow(), jurisdiction=jurisdiction):
        if venue.name_en == VENUE_EN:
            return venue.id
    org = next(
        (
            o
            for o in list_organisations(uow=c.uow(), jurisdiction=jurisdiction)
            if o.name == ORGANISATION
        ),
        None,
    ) or add_organisation(uow=c.uow(), clock=c.clock, jurisdiction=jurisdiction, name=ORGANISATION)
    lat, lon, _radius = CENTRES.get(jurisdiction, (30.2741, 120.1551, 0.0))
    venue = add_venue(
        uow=c.uow(),
        clock=c.clock,
        private_keys=c.private_keys,
        jurisdiction=jurisdiction,
        details=VenueDetails(
            organisation_id=org.id,
            name_zh=VENUE_ZH,
            name_en=VENUE_EN,
            kind="supermarket",
            lat=lat,
            lon=lon,
        ),
    )
    return venue.id


def _raw_key(text: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise InvalidInput.one("public_key", "must be the 32-byte key the scanner page shows")
    return raw


def guard(
    public_key: Annotated[
        str | None,
        typer.Option(
            "--public-key", help="The key the scanner page at /checkpoint shows (base64url)."
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Make the demo checkpoint venue; with --public-key, register the guard's browser as its
    checkpoint device (as `healthcode device add --public-key` does). Idempotent."""
    with refusals(as_json=as_json), system(as_json=as_json) as c:
        venue_id = _demo_venue(c)
        venue_kind = next(
            v.kind
            for v in list_venues(uow=c.uow(), jurisdiction=c.settings.jurisdiction)
            if v.id == venue_id
        )
        colours = entry_rule(uow=c.uow(), jurisdiction=c.settings.jurisdiction, kind=venue_kind)
        device, created = None, False
        if public_key is not None:
            raw = _raw_key(public_key)
            try:
                device = register_device(
                    uow=c.uow(),
                    clock=c.clock,
                    venue_id=venue_id,
                    public_key=raw,
                    serving=c.settings.jurisdiction,
                ).id
                created = True
            except Conflict:  # registered before: the device's id is its key's
                device = kid_of(raw).hex()
    payload = {
        "venue": venue_id,
        "entry_colours": sorted(x.value for x in colours),
        "device": device,
        "created": created,
        "scanner": SCANNER,
    }

    def human(console: Console) -> None:
        console.print(f"demo checkpoint: {VENUE_EN} ({venue_id})")
        if device is None:
            console.print(
                f"a guard opens {SCANNER} on a phone, which shows its key; then: "
                "healthcode demo guard --public-key KEY"
            )
        else:
            state = "registered" if created else "already registered"
            console.print(f"device {device} {state}: press “Registered” on the scanner page")

    emit(payload, as_json=as_json, human=human)
