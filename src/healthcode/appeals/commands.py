"""`healthcode appeal list|show|uphold|correct`: officials answer citizens' appeals. Upholding
is one official's answer; `correct` proposes an ``answer_appeal`` correction that another
official approves with `healthcode proposal approve`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from healthcode.appeals import decisions, queue
from healthcode.appeals.kinds import ANSWER_APPEAL
from healthcode.appeals.model import Appeal
from healthcode.cli.context import acting_official
from healthcode.cli.options import AsOpt, AtOpt, JsonOpt
from healthcode.cli.output import emit
from healthcode.cli.proposals import show_proposal
from healthcode.cli.table import CommandTable
from healthcode.oversight import proposals
from healthcode.oversight.model import OVERRIDE_REASON_CATEGORIES

appeal_app = typer.Typer(
    help="Citizens' appeals: the queue, upholding, correcting.", no_args_is_help=True
)


def appeal_payload(a: Appeal, now: datetime) -> dict[str, Any]:
    turnaround = a.turnaround
    return {
        "id": a.id,
        "subject": a.subject,
        "colour": a.colour.value,
        "reason": a.reason,
        "evidence": a.evidence,
        "filed_at": a.filed_at,
        "due_at": a.due_at,
        "overdue": a.overdue(now),
        "state": a.state.value,
        "decided_at": a.decided_at,
        "decided_by": a.decided_by,
        "decision": a.decision,
        "correction": None if a.correction is None else a.correction.value,
        "proposal_id": a.proposal_id,
        "turnaround_seconds": None if turnaround is None else turnaround.total_seconds(),
    }


def _show(appeal: Appeal, now: datetime, *, as_json: bool) -> None:
    def human(console: Console) -> None:
        late = " [bold red]OVERDUE[/]" if appeal.overdue(now) else ""
        console.print(
            f"appeal [bold]{appeal.id}[/] {appeal.state.value}{late}: {appeal.subject} "
            f"({appeal.colour.value}), due {appeal.due_at.isoformat()}"
        )
        console.print(f"reason: {appeal.reason}", soft_wrap=True, markup=False)
        if appeal.evidence:
            console.print(f"evidence: {appeal.evidence}", markup=False)
        if appeal.decided_at is not None:
            console.print(
                f"decided by {appeal.decided_by} at {appeal.decided_at.isoformat()}: "
                f"{appeal.decision}",
                soft_wrap=True,
                markup=False,
            )

    emit(appeal_payload(appeal, now), as_json=as_json, human=human)


@appeal_app.command("list")
def appeal_list(
    as_: AsOpt,
    include_decided: Annotated[
        bool, typer.Option("--all", help="Answered appeals too, not only open ones.")
    ] = False,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The queue of your jurisdiction (and district), soonest deadline first."""
    with acting_official(as_, at=at, as_json=as_json) as (c, official):
        now = c.clock.now()
        found = queue.appeal_queue(
            uow=c.uow(), clock=c.clock, principal=official, open_only=not include_decided
        )

    def human(console: Console) -> None:
        table = Table("id", "subject", "colour", "due", "state", "reason")
        for a in found:
            due = a.due_at.isoformat() + (" OVERDUE" if a.overdue(now) else "")
            table.add_row(a.id, a.subject, a.colour.value, due, a.state.value, a.reason)
        console.print(table)

    emit([appeal_payload(a, now) for a in found], as_json=as_json, human=human)


@appeal_app.command("show")
def appeal_show(appeal_id: str, as_: AsOpt, at: AtOpt = None, as_json: JsonOpt = False) -> None:
    """One appeal and its answer."""
    with acting_official(as_, at=at, as_json=as_json) as (c, official):
        appeal = queue.get_appeal(
            uow=c.uow(), clock=c.clock, principal=official, appeal_id=appeal_id
        )
        now = c.clock.now()
    _show(appeal, now, as_json=as_json)


@appeal_app.command("uphold")
def appeal_uphold(
    appeal_id: str,
    as_: AsOpt,
    reason: Annotated[str, typer.Option(help="Why the colour stands (the citizen reads it).")],
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Answer that the colour stands, saying why."""
    with acting_official(as_, at=at, as_json=as_json) as (c, official):
        appeal = decisions.uphold_appeal(
            uow=c.uow(), clock=c.clock, principal=official, appeal_id=appeal_id, reason=reason
        )
        now = c.clock.now()
    _show(appeal, now, as_json=as_json)


@appeal_app.command("correct")
def appeal_correct(
    appeal_id: str,
    as_: AsOpt,
    reason: Annotated[str, typer.Option(help="What was wrong (the citizen reads it).")],
    release: Annotated[
        list[str] | None,
        typer.Option(help="Release from this rule (repeatable); with --release-all, every rule."),
    ] = None,
    release_all: Annotated[bool, typer.Option(help="Release from every rule.")] = False,
    retract: Annotated[str | None, typer.Option(help="Take back this wrong fact (its id).")] = None,
    colour: Annotated[
        str | None,
        typer.Option(
            help="Or a manual colour, with --reason-category ("
            + ", ".join(OVERRIDE_REASON_CATEGORIES)
            + ") and --days."
        ),
    ] = None,
    reason_category: Annotated[
        str | None, typer.Option(help="The override's health reason.")
    ] = None,
    days: Annotated[float, typer.Option(help="The override expires after this many days.")] = 1.0,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Propose correcting the appeal; another official approves (`healthcode proposal approve`)."""
    with acting_official(as_, at=at, as_json=as_json) as (c, official):
        payload: dict[str, Any] = {"appeal": appeal_id}
        if retract is not None:
            payload |= {"correction": "retract", "fact": retract}
        elif colour is not None:
            expires = (c.clock.now() + timedelta(days=days)).astimezone(UTC).isoformat()
            payload |= {
                "correction": "override",
                "colour": colour,
                "reason_category": reason_category,
                "expires_at": expires,
            }
        elif release or release_all:
            payload |= {"correction": "release", "rules": list(release or [])}
        proposal = proposals.propose(
            uow=c.uow(),
            clock=c.clock,
            kinds=c.proposal_kinds,
            principal=official,
            action=ANSWER_APPEAL,
            payload=payload,
            reason=reason,
        )
    show_proposal(proposal, as_json=as_json)


COMMANDS: CommandTable = (("appeal", appeal_app),)
