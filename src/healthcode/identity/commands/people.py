"""`healthcode register|person|channel|demo`: people, channels (added at the console; listed and
their secrets rotated by an admin) and the demo channels."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)
from rich.console import Console
from rich.table import Table

from healthcode.cli.context import acting_official, system
from healthcode.cli.options import AsOpt, AtOpt, JsonOpt
from healthcode.cli.output import emit, parse_at, read_text_file, refusals
from healthcode.cli.table import CommandTable
from healthcode.identity.channels import (
    NewChannel,
    add_channel,
    list_channels,
    rotate_channel_secrets,
)
from healthcode.identity.commands import demo_city, demo_console, demo_guard
from healthcode.identity.demo import DEMO_CHANNELS, seed_demo_channels, seed_demo_citizen
from healthcode.identity.profile import show_profile
from healthcode.identity.registration import Register, register_person
from healthcode.kernel.errors import InvalidInput

person_app = typer.Typer(help="Look at registered people (masked).", no_args_is_help=True)


def register(
    name: Annotated[str, typer.Option(help="Full name.")],
    id_number: Annotated[str, typer.Option(help="ID number.")],
    phone: Annotated[str, typer.Option(help="Mainland mobile number.")],
    address: Annotated[str, typer.Option(help="Home address.")],
    id_type: Annotated[
        str, typer.Option(help="resident, passport, hk_macao_permit or taiwan_permit.")
    ] = "resident",
    district: Annotated[
        str | None,
        typer.Option(help="GB/T 2260 code of the home district (district officials' scope)."),
    ] = None,
    consent_location: Annotated[
        bool,
        typer.Option(
            "--consent-location/--no-consent-location",
            help="Consent to location use for epidemic control.",
        ),
    ] = False,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Register a resident; prints the new subject id."""
    with refusals(as_json=as_json), system(at=parse_at(at, as_json=as_json), as_json=as_json) as c:
        registered = register_person(
            uow=c.uow(),
            clock=c.clock,
            jurisdiction=c.settings.jurisdiction,
            person=Register(
                name=name,
                id_type=id_type,
                id_number=id_number,
                phone=phone,
                address=address,
                consent_location=consent_location,
                district=district,
            ),
        )
    emit(
        {"subject": registered.subject},
        as_json=as_json,
        human=lambda console: console.print(f"registered subject [bold]{registered.subject}[/]"),
    )


@person_app.command("show")
def show(
    subject: str,
    as_: Annotated[
        str,
        typer.Option(
            "--as",
            help="Username of the official reading (the read is written to the access log "
            "under that name; the person sees it).",
        ),
    ],
    as_json: JsonOpt = False,
) -> None:
    """Show a person's registration, masked, as an official (audited)."""
    with acting_official(as_, as_json=as_json) as (c, official):
        profile = show_profile(uow=c.uow(), clock=c.clock, principal=official, subject=subject)
    payload = {
        "subject": profile.subject,
        "jurisdiction": profile.jurisdiction,
        "id_type": profile.id_type,
        "name": profile.name,
        "id_number": profile.id_number,
        "phone": profile.phone,
        "registered_at": profile.registered_at,
        "location_consent": profile.location_consent,
    }

    def human(console: object) -> None:
        table = Table(show_header=False)
        for key, value in payload.items():
            table.add_row(key, str(value))
        console.print(table)  # type: ignore[attr-defined]

    emit(payload, as_json=as_json, human=human)


channel_app = typer.Typer(help="Channels: partner apps and the city website.", no_args_is_help=True)


@channel_app.command("add")
def channel_add(
    name: Annotated[str, typer.Option(help="Short name, e.g. alipay.")],
    public_key_file: Annotated[
        Path, typer.Option(help="PEM public key (Ed25519 or P-256) its assertions are signed with.")
    ],
    webhook_url: Annotated[str, typer.Option(help="Where status changes are sent.")],
    kind: Annotated[str, typer.Option(help="app or website.")] = "app",
    as_json: JsonOpt = False,
) -> None:
    """Register a channel; prints its client id, client secret and webhook secret once."""
    with refusals(as_json=as_json):
        pem = read_text_file(public_key_file, field="public_key_file")
    with refusals(as_json=as_json), system(as_json=as_json) as c:
        created = add_channel(
            uow=c.uow(),
            clock=c.clock,
            principal=None,
            name=name,
            public_key_pem=pem,
            webhook_url=webhook_url,
            kind=kind,
        )
    payload = {
        "client_id": created.id,
        "client_secret": created.client_secret,
        "webhook_secret": created.webhook_secret,
        "name": created.name,
        "kind": created.kind,
        "webhook_url": created.webhook_url,
    }
    emit(
        payload,
        as_json=as_json,
        human=lambda console: console.print(
            "\n".join(f"{k}: {v}" for k, v in payload.items()) + "\n(secrets shown once)"
        ),
    )


@channel_app.command("list")
def channel_list(as_: AsOpt, as_json: JsonOpt = False) -> None:
    """The channels (admins), without secrets: when each one's were last rotated."""
    with acting_official(as_, as_json=as_json) as (c, admin):
        found = list_channels(uow=c.uow(), principal=admin)
    rows = [
        {
            "client_id": ch.id,
            "name": ch.name,
            "kind": ch.kind,
            "webhook_url": ch.webhook_url,
            "active": ch.active,
            "created_at": ch.created_at,
            "secrets_rotated_at": ch.secrets_rotated_at,
        }
        for ch in found
    ]

    def human(console: Console) -> None:
        table = Table("client id", "name", "kind", "active", "created", "secrets rotated")
        for ch in found:
            rotated = ch.secrets_rotated_at
            table.add_row(
                ch.id,
                ch.name,
                ch.kind,
                "yes" if ch.active else "no",
                f"{ch.created_at:%Y-%m-%d %H:%M}",
                "never" if rotated is None else f"{rotated:%Y-%m-%d %H:%M}",
            )
        console.print(table)

    emit(rows, as_json=as_json, human=human)


@channel_app.command("rotate-secrets")
def channel_rotate_secrets(client_id: str, as_: AsOpt, as_json: JsonOpt = False) -> None:
    """New client and webhook secrets for a channel (admins), printed once: the old client
    secret and the access tokens issued with it stop working at once."""
    with acting_official(as_, as_json=as_json) as (c, admin):
        rotated = rotate_channel_secrets(
            uow=c.uow(), clock=c.clock, principal=admin, client_id=client_id
        )
    payload = {
        "client_id": rotated.client_id,
        "client_secret": rotated.client_secret,
        "webhook_secret": rotated.webhook_secret,
        "rotated_at": rotated.rotated_at,
        "tokens_revoked": rotated.tokens_revoked,
    }
    emit(
        payload,
        as_json=as_json,
        human=lambda console: console.print(
            "\n".join(f"{k}: {v}" for k, v in payload.items()) + "\n(secrets shown once)"
        ),
    )


demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)


def _demo_key(folder: Path, name: str) -> str:
    """The demo channel's public key; its private key is kept in ``folder`` (0700, the file
    0600) so a demo partner app can sign assertions."""
    path = folder / f"{name}.key"
    if path.exists():
        private = load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(private, Ed25519PrivateKey):
            raise InvalidInput.one("key", f"{path} is not an Ed25519 private key")
    else:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        private = Ed25519PrivateKey.generate()
        pem = private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        path.touch(mode=0o600)
        path.write_bytes(pem)
    public = private.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    return public.decode()


def _secrets(created: NewChannel) -> dict[str, str]:
    return {"client_secret": created.client_secret, "webhook_secret": created.webhook_secret}


@demo_app.command("seed")
def seed(
    keys_dir: Annotated[
        Path, typer.Option(help="Where the demo channels' private keys are kept.")
    ] = Path("var/demo-channels"),
    webhook_base_url: Annotated[
        str, typer.Option(help="Webhooks go to BASE/<channel name>.")
    ] = "http://127.0.0.1:8001/webhooks",
    city: Annotated[
        bool,
        typer.Option(
            "--city/--no-city",
            help="Also build a small living city and play its last days (docs/simulator.md).",
        ),
    ] = False,
    residents: demo_city.ResidentsOpt = "town",
    days: demo_city.DaysOpt = 2,
    state: demo_city.StateOpt = demo_city.STATE,
    as_json: JsonOpt = False,
) -> None:
    """Register three partner apps (alipay, wechat, dingtalk) and the city website as channels,
    and the console's demo accounts (`healthcode demo officials` prints them); with --city, a
    living demo city too (`healthcode demo run` keeps it moving). Idempotent: a second run
    keeps what is there (secrets are printed only when created)."""
    with refusals(as_json=as_json), system(as_json=as_json) as c:
        keys = {name: _demo_key(keys_dir, name) for name in DEMO_CHANNELS}
        seeded = seed_demo_channels(
            uow=c.uow(), clock=c.clock, public_keys=keys, webhook_base_url=webhook_base_url
        )
        accounts = demo_console.seed_officials(c)
    payload = [
        {
            "name": s.name,
            "client_id": s.id,
            "created": s.created,
            "private_key_file": str(keys_dir / f"{s.name}.key"),
            **(
                {
                    "client_secret": s.secrets.client_secret,
                    "webhook_secret": s.secrets.webhook_secret,
                }
                if s.secrets
                else {}
            ),
        }
        for s in seeded
    ]

    def human(console: Console) -> None:
        for item in payload:
            state = "created" if item["created"] else "kept"
            console.print(f"{state} channel {item['name']} ({item['client_id']})")
            if item["created"]:
                console.print(f"  client secret (shown once): {item['client_secret']}")
        demo_console.print_officials(console, accounts)

    if city:
        demo_city.seed_with_city(
            payload, human, residents=residents, days=days, state=state, as_json=as_json
        )
        return
    emit(payload, as_json=as_json, human=human)


@demo_app.command("citizen")
def demo_citizen(as_json: JsonOpt = False) -> None:
    """Make the demo citizen's website account (identity confirmed, so it gets a code) and
    print its phone and password for the citizen's pages. Idempotent."""
    with refusals(as_json=as_json), system(as_json=as_json) as c:
        seeded = seed_demo_citizen(uow=c.uow(), clock=c.clock, jurisdiction=c.settings.jurisdiction)
    payload = {
        "subject": seeded.subject,
        "phone": seeded.phone,
        "password": seeded.password,
        "created": seeded.created,
        "resident": seeded.resident,
    }

    def human(console: Console) -> None:
        state = "created" if seeded.created else "kept"
        where = " (a resident of the demo city)" if seeded.resident else ""
        console.print(
            f"{state} demo citizen{where}: log in at /citizen/login with phone {seeded.phone}, "
            f"password {seeded.password}"
        )

    emit(payload, as_json=as_json, human=human)


demo_app.command("run")(demo_city.run)
demo_app.command("officials")(demo_console.officials)
demo_app.command("totp")(demo_console.totp)
demo_app.command("guard")(demo_guard.guard)

COMMANDS: CommandTable = (
    ("register", register),
    ("person", person_app),
    ("channel", channel_app),
    ("demo", demo_app),
)
