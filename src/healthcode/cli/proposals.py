"""How the CLI makes and shows a four-eyes proposal: the same fields whatever the feature that
made it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from healthcode.cli.context import acting_official
from healthcode.cli.output import emit
from healthcode.oversight import proposals
from healthcode.oversight.model import Proposal


def proposal_payload(p: Proposal) -> dict[str, Any]:
    return {
        "id": p.id,
        "action": p.kind,
        "subject": p.subject,
        "jurisdiction": p.jurisdiction,
        "payload": p.shown_payload,
        "reason": p.reason,
        "proposed_by": p.proposed_by,
        "proposed_at": p.proposed_at,
        "status": p.status.value,
        "decided_by": p.decided_by,
        "decided_at": p.decided_at,
        "decision_note": p.decision_note,
        "result": None if p.result is None else dict(p.result),
        "people": p.people,
        "bulk": p.bulk,
        "first_approved_by": p.first_approved_by,
        "first_approved_at": p.first_approved_at,
    }


def show_proposals(found: Sequence[Proposal], *, about: str, as_json: bool) -> None:
    """Print proposals as a table, each named by its payload's ``about`` field (``username``,
    ``jurisdiction``), or as a JSON list."""

    def human(console: Console) -> None:
        table = Table("id", "action", about, "status", "proposed by", "reason")
        for p in found:
            table.add_row(
                p.id, p.kind, str(p.payload.get(about, "")), p.status.value, p.proposed_by, p.reason
            )
        console.print(table)

    emit([proposal_payload(p) for p in found], as_json=as_json, human=human)


def show_proposal(p: Proposal, *, as_json: bool, what: str | None = None) -> None:
    """Print a proposal; ``what`` names what it is about (a case, a risk area) for people."""
    decided = f", decided by {p.decided_by}" if p.decided_by else ""
    if p.bulk:  # a bulk action: two approvers
        first = f", approved once by {p.first_approved_by}" if p.first_approved_by else ""
        decided = f", bulk: {p.people} people{first}{decided}"
    if what is None:
        line = f"{p.kind} [bold]{p.id}[/] {p.status.value} (proposed by {p.proposed_by}{decided})"
    else:
        about = p.payload.get("case_id") or p.id
        line = (
            f"{what} [bold]{about}[/] {p.status.value} "
            f"(proposal {p.id}, by {p.proposed_by}{decided})"
        )
    result = p.result or {}

    def human(console: Console) -> None:
        console.print(line)
        if "totp_uri" in result:
            # a new account's or a reset's TOTP enrolment: in this answer only, never stored;
            # not wrapped, so that it can be copied whole
            who = result.get("username")
            console.print(f"TOTP for {who} (shown once): {result['totp_uri']}", soft_wrap=True)

    emit(proposal_payload(p), as_json=as_json, human=human)


def propose_at_console(
    as_: str, *, action: str, payload: dict[str, Any], reason: str, as_json: bool
) -> None:
    """Propose ``action`` as the official ``--as`` names (their console session), and show it."""
    with acting_official(as_, as_json=as_json) as (c, official):
        proposal = proposals.propose(
            uow=c.uow(),
            clock=c.clock,
            kinds=c.proposal_kinds,
            principal=official,
            action=action,
            payload=payload,
            reason=reason,
        )
    show_proposal(proposal, as_json=as_json)
