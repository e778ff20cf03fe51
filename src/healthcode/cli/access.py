"""`healthcode official|channel|proposal|override|release|audit|notify|demo`: identity, four
eyes, the access log and notifications, for operators.

The console is trusted with the database and the data key, so it acts as the operator. Commands
that need four eyes take ``--as USERNAME``: the official the operator acts for, whose role the
table checks and whose name is recorded; an official can never approve their own proposal,
from the console or anywhere else."""

from __future__ import annotations

import json
from datetime import UTC, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from healthcode.cli.context import acting_official, system
from healthcode.cli.options import AsOpt, AtOpt, JsonOpt, NoteOpt
from healthcode.cli.output import emit, refusals, refuse
from healthcode.domain.proposals import OVERRIDE_REASON_CATEGORIES, Proposal, ProposalStatus
from healthcode.services import proposals
from healthcode.services.audit import verify_access_log
from healthcode.services.channels import add_channel
from healthcode.services.officials import add_official

official_app = typer.Typer(help="Officials' accounts.", no_args_is_help=True)
channel_app = typer.Typer(help="Channels: partner apps and the city website.", no_args_is_help=True)
proposal_app = typer.Typer(help="Four eyes: list, approve, reject proposals.", no_args_is_help=True)
override_app = typer.Typer(help="Propose a manual colour (needs approval).", no_args_is_help=True)
release_app = typer.Typer(
    help="Propose a quarantine release (needs approval).", no_args_is_help=True
)
audit_app = typer.Typer(help="The access log.", no_args_is_help=True)


@official_app.command("add")
def official_add(
    username: Annotated[str, typer.Option(help="Login name.")],
    role: Annotated[str, typer.Option(help="official, supervisor, auditor or admin.")],
    jurisdiction: Annotated[str, typer.Option(help="GB/T 2260 code of their scope.")],
    district: Annotated[str | None, typer.Option(help="District within it.")] = None,
    password: Annotated[
        str,
        typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="Password."),
    ] = "",
    as_json: JsonOpt = False,
) -> None:
    """Create an official's account (bootstraps the first admin); prints the TOTP
    provisioning URI once — enrol it in an authenticator app now."""
    with refusals(as_json=as_json), system(as_json=as_json) as c:
        created = add_official(
            uow=c.uow(),
            clock=c.clock,
            principal=None,
            username=username,
            role=role,
            jurisdiction=jurisdiction,
            district=district,
            password=password,
        )
    emit(
        vars(created),
        as_json=as_json,
        human=lambda console: console.print(
            f"created {created.role} [bold]{created.username}[/] ({created.jurisdiction})\n"
            f"TOTP (shown once): {created.totp_uri}"
        ),
    )


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
    try:
        pem = public_key_file.read_text()
    except OSError as error:
        refuse(f"public_key_file: {error.strerror}", as_json=as_json)
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


def proposal_payload(p: Proposal) -> dict[str, Any]:
    return {
        "id": p.id,
        "action": p.kind,
        "subject": p.subject,
        "jurisdiction": p.jurisdiction,
        "payload": dict(p.payload),
        "reason": p.reason,
        "proposed_by": p.proposed_by,
        "proposed_at": p.proposed_at,
        "status": p.status.value,
        "decided_by": p.decided_by,
        "decided_at": p.decided_at,
        "decision_note": p.decision_note,
        "result": None if p.result is None else dict(p.result),
    }


def _show(p: Proposal, as_json: bool) -> None:
    emit(
        proposal_payload(p),
        as_json=as_json,
        human=lambda console: console.print(
            f"{p.kind} [bold]{p.id}[/] {p.status.value} "
            f"(proposed by {p.proposed_by}{', decided by ' + p.decided_by if p.decided_by else ''})"
        ),
    )


@proposal_app.command("list")
def proposal_list(
    as_: AsOpt,
    status: Annotated[str | None, typer.Option(help="pending, approved or rejected.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Proposals of the official's jurisdiction, oldest first."""
    with acting_official(as_, as_json=as_json) as (c, official):
        wanted = None if status is None else ProposalStatus(status)
        found = proposals.list_proposals(uow=c.uow(), principal=official, status=wanted)

    def human(console: Console) -> None:
        table = Table("id", "action", "subject", "status", "proposed by", "reason")
        for p in found:
            table.add_row(p.id, p.kind, p.subject or "", p.status.value, p.proposed_by, p.reason)
        console.print(table)

    emit([proposal_payload(p) for p in found], as_json=as_json, human=human)


@proposal_app.command("approve")
def proposal_approve(
    proposal_id: str,
    as_: AsOpt,
    note: NoteOpt = "",
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Approve and carry out a proposal (never your own)."""
    with acting_official(as_, at=at, as_json=as_json) as (c, official):
        decided = proposals.approve(
            uow=c.uow(), clock=c.clock, principal=official, proposal_id=proposal_id, note=note
        )
    _show(decided, as_json)


@proposal_app.command("reject")
def proposal_reject(
    proposal_id: str,
    as_: AsOpt,
    note: Annotated[str, typer.Option(help="Why it is rejected.")],
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Reject a proposal, saying why."""
    with acting_official(as_, at=at, as_json=as_json) as (c, official):
        decided = proposals.reject(
            uow=c.uow(), clock=c.clock, principal=official, proposal_id=proposal_id, note=note
        )
    _show(decided, as_json)


@override_app.command("propose")
def override_propose(
    subject: str,
    as_: AsOpt,
    colour: Annotated[str, typer.Option(help="green, yellow or red.")],
    reason_category: Annotated[
        str, typer.Option(help="A health reason: " + ", ".join(OVERRIDE_REASON_CATEGORIES))
    ],
    reason: Annotated[str, typer.Option(help="What happened, in words the citizen will see.")],
    expires: Annotated[
        str | None, typer.Option(help="When it expires (ISO 8601 with a zone).")
    ] = None,
    days: Annotated[float | None, typer.Option(help="Or: expires after this many days.")] = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Propose a manual colour; a supervisor other than you must approve it."""
    with acting_official(as_, at=at, as_json=as_json) as (c, official):
        expires_at = expires
        if expires_at is None and days is not None:
            expires_at = (c.clock.now() + timedelta(days=days)).astimezone(UTC).isoformat()
        proposal = proposals.propose(
            uow=c.uow(),
            clock=c.clock,
            principal=official,
            action="override_colour",
            payload={
                "subject": subject,
                "colour": colour,
                "reason_category": reason_category,
                "expires_at": expires_at,
            },
            reason=reason,
        )
    _show(proposal, as_json)


@release_app.command("propose")
def release_propose(
    subject: str,
    as_: AsOpt,
    reason: Annotated[str, typer.Option(help="Why the person is released.")],
    rule: Annotated[
        list[str] | None, typer.Option(help="A rule to release from (repeatable; none: all).")
    ] = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Propose releasing a person from quarantine; a supervisor other than you approves."""
    with acting_official(as_, at=at, as_json=as_json) as (c, official):
        proposal = proposals.propose(
            uow=c.uow(),
            clock=c.clock,
            principal=official,
            action="release_quarantine",
            payload={"subject": subject, "rules": list(rule or [])},
            reason=reason,
        )
    _show(proposal, as_json)


@audit_app.command("verify")
def audit_verify(as_json: JsonOpt = False) -> None:
    """Check the access log's hash chain; exits 1 naming the first record edited, inserted or
    removed."""
    with refusals(as_json=as_json), system(as_json=as_json) as c:
        result = verify_access_log(uow=c.uow())
    problem = result.problem
    payload = {
        "intact": result.intact,
        "records": result.records,
        "problem": None if problem is None else str(problem),
        "first_bad_record": None if problem is None else problem.seq,
        "kind": None if problem is None else problem.kind,
    }
    if problem is not None:
        if as_json:
            typer.echo(json.dumps(payload))
            raise typer.Exit(1)
        refuse(f"access log broken: {problem}", as_json=False)
    emit(
        payload,
        as_json=as_json,
        human=lambda console: console.print(f"access log intact: {result.records} records"),
    )
