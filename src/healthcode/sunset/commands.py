"""`healthcode sunset`: end the emergency (an admin proposes; another admin and an auditor
approve), activate a retired instance again (two admins), and show the instance's state with
the final transparency report kept at the purge (docs/sunset.md)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from healthcode.cli.context import acting_official, system
from healthcode.cli.options import AsOpt, AtOpt, JsonOpt, NoteOpt
from healthcode.cli.output import emit, parse_at, refusals
from healthcode.cli.proposals import propose_at_console, show_proposal
from healthcode.cli.table import CommandTable
from healthcode.oversight import proposals
from healthcode.oversight.kinds import ProposalKinds
from healthcode.sunset.kinds import DEFAULT_GRACE_DAYS, REACTIVATE, SUNSET, SUNSET_HANDLERS
from healthcode.sunset.purge import instance_state

sunset_app = typer.Typer(
    help="The sunset: end the emergency, purge personal data, activate again.",
    no_args_is_help=True,
)

ReasonOpt = Annotated[str, typer.Option(help="Why: kept with the proposal.")]


@sunset_app.command("propose")
def sunset_propose(
    as_: AsOpt,
    reason: ReasonOpt,
    grace_days: Annotated[
        int, typer.Option(help="Days before every person's data is purged (0 to 365).")
    ] = DEFAULT_GRACE_DAYS,
    as_json: JsonOpt = False,
) -> None:
    """Propose to end the emergency (admins): another admin and an auditor must approve."""
    propose_at_console(
        as_, action=SUNSET, payload={"grace_days": grace_days}, reason=reason, as_json=as_json
    )


@sunset_app.command("approve")
def sunset_approve(
    proposal_id: str,
    as_: AsOpt,
    note: NoteOpt = "",
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Approve a sunset or a reactivation (never your own); a sunset takes two approvals,
    an admin's and an auditor's, and is carried out at the second."""
    with acting_official(as_, at=at, as_json=as_json) as (c, official):
        decided = proposals.approve(
            uow=c.uow(),
            clock=c.clock,
            kinds=ProposalKinds(SUNSET_HANDLERS),  # these two kinds only: no one's data
            principal=official,
            proposal_id=proposal_id,
            note=note,
        )
    show_proposal(decided, as_json=as_json)


@sunset_app.command("reactivate")
def sunset_reactivate(as_: AsOpt, reason: ReasonOpt, as_json: JsonOpt = False) -> None:
    """Propose to activate a retired instance again (admins): a second admin must approve."""
    propose_at_console(as_, action=REACTIVATE, payload={}, reason=reason, as_json=as_json)


@sunset_app.command("status")
def sunset_status(at: AtOpt = None, as_json: JsonOpt = False) -> None:
    """Whether the instance collects or is retired, when its data is purged, and the final
    transparency report once it is (counts only)."""
    with refusals(as_json=as_json), system(at=parse_at(at, as_json=as_json), as_json=as_json) as c:
        state = instance_state(uow=c.uow())
    payload = {
        "phase": state.phase.value,
        "changed_at": state.changed_at,
        "proposal": state.proposal,
        "purge_after": state.purge_after,
        "purged_at": state.purged_at,
        "final_report": None if state.final_report is None else dict(state.final_report),
    }

    def human(console: Console) -> None:
        console.print(f"instance: [bold]{state.phase.value}[/]")
        if state.purge_after is not None:
            done = f", done {state.purged_at:%Y-%m-%d %H:%M}" if state.purged_at else ""
            console.print(f"personal data purged after {state.purge_after:%Y-%m-%d %H:%M}{done}")
        if state.final_report is not None:
            kept = state.final_report
            console.print(
                f"final transparency report kept, {kept.get('period_from')} to "
                f"{kept.get('period_to')} (`report transparency --final` prints it)",
                markup=False,
            )

    emit(payload, as_json=as_json, human=human)


COMMANDS: CommandTable = (("sunset", sunset_app),)
