"""Deleting data past its retention: `healthcode retention purge` (the worker does it hourly)."""

from __future__ import annotations

from dataclasses import asdict

import typer
from rich.console import Console

from healthcode.cli.context import system
from healthcode.cli.options import AtOpt, JsonOpt
from healthcode.cli.output import emit, parse_at, refusals
from healthcode.presence.retention import purge

retention_app = typer.Typer(help="Data kept only as long as policy allows.", no_args_is_help=True)


@retention_app.command("purge")
def retention_purge(at: AtOpt = None, as_json: JsonOpt = False) -> None:
    """Delete presences and check-ins older than each jurisdiction's retention window, and
    finished jobs older than 30 days, and the record of signed status lookups whose time is out
    of the accepted window; prints how many of each."""
    with (
        refusals(as_json=as_json),
        system(at=parse_at(at, as_json=as_json), as_json=as_json) as c,
    ):
        purged = purge(uow=c.uow(), clock=c.clock)

    def human(console: Console) -> None:
        console.print(
            f"deleted {purged.presences} presences ({purged.days_dropped} whole days), "
            f"{purged.checkins} check-ins, "
            f"{purged.jobs} finished jobs, {purged.lookups} used status lookups"
        )

    emit(asdict(purged), as_json=as_json, human=human)
