"""`healthcode peer add|list|remove|proposals|sync`: the peer jurisdictions whose codes this
city accepts, their pinned roots and their trust lists (admins; adding and removing are
four-eyes proposals; docs/federation.md)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from healthcode.cli.context import acting_official, system
from healthcode.cli.exit_codes import ExitCode
from healthcode.cli.options import AsOpt, AtOpt, JsonOpt
from healthcode.cli.output import emit, refusals
from healthcode.cli.proposals import show_proposal, show_proposals
from healthcode.cli.table import CommandTable
from healthcode.federation.arrivals import issue_consent
from healthcode.federation.arrivals_destination import record_arrival, visitor_status
from healthcode.federation.arrivals_schemas import ConsentOut, VisitorOut
from healthcode.federation.commands.demo import federation_app
from healthcode.federation.model import NewPeer, parse_root_key
from healthcode.federation.peers import (
    list_peers,
    peer_proposals,
    propose_peer,
    propose_peer_removal,
)
from healthcode.federation.schemas import PeerOut, SyncOut
from healthcode.federation.sync import sync_peers
from healthcode.oversight.access import Principal, Role
from healthcode.oversight.model import Proposal, ProposalStatus

peer_app = typer.Typer(
    help="Peer jurisdictions: their pinned root keys and trust lists.", no_args_is_help=True
)

JurisdictionArg = Annotated[str, typer.Argument(help="The peer's GB/T 2260 code.")]


def _age(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h{rest // 60:02d}m"


def _when(moment: datetime | None) -> str:
    return "—" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%SZ")


def _peers_table(rows: list[PeerOut], console: Console) -> None:
    if not rows:
        console.print("no peers: add one with `healthcode peer add`")
        return
    table = Table("peer", "url", "root", "list", "list age", "last sync", "last error", "refusals")
    for p in rows:
        table.add_row(
            p.jurisdiction,
            p.url,
            p.root_kid,
            "—" if p.list_sequence is None else f"#{p.list_sequence}",
            _age(p.list_age_seconds) + (" STALE" if p.stale else ""),
            _when(p.last_attempt_at),
            "—" if p.last_error is None else f"{_when(p.last_error_at)} {p.last_error}",
            str(p.refusals),
        )
    console.print(table)


def _dump(row: PeerOut | SyncOut) -> dict[str, Any]:
    return row.model_dump(mode="json")


ReasonOpt = Annotated[str, typer.Option(help="Why: the approving admin reads it.")]


def _proposed(proposal: Proposal, *, as_json: bool) -> None:
    show_proposal(proposal, as_json=as_json)
    if not as_json:
        typer.echo(
            f"a second admin approves it: healthcode proposal approve {proposal.id} --as ADMIN"
        )


@peer_app.command("add")
def peer_add(
    as_: AsOpt,
    jurisdiction: Annotated[str, typer.Option(help="The peer's GB/T 2260 code.")],
    url: Annotated[str, typer.Option(help="Base URL of the peer's instance.")],
    root_key: Annotated[
        str, typer.Option(help="The peer's root public key (base64url or 64 hex digits).")
    ],
    reason: ReasonOpt,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Propose a peer, pinning its root key once a second admin approves (`healthcode proposal
    approve ID`); its own jurisdiction is refused (admins)."""
    with acting_official(as_, at=at, as_json=as_json) as (c, admin):
        proposal = propose_peer(
            uow=c.uow(),
            clock=c.clock,
            kinds=c.proposal_kinds,
            principal=admin,
            peer=NewPeer(jurisdiction, url, parse_root_key(root_key)),
            serving=c.settings.jurisdiction,
            reason=reason,
        )
    _proposed(proposal, as_json=as_json)


@peer_app.command("list")
def peer_list(as_: AsOpt, at: AtOpt = None, as_json: JsonOpt = False) -> None:
    """The peers: pinned root, list held and its age (stale by the policy's limit), last sync,
    last error and refusals counted (admins)."""
    with acting_official(as_, at=at, as_json=as_json) as (c, admin):
        now = c.clock.now()
        views = list_peers(
            uow=c.uow(), clock=c.clock, principal=admin, serving=c.settings.jurisdiction
        )
        rows = [PeerOut.of(v, now) for v in views]
    emit([_dump(r) for r in rows], as_json=as_json, human=lambda con: _peers_table(rows, con))


@peer_app.command("remove")
def peer_remove(
    jurisdiction: JurisdictionArg,
    as_: AsOpt,
    reason: ReasonOpt,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Propose removing a peer (admins): once a second admin approves, its codes are no longer
    accepted and its list is dropped."""
    with acting_official(as_, at=at, as_json=as_json) as (c, admin):
        proposal = propose_peer_removal(
            uow=c.uow(),
            clock=c.clock,
            kinds=c.proposal_kinds,
            principal=admin,
            jurisdiction=jurisdiction,
            reason=reason,
        )
    _proposed(proposal, as_json=as_json)


@peer_app.command("proposals")
def peer_proposals_command(
    as_: AsOpt,
    status: Annotated[str | None, typer.Option(help="pending, approved or rejected.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Proposals to add or remove peers, oldest first (admins); approve one with
    `healthcode proposal approve ID --as ANOTHER_ADMIN`."""
    with acting_official(as_, as_json=as_json) as (c, admin):
        wanted = None if status is None else ProposalStatus(status)
        found = peer_proposals(uow=c.uow(), principal=admin, status=wanted)
    show_proposals(found, about="jurisdiction", as_json=as_json)


@peer_app.command("sync")
def peer_sync(
    as_: AsOpt,
    jurisdiction: Annotated[
        str | None, typer.Argument(help="Only this peer (default: every peer).")
    ] = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Fetch the peers' trust lists now (admins). Exit 1 when a list was refused or a peer
    did not answer (its last good list is kept)."""
    with acting_official(as_, at=at, as_json=as_json) as (c, admin):
        fetcher = c.peer_fetcher()
        try:
            results = sync_peers(
                uow_factory=c.uow,
                clock=c.clock,
                principal=admin,
                fetcher=fetcher,
                clock_skew=c.settings.clock_skew,
                only=jurisdiction,
            )
        finally:
            fetcher.close()
    rows = [SyncOut.of(r) for r in results]

    def human(console: Console) -> None:
        for r in rows:
            held = "no list held" if r.sequence is None else f"holding #{r.sequence}"
            console.print(f"{r.jurisdiction}: {r.outcome} ({held}) {r.message}".rstrip())

    emit([_dump(r) for r in rows], as_json=as_json, human=human)
    if any(r.outcome.refused for r in results):
        raise typer.Exit(ExitCode.STOP)  # a check that found problems


arrival_app = typer.Typer(
    help="Arrivals with consent: a resident's consent token, a visitor's arrival recorded.",
    no_args_is_help=True,
)


@arrival_app.command("consent")
def arrival_consent(
    subject: Annotated[str, typer.Argument(help="The resident giving consent.")],
    destination: Annotated[str, typer.Option(help="The destination (a peer's GB/T 2260 code).")],
    minutes: Annotated[int, typer.Option(min=1, max=1440, help="Lifetime.")] = 30,
    as_json: JsonOpt = False,
) -> None:
    """A resident's consent token for the city they arrive in (the operator at the console
    acting for the resident, as `declare travel` does): print it, to show as a QR code."""
    with refusals(as_json=as_json), system(as_json=as_json) as c:
        citizen = Principal(role=Role.CITIZEN, id=subject, channel="console")
        issued = issue_consent(
            uow=c.uow(),
            clock=c.clock,
            private_keys=c.private_keys,
            principal=citizen,
            destination=destination,
            serving=c.settings.jurisdiction,
            lifetime=timedelta(minutes=minutes),
        )
    row = ConsentOut.of(issued).model_dump(mode="json", exclude={"qr_svg"})
    emit(row, as_json=as_json, human=lambda con: con.print(issued.token))


def _visitor_text(v: VisitorOut, console: Console) -> None:
    status = v.status
    console.print(f"visitor {v.subject} of {v.issuer}: {status.colour} here")
    for r in status.reasons:
        console.print(f"  {r.rule}: {r.text}")
    for a in v.arrivals:
        areas = "" if a.origin_risk_area is None else f", risk areas there: {a.origin_risk_area}"
        console.print(f"  arrived {_when(a.at)}, {a.origin_colour} at home{areas}")


@arrival_app.command("record")
def arrival_record(
    token: Annotated[str, typer.Argument(help="The visitor's consent token (HZC1:...).")],
    as_: AsOpt,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a visitor's arrival (officials): the home city is asked for the colour and
    reasons; this city's policy decides the colour here. Nothing is recorded if it is down."""
    with acting_official(as_, at=at, as_json=as_json) as (c, official):
        link = c.peer_link()
        try:
            found = record_arrival(
                uow_factory=c.uow,
                clock=c.clock,
                principal=official,
                private_keys=c.private_keys,
                token=token,
                link=link,
                serving=c.settings.jurisdiction,
            )
        finally:
            link.close()
    row = VisitorOut.of(found, "en")
    emit(row.model_dump(mode="json"), as_json=as_json, human=lambda con: _visitor_text(row, con))


@arrival_app.command("show")
def arrival_show(
    issuer: Annotated[str, typer.Argument(help="The visitor's home jurisdiction.")],
    subject: Annotated[str, typer.Argument(help="The visitor's opaque subject there.")],
    as_: AsOpt,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A visitor's arrivals and colour here (officials; the read is in the access log)."""
    with acting_official(as_, at=at, as_json=as_json) as (c, official):
        found = visitor_status(
            uow=c.uow(),
            clock=c.clock,
            principal=official,
            issuer=issuer,
            subject=subject,
            serving=c.settings.jurisdiction,
        )
    row = VisitorOut.of(found, "en")
    emit(row.model_dump(mode="json"), as_json=as_json, human=lambda con: _visitor_text(row, con))


COMMANDS: CommandTable = (
    ("peer", peer_app),
    ("arrival", arrival_app),
    ("federation", federation_app),
)
