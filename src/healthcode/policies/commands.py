"""`healthcode policy check|impact|activate|history`: policies as data a health office can test."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from healthcode.cli.context import acting_official, load_settings, system
from healthcode.cli.options import JsonOpt
from healthcode.cli.output import emit, read_text_file, refusals
from healthcode.cli.proposals import proposal_payload
from healthcode.cli.table import CommandTable
from healthcode.oversight import proposals
from healthcode.policies import versions
from healthcode.policies.model import source_sha256

policy_app = typer.Typer(help="Check, measure and activate policies.", no_args_is_help=True)

FileArg = Annotated[Path, typer.Argument(help="A policy YAML file.")]


@policy_app.command("check")
def check(file: FileArg, as_json: JsonOpt = False) -> None:
    """Validate a policy file, its tracing section included; exit 1 listing every problem with
    rule id and field (`tracing.<key>` for a tracing parameter)."""
    with refusals(as_json=as_json):
        budget = load_settings(as_json=as_json).policy_check_budget
        source = read_text_file(file)
        policy = versions.check_policy(source=source, budget=budget)
    sha256 = source_sha256(source)
    emit(
        {
            "ok": True,
            "jurisdiction": policy.jurisdiction,
            "version": policy.version,
            "rules": [r.id for r in policy.rules],
            "notices": [n.id for n in policy.notices],
            "sha256": sha256,
        },
        as_json=as_json,
        human=lambda console: console.print(
            f"ok: {policy.jurisdiction} version {policy.version}, "
            f"{len(policy.rules)} rules, {len(policy.notices)} notices; sha256 {sha256}"
        ),
    )


@policy_app.command("impact")
def impact(file: FileArg, as_json: JsonOpt = False) -> None:
    """How many registered people would change colour now, as a from→to table (nothing applied)."""
    with refusals(as_json=as_json):
        source = read_text_file(file)
        with system(as_json=as_json) as c:
            check, budget = c.settings.policy_check_budget, c.settings.policy_impact_budget
            if as_json:
                result = versions.policy_impact(
                    uow=c.uow(), clock=c.clock, source=source, check=check, budget=budget
                )
            else:
                with Progress(console=Console(stderr=True), transient=True) as bar:
                    task = bar.add_task("assessing", total=None)
                    result = versions.policy_impact(
                        uow=c.uow(),
                        clock=c.clock,
                        source=source,
                        progress=lambda n: bar.advance(task, n),
                        check=check,
                        budget=budget,
                    )
    rows = [
        {"from": old.value, "to": new.value, "people": n}
        for (old, new), n in sorted(
            result.moves.items(), key=lambda m: (m[0][0].severity, m[0][1].severity)
        )
    ]
    payload = {
        "jurisdiction": result.jurisdiction,
        "current_version": result.current_version,
        "proposed_version": result.proposed_version,
        "people": result.people,
        "changed": result.changed,
        "moves": rows,
    }

    def human(console: Console) -> None:
        table = Table(
            "from", "to", "people", title=f"{result.current_version} → {result.proposed_version}"
        )
        for row in rows:
            table.add_row(str(row["from"]), str(row["to"]), str(row["people"]))
        console.print(table)
        console.print(f"{result.changed} of {result.people} people would change colour")

    emit(payload, as_json=as_json, human=human)


@policy_app.command("activate")
def activate(
    file: FileArg,
    as_: Annotated[str, typer.Option("--as", help="The official proposing it (username).")],
    reason: Annotated[str, typer.Option(help="Why this version should apply.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Propose activating a policy version; a different supervisor approves it with
    `healthcode proposal approve ID --as SUPERVISOR`, which records both names."""
    with refusals(as_json=as_json):
        source = read_text_file(file)
        budget = load_settings(as_json=as_json).policy_check_budget
        policy = versions.check_policy(source=source, budget=budget)
        with acting_official(as_, as_json=as_json) as (c, official):
            proposal = proposals.propose(
                uow=c.uow(),
                clock=c.clock,
                kinds=c.proposal_kinds,
                principal=official,
                action="activate_policy",
                payload={"source": source},
                reason=reason or f"activate {policy.jurisdiction} policy {policy.version}",
            )
    emit(
        {**proposal_payload(proposal), "version": policy.version},
        as_json=as_json,
        human=lambda console: console.print(
            f"proposal {proposal.id}: activate {policy.jurisdiction} version {policy.version}; "
            "awaiting a second approver"
        ),
    )


@policy_app.command("history")
def history(as_json: JsonOpt = False) -> None:
    """The versions activated in this jurisdiction: who proposed, who approved, when."""
    with refusals(as_json=as_json), system(as_json=as_json) as c:
        activated = versions.policy_history(uow=c.uow(), jurisdiction=c.settings.jurisdiction)
    rows = [
        {
            "version": a.version,
            "activated_at": a.activated_at,
            "activated_by": a.activated_by,
            "approved_by": a.approved_by,
            "sha256": a.sha256,
        }
        for a in activated
    ]

    def human(console: Console) -> None:
        table = Table("version", "activated at", "proposed by", "approved by")
        for row in rows:
            table.add_row(
                str(row["version"]),
                str(row["activated_at"]),
                str(row["activated_by"]),
                str(row["approved_by"]),
            )
        console.print(table)

    emit(rows, as_json=as_json, human=human)


COMMANDS: CommandTable = (("policy", policy_app),)
