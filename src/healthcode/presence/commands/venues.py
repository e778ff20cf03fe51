"""`healthcode org|venue|device|checkin|ride`: venues, posters, devices and check-ins."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Annotated, Any

import typer

from healthcode.checkpoint.device import DeviceConfig, write_device_file
from healthcode.cli.context import acting_official, reader, system
from healthcode.cli.exit_codes import for_outcome
from healthcode.cli.groups import default_command
from healthcode.cli.options import AsOpt, AtOpt, BreakGlassOpt, JsonOpt, ReaderOpt
from healthcode.cli.output import emit, invalid_code, parse_at, parse_time, refusals
from healthcode.codes.keys import list_keys
from healthcode.credentials.cose import public_key_bytes
from healthcode.credentials.signer import generate_private_key, load_public_key
from healthcode.kernel.errors import InvalidInput
from healthcode.presence.checkins import PlaceScan, check_in, flagged_checkins, review_checkin
from healthcode.presence.employers import list_staff_member, staff_of
from healthcode.presence.model import Checkin, Venue
from healthcode.presence.place_codes import FIELD
from healthcode.presence.posters import PosterContent, poster_pdf, poster_svg
from healthcode.presence.transit import Ride, record_ride
from healthcode.presence.venues import (
    VenueDetails,
    add_organisation,
    add_venue,
    entry_rule,
    get_venue,
    list_organisations,
    list_venues,
    register_device,
    revoke_device,
)

org_app = typer.Typer(help="Organisations that run venues or employ staff.", no_args_is_help=True)
staff_app = typer.Typer(help="An organisation's staff list.", no_args_is_help=True)
org_app.add_typer(staff_app, name="staff")
venue_app = typer.Typer(help="Venues and their place-code posters.", no_args_is_help=True)
device_app = typer.Typer(help="Checkpoint devices of venues.", no_args_is_help=True)
checkin_app = typer.Typer(
    cls=default_command("place"),
    help="Check in with a place code (`healthcode checkin SUBJECT --code …`); review flagged "
    "check-ins.",
    no_args_is_help=True,
)


def _venue(v: Venue) -> dict[str, Any]:
    return {
        "id": v.id,
        "name_zh": v.name_zh,
        "name_en": v.name_en,
        "kind": v.kind.value,
        "lat": v.lat,
        "lon": v.lon,
        "cell": v.cell,
        "organisation": v.organisation_id,
        "place_code": v.place_code,
    }


def _checkin(c: Checkin) -> dict[str, Any]:
    return {
        "id": c.id,
        "subject": c.subject,
        "venue": c.venue_id,
        "at": c.at,
        "state": c.state,
        "flag": c.flag,
        "outcome": c.outcome,
        "distance_m": c.distance_m,
        "message": c.message,
        "presence_id": c.presence_id,
    }


@org_app.command("add")
def org_add(name: str, at: AtOpt = None, as_json: JsonOpt = False) -> None:
    """Register an organisation; prints its id."""
    with refusals(as_json=as_json), system(at=parse_at(at, as_json=as_json), as_json=as_json) as c:
        org = add_organisation(
            uow=c.uow(), clock=c.clock, jurisdiction=c.settings.jurisdiction, name=name
        )
    emit(vars(org), as_json=as_json, human=lambda con: con.print(f"organisation {org.id}"))


@org_app.command("list")
def org_list(as_json: JsonOpt = False) -> None:
    """The organisations of this jurisdiction."""
    with refusals(as_json=as_json), system(as_json=as_json) as c:
        found = list_organisations(uow=c.uow(), jurisdiction=c.settings.jurisdiction)
    emit([vars(o) for o in found], as_json=as_json)


@staff_app.command("add")
def staff_add(organisation: str, subject: str, at: AtOpt = None, as_json: JsonOpt = False) -> None:
    """List a person as staff (nothing is shared until the person consents)."""
    with refusals(as_json=as_json), system(at=parse_at(at, as_json=as_json), as_json=as_json) as c:
        member = list_staff_member(
            uow=c.uow(),
            clock=c.clock,
            jurisdiction=c.settings.jurisdiction,
            organisation_id=organisation,
            subject=subject,
        )
    emit({**vars(member), "active": member.active}, as_json=as_json)


@staff_app.command("list")
def staff_list(
    organisation: str,
    as_: ReaderOpt = None,
    break_glass: BreakGlassOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The staff list with each person's consent (`--as` an official logged in: the people in
    their scope; or `--break-glass REASON`; each person shown is in the access log)."""
    with reader(as_, break_glass, as_json=as_json) as (c, who):
        members = staff_of(uow=c.uow(), clock=c.clock, organisation_id=organisation, reader=who)
    emit([{**vars(m), "active": m.active} for m in members], as_json=as_json)


@venue_app.command("add")
def venue_add(
    organisation: Annotated[str, typer.Option("--org", help="The operating organisation's id.")],
    name_zh: Annotated[str, typer.Option("--name-zh", help="Name in Chinese.")],
    name_en: Annotated[str, typer.Option("--name-en", help="Name in English.")],
    kind: Annotated[str, typer.Option(help="bus_route, subway_station, …, hospital, other.")],
    lat: Annotated[float, typer.Option(help="Latitude (WGS 84).")],
    lon: Annotated[float, typer.Option(help="Longitude (WGS 84).")],
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Register a venue and sign its place code."""
    with refusals(as_json=as_json), system(at=parse_at(at, as_json=as_json), as_json=as_json) as c:
        venue = add_venue(
            uow=c.uow(),
            clock=c.clock,
            private_keys=c.private_keys,
            jurisdiction=c.settings.jurisdiction,
            details=VenueDetails(
                organisation_id=organisation,
                name_zh=name_zh,
                name_en=name_en,
                kind=kind,
                lat=lat,
                lon=lon,
            ),
        )
    emit(_venue(venue), as_json=as_json, human=lambda con: con.print(f"venue {venue.id}"))


@venue_app.command("list")
def venue_list(as_json: JsonOpt = False) -> None:
    """The venues of this jurisdiction."""
    with refusals(as_json=as_json), system(as_json=as_json) as c:
        venues = list_venues(uow=c.uow(), jurisdiction=c.settings.jurisdiction)
    emit([_venue(v) for v in venues], as_json=as_json)


@venue_app.command("poster")
def venue_poster(
    venue_id: Annotated[str, typer.Argument(metavar="VENUE")],
    out: Annotated[Path, typer.Option("--out", help="FILE.svg or FILE.pdf")],
    as_json: JsonOpt = False,
) -> None:
    """Write the venue's place-code poster (names in Chinese and English) as SVG or PDF."""
    with refusals(as_json=as_json):
        if out.suffix.lower() not in (".svg", ".pdf"):
            raise InvalidInput.one("out", "must end in .svg or .pdf")
        with system(as_json=as_json) as c:
            venue = get_venue(uow=c.uow(), venue_id=venue_id)
        content = PosterContent(
            name_zh=venue.name_zh,
            name_en=venue.name_en,
            kind=venue.kind.value,
            venue_id=venue.id,
            place_code=venue.place_code,
        )
        if out.suffix.lower() == ".svg":
            out.write_text(poster_svg(content), encoding="utf-8")
        else:
            out.write_bytes(poster_pdf(content))
    emit({"written": str(out)}, as_json=as_json, human=lambda con: con.print(f"wrote {out}"))


@device_app.command("add")
def device_add(
    venue_id: Annotated[str, typer.Option("--venue", help="The venue's id.")],
    public_key: Annotated[
        str | None, typer.Option("--public-key", help="The device's Ed25519 key (base64url).")
    ] = None,
    key_out: Annotated[
        Path | None,
        typer.Option("--key-out", help="Make a key pair here and write the device file (0600)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Register a checkpoint device by its public key, or make its key and device file."""
    with refusals(as_json=as_json):
        if (public_key is None) == (key_out is None):
            raise InvalidInput.one("public_key", "give either --public-key or --key-out FILE")
        private = generate_private_key() if key_out is not None else None
        if private is not None:
            raw = public_key_bytes(private.public_key())
        else:
            public_key = str(public_key)  # given: exactly one of the two is
            raw = base64.urlsafe_b64decode(public_key + "=" * (-len(public_key) % 4))
            load_public_key(raw) if len(raw) == 32 else None
        with system(as_json=as_json) as c:
            device = register_device(
                uow=c.uow(),
                clock=c.clock,
                venue_id=venue_id,
                public_key=raw,
                serving=c.settings.jurisdiction,
            )
            venue = get_venue(uow=c.uow(), venue_id=venue_id)
            colours = entry_rule(uow=c.uow(), jurisdiction=venue.jurisdiction, kind=venue.kind)
            roots = [
                k
                for k in list_keys(uow=c.uow(), jurisdiction=venue.jurisdiction)
                if k.role == "root"
            ]
        if key_out is not None and private is not None:
            write_device_file(
                key_out,
                DeviceConfig(
                    device=device.id,
                    venue=venue.id,
                    kind=venue.kind.value,
                    jurisdiction=venue.jurisdiction,
                    colours=frozenset(colours),
                    private_key=private,
                    root_keys={venue.jurisdiction: roots[-1].public_key} if roots else {},
                ),
            )
    payload = {
        "device": device.id,
        "venue": venue.id,
        "entry_colours": sorted(c.value for c in colours),
        "device_file": None if key_out is None else str(key_out),
    }
    emit(payload, as_json=as_json, human=lambda con: con.print(f"device {device.id}"))


@device_app.command("revoke")
def device_revoke(
    device_id: Annotated[str, typer.Argument(metavar="DEVICE")],
    as_: AsOpt,
    as_json: JsonOpt = False,
) -> None:
    """Revoke a checkpoint device (admins): its later batches are refused, its earlier scans
    kept."""
    with acting_official(as_, as_json=as_json) as (c, admin):
        device = revoke_device(uow=c.uow(), clock=c.clock, principal=admin, device_id=device_id)
    payload = {
        "device": device.id,
        "venue": device.venue_id,
        "active": device.active,
        "revoked_at": device.revoked_at,
    }
    emit(payload, as_json=as_json, human=lambda con: con.print(f"revoked {device.id}"))


@checkin_app.command("place")
def checkin(
    subject: Annotated[str, typer.Argument(help="The person checking in.")],
    code: Annotated[str, typer.Option("--code", help="The place code (HZP1:…).")],
    lat: Annotated[float, typer.Option(help="The phone's latitude.")],
    lon: Annotated[float, typer.Option(help="The phone's longitude.")],
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check SUBJECT in with a place code at the phone's position: pass or stop there (exit 0
    pass, 1 stop, 2 a place code that is not valid; the default command: `healthcode checkin
    SUBJECT …`)."""
    with (
        refusals(as_json=as_json),
        invalid_code(as_json=as_json, field=FIELD),  # inside: it sees the refusal first
        system(at=parse_at(at, as_json=as_json), as_json=as_json) as c,
    ):
        result = check_in(
            uow=c.uow(),
            clock=c.clock,
            jurisdiction=c.settings.jurisdiction,
            subject=subject,
            scan=PlaceScan(place_code=code, lat=lat, lon=lon),
        )
    payload = {**_checkin(result.checkin), "text": result.texts}
    emit(payload, as_json=as_json, human=lambda con: con.print(result.texts[c.settings.language]))
    raise typer.Exit(for_outcome(result.checkin.outcome))


@checkin_app.command("flagged")
def checkin_flagged(as_: AsOpt, as_json: JsonOpt = False) -> None:
    """Check-ins waiting for review in the official's jurisdiction and district (each person
    shown is recorded in the access log)."""
    with acting_official(as_, as_json=as_json) as (c, official):
        found = flagged_checkins(uow=c.uow(), clock=c.clock, principal=official)
    emit([_checkin(x) for x in found], as_json=as_json)


def _review(checkin_id: str, confirm: bool, reviewer: str, as_json: bool) -> None:
    with acting_official(reviewer, as_json=as_json) as (c, official):
        checkin = review_checkin(
            uow=c.uow(), clock=c.clock, principal=official, checkin_id=checkin_id, confirm=confirm
        )
    emit(_checkin(checkin), as_json=as_json, human=lambda con: con.print(checkin.state))


@checkin_app.command("confirm")
def checkin_confirm(checkin_id: str, as_: AsOpt, as_json: JsonOpt = False) -> None:
    """Confirm a flagged check-in: it becomes a presence."""
    _review(checkin_id, True, as_, as_json)


@checkin_app.command("reject")
def checkin_reject(checkin_id: str, as_: AsOpt, as_json: JsonOpt = False) -> None:
    """Reject a flagged check-in: it never becomes a presence."""
    _review(checkin_id, False, as_, as_json)


def ride(
    subject: str,
    line: Annotated[str, typer.Option("--line", help="The bus route or subway line venue id.")],
    vehicle: Annotated[str, typer.Option("--vehicle", help="The vehicle (plate or train).")],
    boarded: Annotated[str, typer.Option("--boarded", help="Boarding time, ISO 8601.")],
    alighted: Annotated[str, typer.Option("--alighted", help="Alighting time, ISO 8601.")],
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a bus or subway ride as a presence on the trip."""
    boarded_at = parse_time(boarded, field="boarded_at", as_json=as_json)
    alighted_at = parse_time(alighted, field="alighted_at", as_json=as_json)
    with refusals(as_json=as_json), system(at=parse_at(at, as_json=as_json), as_json=as_json) as c:
        presence = record_ride(
            uow=c.uow(),
            clock=c.clock,
            jurisdiction=c.settings.jurisdiction,
            subject=subject,
            ride=Ride(line=line, vehicle=vehicle, boarded_at=boarded_at, alighted_at=alighted_at),
        )
    emit(presence.data(), as_json=as_json, human=lambda con: con.print(f"ride {presence.id}"))
