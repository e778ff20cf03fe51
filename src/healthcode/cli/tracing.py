"""`healthcode case|trace|risk-area|quarantine|worker`: cases by four eyes, tracing previews,
risk areas, quarantine orders and the background worker, for operators and scenarios.

Officials act with ``--as USERNAME`` (their role is checked and their name recorded); every
command that records something takes ``--at`` to play a scenario at chosen times."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from healthcode.adapters.webhooks import HttpWebhookSender
from healthcode.cli.access import proposal_payload
from healthcode.cli.context import acting_official, system
from healthcode.cli.options import AsOpt, AtOpt, JsonOpt, NoteOpt
from healthcode.cli.output import emit, parse_at, refusals, refuse
from healthcode.domain.cases import CaseState
from healthcode.domain.errors import InvalidInput
from healthcode.domain.proposals import Proposal, ProposalKind, ProposalStatus
from healthcode.services import cases, proposals
from healthcode.services.cases import CaseView
from healthcode.services.quarantine import list_quarantines, propose_release
from healthcode.services.risk_areas import list_risk_areas
from healthcode.services.worker import PassReport, Worker

TimeOpt = Annotated[str | None, typer.Option(help="ISO 8601 time with a zone.")]

case_app = typer.Typer(
    help="Cases: report, confirm, correct, withdraw (each by four eyes).", no_args_is_help=True
)
trace_app = typer.Typer(help="Contact tracing.", no_args_is_help=True)
risk_area_app = typer.Typer(help="Risk areas (four eyes).", no_args_is_help=True)
quarantine_app = typer.Typer(help="Quarantine orders.", no_args_is_help=True)


def _time(value: str | None, field: str, *, as_json: bool) -> str | None:
    """An ISO 8601 time with a zone, or a refusal naming the option."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        refuse(InvalidInput.one(field, f"{value!r} is not an ISO 8601 time"), as_json=as_json)
    if parsed.tzinfo is None:
        refuse(InvalidInput.one(field, "must include a time zone"), as_json=as_json)
    return parsed.isoformat()


def case_payload(view: CaseView) -> dict[str, Any]:
    r, d = view.record, view.record.details
    pending, withdrawal, waiting = view.pending, view.withdrawal, view.pending_withdrawal
    return {
        "case_id": r.case_id,
        "subject": d.subject,
        "state": view.state.value,
        "version": r.version,
        **d.payload(),
        "reported_by": r.reported_by,
        "reported_at": r.reported_at,
        "confirmed_by": r.confirmed_by,
        "confirmed_at": r.confirmed_at,
        "withdrawn_by": r.withdrawn_by,
        "withdrawn_at": r.withdrawn_at,
        "withdrawal_reason": r.withdrawal_reason,
        "withdrawal_proposed_by": None if withdrawal is None else withdrawal.proposed_by,
        "traced_at": r.traced_at,
        "trace_counts": dict(r.trace_counts),
        "exposures": r.exposures,
        "pending_proposal": None if pending is None else pending.id,
        "pending_withdrawal": None if waiting is None else waiting.id,
    }


def _show_proposal(p: Proposal, as_json: bool, what: str) -> None:
    emit(
        proposal_payload(p),
        as_json=as_json,
        human=lambda console: console.print(
            f"{what} [bold]{p.payload.get('case_id') or p.id}[/] {p.status.value}"
            f" (proposal {p.id}, by {p.proposed_by}"
            f"{', decided by ' + p.decided_by if p.decided_by else ''})"
        ),
    )


@case_app.command("report")
def case_report(
    subject: str,
    as_: AsOpt,
    sampled_at: Annotated[str, typer.Option(help="When the positive sample was taken.")],
    test_ref: Annotated[str, typer.Option(help="The lab's test number.")],
    onset_at: TimeOpt = None,
    asymptomatic: Annotated[bool, typer.Option(help="No symptoms (no onset).")] = False,
    isolated_at: TimeOpt = None,
    reason: Annotated[str, typer.Option(help="Kept with the report.")] = "case reported",
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Report a case; a different official confirms it (`case confirm`)."""
    details = {
        "subject": subject,
        "sampled_at": _time(sampled_at, "sampled_at", as_json=as_json),
        "onset_at": _time(onset_at, "onset_at", as_json=as_json),
        "asymptomatic": asymptomatic,
        "test_reference": test_ref,
        "isolated_at": _time(isolated_at, "isolated_at", as_json=as_json),
    }
    with acting_official(as_, at=at, as_json=as_json) as (c, official):
        proposal = cases.report_case(
            uow=c.uow(), clock=c.clock, principal=official, details=details, reason=reason
        )
    _show_proposal(proposal, as_json, "reported case")


@case_app.command("confirm")
def case_confirm(
    case_id: str,
    as_: AsOpt,
    note: NoteOpt = "",
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Confirm a reported case (or its pending correction); never your own report."""
    with acting_official(as_, at=at, as_json=as_json) as (c, official):
        decided = cases.confirm_case(
            uow=c.uow(), clock=c.clock, principal=official, case_id=case_id, note=note
        )
    _show_proposal(decided, as_json, "confirmed case")


@case_app.command("correct")
def case_correct(
    case_id: str,
    as_: AsOpt,
    reason: Annotated[str, typer.Option(help="Why the case is corrected.")],
    sampled_at: TimeOpt = None,
    onset_at: TimeOpt = None,
    isolated_at: TimeOpt = None,
    test_ref: Annotated[str | None, typer.Option(help="The lab's test number.")] = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Propose corrected details of a confirmed case; a different official confirms them."""
    details: dict[str, Any] = {}
    for key, value in (
        ("sampled_at", sampled_at),
        ("onset_at", onset_at),
        ("isolated_at", isolated_at),
    ):
        if value is not None:
            details[key] = _time(value, key, as_json=as_json)
    if test_ref is not None:
        details["test_reference"] = test_ref
    with acting_official(as_, at=at, as_json=as_json) as (c, official):
        proposal = cases.correct_case(
            uow=c.uow(),
            clock=c.clock,
            principal=official,
            case_id=case_id,
            details=details,
            reason=reason,
        )
    _show_proposal(proposal, as_json, "correction of case")


@case_app.command("withdraw")
def case_withdraw(
    case_id: str,
    as_: AsOpt,
    reason: Annotated[str, typer.Option(help="Why the case is withdrawn.")],
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Propose withdrawing a confirmed case (four eyes: a different official approves with
    `case approve-withdrawal`); a pending report is rejected at once (a supervisor)."""
    with acting_official(as_, at=at, as_json=as_json) as (c, official):
        proposal = cases.withdraw_case(
            uow=c.uow(), clock=c.clock, principal=official, case_id=case_id, reason=reason
        )
    pending = proposal.status is ProposalStatus.PENDING
    _show_proposal(proposal, as_json, "withdrawal proposed for case" if pending else "report")


@case_app.command("approve-withdrawal")
def case_approve_withdrawal(
    case_id: str,
    as_: AsOpt,
    note: NoteOpt = "",
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Approve the proposed withdrawal of a case (never your own proposal): every exposure and
    order that followed from it is undone."""
    with acting_official(as_, at=at, as_json=as_json) as (c, official):
        decided = cases.approve_withdrawal(
            uow=c.uow(), clock=c.clock, principal=official, case_id=case_id, note=note
        )
    _show_proposal(decided, as_json, "withdrawn case")


@case_app.command("list")
def case_list(
    as_: AsOpt,
    state: Annotated[
        str | None, typer.Option(help="reported, confirmed, withdrawn or rejected.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Cases of the official's jurisdiction, oldest report first."""
    with acting_official(as_, as_json=as_json) as (c, official):
        wanted = None if state is None else CaseState(state)
        found = cases.list_cases(uow=c.uow(), principal=official, state=wanted)

    def human(console: Console) -> None:
        table = Table("case", "subject", "state", "reported", "confirmed", "traced")
        for v in found:
            r = v.record
            counts = ", ".join(f"{k} {n}" for k, n in r.trace_counts.items())
            table.add_row(
                r.case_id,
                r.subject,
                v.state.value,
                f"{r.reported_at:%Y-%m-%d %H:%M} {r.reported_by}",
                r.confirmed_by or "",
                counts,
            )
        console.print(table)

    emit([case_payload(v) for v in found], as_json=as_json, human=human)


@case_app.command("show")
def case_show(case_id: str, as_: AsOpt, as_json: JsonOpt = False) -> None:
    """One case: details, state, who reported and confirmed it, what tracing found."""
    with acting_official(as_, as_json=as_json) as (c, official):
        view = cases.get_case(uow=c.uow(), principal=official, case_id=case_id)
    payload = case_payload(view)
    emit(
        payload,
        as_json=as_json,
        human=lambda console: console.print(
            "\n".join(f"{k}: {v}" for k, v in payload.items() if v not in (None, "", {}))
        ),
    )


@trace_app.command("preview")
def trace_preview(case_id: str, as_: AsOpt, at: AtOpt = None, as_json: JsonOpt = False) -> None:
    """How many people each rule would flag for the case (nothing is recorded)."""
    with acting_official(as_, at=at, as_json=as_json) as (c, official):
        preview = cases.preview_case(
            uow=c.uow(), clock=c.clock, principal=official, case_id=case_id
        )

    def human(console: Console) -> None:
        window = preview["window"]
        console.print(
            f"case {case_id} ({preview['state']}): infectious window "
            f"{window['start']} – {window['end']}"
        )
        table = Table("rule", "people")
        for rule, n in preview["by_rule"].items():
            table.add_row(rule, str(n))
        console.print(table)
        console.print(
            f"{preview['people']} people, {preview['exposures']} exposures, "
            f"{preview['quarantine_orders']} quarantine orders"
        )

    emit(preview, as_json=as_json, human=human)


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
    payload = {
        "name": name,
        "level": level,
        "cells": list(cell or []),
        "venues": list(venue or []),
        "starts_at": _time(starts_at, "from", as_json=as_json),
        "ends_at": _time(ends_at, "until", as_json=as_json),
    }
    with acting_official(as_, at=at, as_json=as_json) as (c, official):
        proposal = proposals.propose(
            uow=c.uow(),
            clock=c.clock,
            principal=official,
            action=ProposalKind.DECLARE_RISK_AREA.value,
            payload=payload,
            reason=reason,
        )
    _show_proposal(proposal, as_json, "proposed risk area")


@risk_area_app.command("approve")
def risk_area_approve(
    proposal_id: str,
    as_: AsOpt,
    note: NoteOpt = "",
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Approve a proposed risk area (never your own); presences there become exposures."""
    with acting_official(as_, at=at, as_json=as_json) as (c, official):
        decided = proposals.approve(
            uow=c.uow(), clock=c.clock, principal=official, proposal_id=proposal_id, note=note
        )
    _show_proposal(decided, as_json, "approved risk area")


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
            uow=c.uow(), clock=c.clock, principal=official, subject=subject, reason=reason
        )
    _show_proposal(proposal, as_json, "proposed release")


def _add(total: PassReport, one: PassReport) -> None:
    total.jobs_done += one.jobs_done
    total.jobs_failed += one.jobs_failed
    total.jobs_retried += one.jobs_retried
    total.statuses_refreshed += one.statuses_refreshed
    total.delivery.delivered += one.delivery.delivered
    total.delivery.retried += one.delivery.retried
    total.delivery.parked += one.delivery.parked


def worker(
    once: Annotated[bool, typer.Option("--once", help="One pass, then exit.")] = False,
    interval: Annotated[float, typer.Option(help="Seconds to wait after an idle pass.")] = 1.0,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run background work: tracing and risk-area jobs, statuses that change with time (a
    quarantine ending), webhook delivery. Restart-safe; several workers may run on PostgreSQL."""
    sender = HttpWebhookSender()
    total = PassReport()
    try:
        with (
            refusals(as_json=as_json),
            system(at=parse_at(at, as_json=as_json), as_json=as_json) as c,
        ):
            runner = Worker(uow_factory=c.uow, clock=c.clock, sender=sender)
            while True:
                report = runner.run_once()
                _add(total, report)
                if once:
                    break
                if not report.busy:
                    time.sleep(interval)
    except KeyboardInterrupt:  # pragma: no cover - interactive
        pass
    finally:
        sender.close()
    payload = {
        "jobs_done": total.jobs_done,
        "jobs_failed": total.jobs_failed,
        "jobs_retried": total.jobs_retried,
        "statuses_refreshed": total.statuses_refreshed,
        "delivered": total.delivery.delivered,
        "retried": total.delivery.retried,
        "parked": total.delivery.parked,
    }
    emit(
        payload,
        as_json=as_json,
        human=lambda console: console.print(
            f"jobs done {total.jobs_done}, failed {total.jobs_failed}, retried "
            f"{total.jobs_retried}; statuses refreshed {total.statuses_refreshed}; webhooks "
            f"delivered {total.delivery.delivered}, retried {total.delivery.retried}, parked "
            f"{total.delivery.parked}"
        ),
    )
