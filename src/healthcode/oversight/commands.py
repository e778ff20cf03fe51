"""`healthcode proposal|audit`: four eyes (list, approve, reject), the access log and the
break-glass log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from healthcode.cli.context import acting_official, system
from healthcode.cli.exit_codes import ExitCode
from healthcode.cli.options import AsOpt, AtOpt, JsonOpt, NoteOpt
from healthcode.cli.output import emit, parse_at, parse_time, read_text_file, refusals, refuse
from healthcode.cli.proposals import proposal_payload, show_proposal
from healthcode.cli.table import CommandTable
from healthcode.codes.audit_anchor import (
    AnchoredVerification,
    AnchorProblem,
    anchor_document,
    verify_with_anchors,
)
from healthcode.oversight import proposals
from healthcode.oversight.audit import break_glass_log
from healthcode.oversight.audit_chain import ChainProblem
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
        found = proposals.list_proposals(
            uow=c.uow(), clock=c.clock, principal=official, status=wanted
        )

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


AnchorOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--anchor",
        help="A signed anchor kept from earlier (`healthcode audit anchor`); repeatable.",
    ),
]


@audit_app.command("anchor")
def audit_anchor(
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file.")] = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Print (or write) the access log's head signed by the root key: keep it outside the
    database, and `audit verify --anchor` will find the log cut back behind it."""
    with refusals(as_json=as_json), system(at=parse_at(at, as_json=as_json), as_json=as_json) as c:
        document = anchor_document(
            uow=c.uow(),
            clock=c.clock,
            private_keys=c.private_keys,
            jurisdiction=c.settings.jurisdiction,
        )
    if out is None:
        typer.echo(document, nl=False)
        return
    out.write_text(document, encoding="utf-8")
    emit({"written": str(out)}, as_json=as_json, human=lambda con: con.print(f"wrote {out}"))


def _verification_payload(result: AnchoredVerification) -> dict[str, Any]:
    first: ChainProblem | AnchorProblem | None = result.problem or next(
        iter(result.anchor_problems), None
    )
    return {
        "intact": result.intact,
        "records": result.records,
        "problem": None if first is None else str(first),
        "first_bad_record": None if first is None else first.seq,
        "kind": None if first is None else first.kind,
        "anchors": result.anchors,
        "anchor_problems": [
            {"anchor": p.anchor, "seq": p.seq, "kind": p.kind, "problem": str(p)}
            for p in result.anchor_problems
        ],
    }


@audit_app.command("verify")
def audit_verify(anchor: AnchorOpt = None, as_json: JsonOpt = False) -> None:
    """Check the access log's hash chain, and that it still reaches every head an anchor
    signed; exits 1 naming the first record edited, inserted or removed, or the log cut back
    or replaced behind an anchor."""
    with refusals(as_json=as_json):
        texts = [(str(p), read_text_file(p, field="anchor")) for p in anchor or []]
        with system(as_json=as_json) as c:
            result = verify_with_anchors(
                uow=c.uow(), jurisdiction=c.settings.jurisdiction, anchors=texts
            )
    payload = _verification_payload(result)
    if not result.intact:
        if as_json:
            typer.echo(json.dumps(payload))
            raise typer.Exit(ExitCode.STOP)
        refuse(f"access log broken: {payload['problem']}", as_json=False)
    emit(
        payload,
        as_json=as_json,
        human=lambda console: console.print(
            f"access log intact: {result.records} records"
            + (f", reaching all {result.anchors} anchors" if result.anchors else "")
        ),
    )


@audit_app.command("break-glass")
def audit_break_glass(
    as_: AsOpt,
    from_: Annotated[str, typer.Option("--from", help="From (ISO 8601, with a zone).")],
    to: Annotated[str, typer.Option("--to", help="Until, excluded (ISO 8601, with a zone).")],
    as_json: JsonOpt = False,
) -> None:
    """The operator's break-glass reads in [--from, --to), with their reasons (auditors)."""
    start = parse_time(from_, field="from", as_json=as_json)
    end = parse_time(to, field="to", as_json=as_json)
    with acting_official(as_, as_json=as_json) as (c, auditor):
        uses = break_glass_log(uow=c.uow(), principal=auditor, start=start, end=end)
    rows = [
        {"at": u.at, "operator": u.operator, "what": u.what, "people": u.people, "reason": u.reason}
        for u in uses
    ]

    def human(console: Console) -> None:
        table = Table("at", "operator", "read", "people", "reason")
        for u in uses:
            table.add_row(f"{u.at:%Y-%m-%d %H:%M}", u.operator, u.what, str(u.people), u.reason)
        console.print(table)

    emit(rows, as_json=as_json, human=human)


COMMANDS: CommandTable = (("proposal", proposal_app), ("audit", audit_app))
