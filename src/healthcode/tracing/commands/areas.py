"""`healthcode risk-area|quarantine`: risk areas and quarantine orders, each change by four eyes."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from healthcode.cli.context import acting_official, system
from healthcode.cli.options import AsOpt, AtOpt, JsonOpt, NoteOpt
from healthcode.cli.output import emit, parse_at, parse_time, refusals
from healthcode.cli.proposals import show_proposal
from healthcode.oversight import proposals
from healthcode.oversight.model import ProposalKind
from healthcode.tracing.quarantine import list_quarantines, propose_release
from healthcode.tracing.risk_areas import list_risk_areas

TimeOpt = Annotated[str | None, typer.Option(help="ISO 8601 time with a zone.")]


risk_area_app = typer.Typer(help="Risk areas (four eyes).", no_args_is_help=True)


quarantine_app = typer.Typer(help="Quarantine orders.", no_args_is_help=True)


@risk_area_app.command("propose")
def risk_area_propose(
    as_: AsOpt,
    name: Annotated[str, typer.Option(help="What the area is called.")],
    level: Annotated[str, typer.Option(help="low, medium or high.")],
    starts_at: Annotated[str, typer.Option("--from", help="Start (ISO 8601 with a zone).")],
    ends_at: Annotated[str, typer.Option("--until", help="End (ISO 8601 with a zone).")],
    reason: Annotated[str, typer.Option(help="Why.")],
    cell: Annotated[list[str] | None, typer.Option(help="An H3 cell (repeatable).")] = None,
    venue: Annotated[
        list[str] | None, typer.Option(help="A venue id, or one trip LINE:VEHICLE (repeatable).")
    ] = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Propose a risk area; a different official approves it (`risk-area approve`)."""
    starts = parse_time(starts_at, field="from", as_json=as_json)
    ends = parse_time(ends_at, field="until", as_json=as_json)
    payload = {
        "name": name,
        "level": level,
        "cells": list(cell or []),
        "venues": list(venue or []),
        "starts_at": starts.isoformat(),
        "ends_at": ends.isoformat(),
    }
    with acting_official(as_, at=at, as_json=as_json) as (c, official):
        proposal = proposals.propose(
            uow=c.uow(),
            clock=c.clock,
            kinds=c.proposal_kinds,
            principal=official,
            action=ProposalKind.DECLARE_RISK_AREA.value,
            payload=payload,
            reason=reason,
        )
    show_proposal(proposal, as_json=as_json, what="proposed risk area")


@risk_area_app.command("approve")
def risk_area_approve(
    proposal_id: str,
    as_: AsOpt,
    note: NoteOpt = "",
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Approve a proposed risk area or its end (never your own); presences in an area become
    exposures."""
    with acting_official(as_, at=at, as_json=as_json) as (c, official):
        decided = proposals.approve(
            uow=c.uow(),
            clock=c.clock,
            kinds=c.proposal_kinds,
            principal=official,
            proposal_id=proposal_id,
            note=note,
        )
    show_proposal(decided, as_json=as_json, what="approved risk area")


@risk_area_app.command("end")
def risk_area_end(
    area_id: str,
    as_: AsOpt,
    reason: Annotated[str, typer.Option(help="Why it ends before its planned end.")],
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Propose ending a risk area now; a different official approves it (`risk-area approve`)."""
    with acting_official(as_, at=at, as_json=as_json) as (c, official):
        proposal = proposals.propose(
            uow=c.uow(),
            clock=c.clock,
            kinds=c.proposal_kinds,
            principal=official,
            action=ProposalKind.END_RISK_AREA.value,
            payload={"risk_area": area_id},
            reason=reason,
        )
    show_proposal(proposal, as_json=as_json, what="proposed end of risk area")


@risk_area_app.command("list")
def risk_area_list(
    include_past: Annotated[bool, typer.Option("--all", help="Also areas that are over.")] = False,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The published risk areas of this jurisdiction (those not over at --at, default now)."""
    with refusals(as_json=as_json), system(at=parse_at(at, as_json=as_json), as_json=as_json) as c:
        areas = list_risk_areas(
            uow=c.uow(),
            clock=c.clock,
            jurisdiction=c.settings.jurisdiction,
            active_only=not include_past,
        )
    payload = [
        {
            "id": a.id,
            "name": a.name,
            "level": a.level,
            "cells": list(a.cells),
            "venues": list(a.venues),
            "starts_at": a.starts_at,
            "ends_at": a.ends_at,
        }
        for a in areas
    ]

    def human(console: Console) -> None:
        table = Table("id", "name", "level", "places", "from", "until")
        for a in areas:
            table.add_row(
                a.id,
                a.name,
                a.level,
                str(len(a.cells) + len(a.venues)),
                a.starts_at.isoformat(),
                a.ends_at.isoformat(),
            )
        console.print(table)

    emit(payload, as_json=as_json, human=human)


@quarantine_app.command("list")
def quarantine_list(as_: AsOpt, at: AtOpt = None, as_json: JsonOpt = False) -> None:
    """Quarantine orders in force or planned in the official's jurisdiction."""
    with acting_official(as_, at=at, as_json=as_json) as (c, official):
        views = list_quarantines(uow=c.uow(), clock=c.clock, principal=official)
    payload = [
        {
            "order_id": v.order.order_id,
            "subject": v.order.subject,
            "setting": v.order.setting,
            "state": v.state,
            "starts_at": v.order.at,
            "planned_end": v.order.planned_end,
            "reason": v.order.reason,
        }
        for v in views
    ]

    def human(console: Console) -> None:
        table = Table("subject", "setting", "state", "from", "until", "reason")
        for v in views:
            o = v.order
            table.add_row(
                o.subject, o.setting, v.state, o.at.isoformat(), o.planned_end.isoformat(), o.reason
            )
        console.print(table)

    emit(payload, as_json=as_json, human=human)


@quarantine_app.command("release")
def quarantine_release(
    subject: str,
    as_: AsOpt,
    reason: Annotated[str, typer.Option(help="Why the person is released.")],
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Propose releasing a person from quarantine; a different official approves it
    (`proposal approve`)."""
    with acting_official(as_, at=at, as_json=as_json) as (c, official):
        proposal = propose_release(
            uow=c.uow(),
            clock=c.clock,
            kinds=c.proposal_kinds,
            principal=official,
            subject=subject,
            reason=reason,
        )
    show_proposal(proposal, as_json=as_json, what="proposed release")
