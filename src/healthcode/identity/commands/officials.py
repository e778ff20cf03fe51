"""`healthcode official`: officials' accounts. `add` bootstraps the first admins at the console;
after that every account, change of role or scope, TOTP reset, disabling and re-enabling is
proposed by one admin (`propose-*`) and approved by another (`healthcode proposal approve`)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from healthcode.cli.context import acting_official, system
from healthcode.cli.options import AsOpt, JsonOpt
from healthcode.cli.output import emit, refusals
from healthcode.cli.proposals import propose_at_console, show_proposals
from healthcode.cli.secret_input import PasswordStdinOpt, read_password
from healthcode.cli.table import CommandTable
from healthcode.identity.account_proposals import list_account_proposals
from healthcode.identity.kinds import (
    CHANGE_OFFICIAL,
    CREATE_OFFICIAL,
    DISABLE_OFFICIAL,
    ENABLE_OFFICIAL,
    RESET_TOTP,
)
from healthcode.identity.officials import OfficialAccount, add_official, list_officials
from healthcode.oversight.model import ProposalStatus

official_app = typer.Typer(help="Officials' accounts.", no_args_is_help=True)

UsernameOpt = Annotated[str, typer.Option(help="Login name.")]
RoleOpt = Annotated[str, typer.Option(help="official, supervisor, auditor or admin.")]
JurisdictionOpt = Annotated[str, typer.Option(help="GB/T 2260 code of their scope.")]
DistrictOpt = Annotated[str | None, typer.Option(help="District within it.")]
ReasonOpt = Annotated[str, typer.Option(help="Why: the approving admin reads it.")]


@official_app.command("add")
def official_add(
    username: UsernameOpt,
    role: RoleOpt,
    jurisdiction: JurisdictionOpt,
    district: DistrictOpt = None,
    password_stdin: PasswordStdinOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Bootstrap: create an account directly, only while fewer than two active admins exist
    (then use propose-add). Prints the TOTP provisioning URI once — enrol it in an
    authenticator app now. The password is asked for (hidden, twice) or read from standard
    input with --password-stdin, never an argument."""
    with refusals(as_json=as_json), system(as_json=as_json) as c:
        password = read_password(from_stdin=password_stdin, as_json=as_json)
        created = add_official(
            uow=c.uow(),
            clock=c.clock,
            account=OfficialAccount(
                username=username,
                role=role,
                jurisdiction=jurisdiction,
                district=district,
                password=password,
            ),
            serving=c.settings.jurisdiction,
        )
    emit(
        vars(created),
        as_json=as_json,
        human=lambda console: console.print(
            f"created {created.role} [bold]{created.username}[/] ({created.jurisdiction})\n"
            f"TOTP (shown once): {created.totp_uri}"
        ),
    )


@official_app.command("propose-add")
def official_propose_add(
    as_: AsOpt,
    username: UsernameOpt,
    role: RoleOpt,
    jurisdiction: JurisdictionOpt,
    reason: ReasonOpt,
    district: DistrictOpt = None,
    password_stdin: PasswordStdinOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Propose an account (admins); another admin approves it and gets its TOTP URI once.
    The password is asked for or read with --password-stdin; only its hash is kept."""
    with refusals(as_json=as_json):
        password = read_password(from_stdin=password_stdin, as_json=as_json)
    payload = {
        "username": username,
        "role": role,
        "jurisdiction": jurisdiction,
        "district": district,
        "password": password,
    }
    propose_at_console(as_, action=CREATE_OFFICIAL, payload=payload, reason=reason, as_json=as_json)


@official_app.command("propose-change")
def official_propose_change(
    username: str,
    as_: AsOpt,
    reason: ReasonOpt,
    role: Annotated[str | None, typer.Option(help="The new role.")] = None,
    jurisdiction: Annotated[str | None, typer.Option(help="The new jurisdiction.")] = None,
    district: Annotated[str | None, typer.Option(help="The new district.")] = None,
    whole_jurisdiction: Annotated[
        bool, typer.Option("--whole-jurisdiction", help="No district: the whole jurisdiction.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Propose a change of an official's role or scope (admins; never your own account)."""
    payload: dict[str, Any] = {"username": username}
    if role is not None:
        payload["role"] = role
    if jurisdiction is not None:
        payload["jurisdiction"] = jurisdiction
    if district is not None or whole_jurisdiction:
        payload["district"] = None if whole_jurisdiction else district
    propose_at_console(as_, action=CHANGE_OFFICIAL, payload=payload, reason=reason, as_json=as_json)


@official_app.command("propose-reset-totp")
def official_propose_reset_totp(
    username: str, as_: AsOpt, reason: ReasonOpt, as_json: JsonOpt = False
) -> None:
    """Propose a new TOTP secret for an official (a lost phone); the approving admin gets the
    new URI once, and the old secret stops working when approved."""
    propose_at_console(
        as_, action=RESET_TOTP, payload={"username": username}, reason=reason, as_json=as_json
    )


@official_app.command("propose-disable")
def official_propose_disable(
    username: str, as_: AsOpt, reason: ReasonOpt, as_json: JsonOpt = False
) -> None:
    """Propose disabling an official's account (never the last active admin); when approved,
    their sessions end at once."""
    propose_at_console(
        as_, action=DISABLE_OFFICIAL, payload={"username": username}, reason=reason, as_json=as_json
    )


@official_app.command("propose-enable")
def official_propose_enable(
    username: str, as_: AsOpt, reason: ReasonOpt, as_json: JsonOpt = False
) -> None:
    """Propose re-enabling a disabled official's account; they log in again afterwards."""
    propose_at_console(
        as_, action=ENABLE_OFFICIAL, payload={"username": username}, reason=reason, as_json=as_json
    )


@official_app.command("list")
def official_list(as_: AsOpt, as_json: JsonOpt = False) -> None:
    """The accounts within the admin's jurisdiction (no secrets)."""
    with acting_official(as_, as_json=as_json) as (c, admin):
        found = list_officials(uow=c.uow(), principal=admin)
    rows = [
        {
            "username": o.username,
            "role": o.role,
            "jurisdiction": o.jurisdiction,
            "district": o.district,
            "active": o.active,
            "sponsored_by": o.sponsored_by,
            "created_at": o.created_at,
        }
        for o in found
    ]

    def human(console: Console) -> None:
        table = Table("username", "role", "jurisdiction", "district", "active", "sponsored by")
        for o in found:
            table.add_row(
                o.username,
                o.role,
                o.jurisdiction,
                o.district or "",
                "yes" if o.active else "no",
                o.sponsored_by or "",
            )
        console.print(table)

    emit(rows, as_json=as_json, human=human)


@official_app.command("proposals")
def official_proposals(
    as_: AsOpt,
    status: Annotated[str | None, typer.Option(help="pending, approved or rejected.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Proposals about accounts in the admin's jurisdiction, oldest first; approve one with
    `healthcode proposal approve ID --as ANOTHER_ADMIN`."""
    with acting_official(as_, as_json=as_json) as (c, admin):
        wanted = None if status is None else ProposalStatus(status)
        found = list_account_proposals(uow=c.uow(), principal=admin, status=wanted)
    show_proposals(found, about="username", as_json=as_json)


COMMANDS: CommandTable = (("official", official_app),)
