"""`healthcode case|trace`: cases by four eyes and tracing previews. Officials act with ``--as
USERNAME`` (their role is checked and their name recorded); every command that records something
takes ``--at`` to play a scenario at chosen times."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from healthcode.cli.context import acting_official
from healthcode.cli.options import AsOpt, AtOpt, JsonOpt, NoteOpt
from healthcode.cli.output import emit, parse_time
from healthcode.cli.proposals import show_proposal
from healthcode.kernel.budget import TimeBudget
from healthcode.oversight.model import ProposalStatus
from healthcode.tracing import cases
from healthcode.tracing.cases import CaseView
from healthcode.tracing.model.cases import CaseCorrection, CaseReport, CaseState
from healthcode.tracing.schemas import PreviewOut
from healthcode.tracing.unmask import reveal_phone

TimeOpt = Annotated[str | None, typer.Option(help="ISO 8601 time with a zone.")]


case_app = typer.Typer(
    help="Cases: report, confirm, correct, withdraw (each by four eyes).", no_args_is_help=True
)


trace_app = typer.Typer(help="Contact tracing.", no_args_is_help=True)


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
    sampled = parse_time(sampled_at, field="sampled_at", as_json=as_json)
    report = CaseReport(
        subject=subject,
        sampled_at=sampled,
        onset_at=parse_time(onset_at, field="onset_at", as_json=as_json),
        asymptomatic=asymptomatic,
        test_reference=test_ref,
        isolated_at=parse_time(isolated_at, field="isolated_at", as_json=as_json),
    )
    with acting_official(as_, at=at, as_json=as_json) as (c, official):
        proposal = cases.report_case(
            uow=c.uow(),
            clock=c.clock,
            kinds=c.proposal_kinds,
            principal=official,
            report=report,
            reason=reason,
        )
    show_proposal(proposal, as_json=as_json, what="reported case")


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
            uow=c.uow(),
            clock=c.clock,
            kinds=c.proposal_kinds,
            principal=official,
            case_id=case_id,
            note=note,
        )
    show_proposal(decided, as_json=as_json, what="confirmed case")


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
    correction = CaseCorrection(
        sampled_at=parse_time(sampled_at, field="sampled_at", as_json=as_json),
        onset_at=parse_time(onset_at, field="onset_at", as_json=as_json),
        isolated_at=parse_time(isolated_at, field="isolated_at", as_json=as_json),
        test_reference=test_ref,
    )
    with acting_official(as_, at=at, as_json=as_json) as (c, official):
        proposal = cases.correct_case(
            uow=c.uow(),
            clock=c.clock,
            kinds=c.proposal_kinds,
            principal=official,
            case_id=case_id,
            correction=correction,
            reason=reason,
        )
    show_proposal(proposal, as_json=as_json, what="correction of case")


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
            uow=c.uow(),
            clock=c.clock,
            kinds=c.proposal_kinds,
            principal=official,
            case_id=case_id,
            reason=reason,
        )
    pending = proposal.status is ProposalStatus.PENDING
    show_proposal(
        proposal, as_json=as_json, what="withdrawal proposed for case" if pending else "report"
    )


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
            uow=c.uow(),
            clock=c.clock,
            kinds=c.proposal_kinds,
            principal=official,
            case_id=case_id,
            note=note,
        )
    show_proposal(decided, as_json=as_json, what="withdrawn case")


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
        found = cases.list_cases(uow=c.uow(), clock=c.clock, principal=official, state=wanted)

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
        view = cases.get_case(uow=c.uow(), clock=c.clock, principal=official, case_id=case_id)
    payload = case_payload(view)
    emit(
        payload,
        as_json=as_json,
        human=lambda console: console.print(
            "\n".join(f"{k}: {v}" for k, v in payload.items() if v not in (None, "", {}))
        ),
    )


@trace_app.command("reveal-phone")
def trace_reveal_phone(
    case_id: str,
    subject: str,
    as_: AsOpt,
    purpose: Annotated[str, typer.Option(help="Why you need the number (the contact sees it).")],
    as_json: JsonOpt = False,
) -> None:
    """A contact's phone number in clear, for a stated purpose: only for a person the case's
    tracing touched; written to the access log the contact sees."""
    with acting_official(as_, as_json=as_json) as (c, official):
        revealed = reveal_phone(
            uow=c.uow(),
            clock=c.clock,
            principal=official,
            case_id=case_id,
            subject=subject,
            purpose=purpose,
        )
    emit(
        vars(revealed),
        as_json=as_json,
        human=lambda console: console.print(f"{revealed.subject}: {revealed.phone}"),
    )


@trace_app.command("preview")
def trace_preview(case_id: str, as_: AsOpt, at: AtOpt = None, as_json: JsonOpt = False) -> None:
    """How many people each rule would flag for the case (nothing is recorded)."""
    with acting_official(as_, at=at, as_json=as_json) as (c, official):
        preview = cases.preview_case(
            uow=c.uow(),
            clock=c.clock,
            principal=official,
            case_id=case_id,
            budget=TimeBudget(c.settings.preview_budget_seconds),
        )

    def human(console: Console) -> None:
        window = preview.window
        console.print(
            f"case {case_id} ({preview.state.value}): infectious window "
            f"{window.start.isoformat()} – {window.end.isoformat()}"
        )
        table = Table("rule", "people")
        for rule, n in preview.by_rule.items():
            table.add_row(rule, str(n))
        console.print(table)
        console.print(
            f"{preview.people} people, {preview.exposures} exposures, "
            f"{preview.quarantine_orders} quarantine orders"
        )

    emit(PreviewOut.model_validate(preview).model_dump(mode="json"), as_json=as_json, human=human)
