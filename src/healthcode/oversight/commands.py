"""`healthcode proposal|audit`: four eyes (list, approve, reject) and the access log."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from healthcode.cli.context import acting_official, system
from healthcode.cli.exit_codes import ExitCode
from healthcode.cli.options import AsOpt, AtOpt, JsonOpt, NoteOpt
from healthcode.cli.output import emit, refusals, refuse
from healthcode.cli.proposals import proposal_payload, show_proposal
from healthcode.cli.table import CommandTable
from healthcode.oversight import proposals
from healthcode.oversight.audit import verify_access_log
from healthcode.oversight.model import ProposalStatus

proposal_app = typer.Typer(help="Four eyes: list, approve, reject proposals.", no_args_is_help=True)


audit_app = typer.Typer(help="The access log.", no_args_is_help=True)


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
            uow=c.uow(),
            clock=c.clock,
            kinds=c.proposal_kinds,
            principal=official,
            proposal_id=proposal_id,
            note=note,
        )
    show_proposal(decided, as_json=as_json)


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
            uow=c.uow(),
            clock=c.clock,
            kinds=c.proposal_kinds,
            principal=official,
            proposal_id=proposal_id,
            note=note,
        )
    show_proposal(decided, as_json=as_json)


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
            raise typer.Exit(ExitCode.STOP)
        refuse(f"access log broken: {problem}", as_json=False)
    emit(
        payload,
        as_json=as_json,
        human=lambda console: console.print(f"access log intact: {result.records} records"),
    )


COMMANDS: CommandTable = (("proposal", proposal_app), ("audit", audit_app))
