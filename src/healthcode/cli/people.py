"""`healthcode register` (an operator command) and `healthcode person show --as OFFICIAL`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from healthcode.cli.context import acting_official, system
from healthcode.cli.options import AtOpt, JsonOpt
from healthcode.cli.output import emit, parse_at, refusals
from healthcode.services.profile import show_profile
from healthcode.services.registration import register_person

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
            name=name,
            id_type=id_type,
            id_number=id_number,
            phone=phone,
            address=address,
            consent_location=consent_location,
            district=district,
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
