"""`healthcode report transparency`: the public transparency report for a period, as text, JSON
or the same HTML page the server shows at ``/transparency``. Counts only: no one is named."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from healthcode.cli.context import system
from healthcode.cli.options import AtOpt, JsonOpt
from healthcode.cli.output import emit, parse_at, refusals
from healthcode.cli.table import CommandTable
from healthcode.kernel.errors import NotFound
from healthcode.sunset.purge import final_report
from healthcode.transparency.report import transparency_report
from healthcode.transparency.schemas import TransparencyOut
from healthcode.web.pages import hours, page_html

report_app = typer.Typer(help="Public reports: counts only, no one named.", no_args_is_help=True)

FromOpt = Annotated[
    datetime | None,
    typer.Option(
        "--from", formats=["%Y-%m-%d"], help="The first day (default: 29 days before --to)."
    ),
]
ToOpt = Annotated[
    datetime | None,
    typer.Option("--to", formats=["%Y-%m-%d"], help="The last day, inclusive (default: today)."),
]


def _day(value: datetime | None) -> date | None:
    return None if value is None else value.date()


def _human(out: TransparencyOut) -> None:
    console = Console()
    whole = " (the whole emergency)" if out.whole_emergency else ""
    console.print(f"transparency report {out.period_from} to {out.period_to}{whole}", markup=False)
    last = out.colours[-1]
    console.print(f"colours at the end: green {last.green}, yellow {last.yellow}, red {last.red}")
    console.print("held: " + ", ".join(f"{k} {v}" for k, v in out.held.items()), markup=False)
    console.print("purged: " + ", ".join(f"{k} {v}" for k, v in out.purged.items()))
    for read in out.reads:
        console.print(f"reads {read.role}/{read.purpose}: {read.count}", markup=False)
    console.print(f"unmaskings: {out.unmaskings}")
    console.print("overrides: " + (", ".join(f"{k} {v}" for k, v in out.overrides.items()) or "0"))
    a = out.appeals
    console.print(
        f"appeals: {a.filed} filed, {a.decided} answered, median "
        f"{hours(a.median_turnaround_seconds)}, 95th percentile "
        f"{hours(a.p95_turnaround_seconds)}, {a.overdue} overdue"
    )
    console.print(
        f"break-glass uses: {out.break_glass.uses} ({out.break_glass.people} people read)"
    )
    b = out.bulk_actions
    console.print(
        f"bulk actions: {b.proposed} proposed, {b.executed} executed, {b.pending} pending, "
        f"{b.rejected} rejected ({b.people} people touched)"
    )


@report_app.command("transparency")
def report_transparency(
    first: FromOpt = None,
    last: ToOpt = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write the report as an HTML page here.")
    ] = None,
    whole: Annotated[
        bool,
        typer.Option(
            "--whole", help="From the instance's first record (the whole emergency), not --from."
        ),
    ] = False,
    final: Annotated[
        bool,
        typer.Option("--final", help="The final report kept at the sunset's purge."),
    ] = False,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """People by colour per day, data held and purged, reads by role and purpose, unmaskings,
    overrides by reason, appeals and their turnaround, break-glass uses. Any period: --whole
    covers the emergency from its first record, --final shows the report kept at the sunset."""
    with (
        refusals(as_json=as_json),
        system(at=parse_at(at, as_json=as_json), as_json=as_json) as c,
    ):
        if final:
            kept = final_report(uow=c.uow())
            if kept is None:
                raise NotFound("final report", "none kept: the instance was not purged")
            out = TransparencyOut.model_validate(kept)
        else:
            report = transparency_report(
                uow=c.uow(), clock=c.clock, first=_day(first), last=_day(last), whole=whole
            )
            out = TransparencyOut.of(report)
        language, jurisdiction = c.settings.language, c.settings.jurisdiction
    if html is not None:
        page = page_html(
            "transparency.html",
            lang=language,
            jurisdiction=jurisdiction,
            path="/transparency",
            r=out,
            final=final,
            has_final=final,
            hours=hours,
        )
        html.write_text(page, encoding="utf-8")
    if as_json:
        emit(out.model_dump(mode="json"), as_json=True)
    else:
        _human(out)


COMMANDS: CommandTable = (("report", report_app),)
