"""`healthcode declare health|travel`: append a declaration as a fact."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from healthcode.cli.context import system
from healthcode.cli.options import AtOpt, JsonOpt
from healthcode.cli.output import emit, parse_at, refusals
from healthcode.services import declarations

app = typer.Typer(help="Record a person's health or travel declaration.", no_args_is_help=True)


@app.command("health")
def health(
    subject: str,
    temperature: Annotated[float, typer.Option(help="Body temperature in °C (34.0–43.0).")],
    symptom: Annotated[
        list[str] | None,
        typer.Option(
            help="A symptom (repeatable): fever, cough, sore_throat, fatigue, "
            "loss_of_smell_or_taste, shortness_of_breath, diarrhoea, none."
        ),
    ] = None,
    note: Annotated[str, typer.Option(help="Free note.")] = "",
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Declare temperature and symptoms."""
    with refusals(as_json=as_json), system(at=parse_at(at, as_json=as_json), as_json=as_json) as c:
        fact = declarations.declare_health(
            uow=c.uow(),
            clock=c.clock,
            subject=subject,
            temperature=temperature,
            symptoms=symptom or [],
            note=note,
        )
    emit(fact.data(), as_json=as_json, human=lambda console: console.print(f"declared {fact.id}"))


@app.command("travel")
def travel(
    subject: str,
    place: Annotated[str, typer.Option(help="GB/T 2260 region code, e.g. 310000.")],
    from_: Annotated[str, typer.Option("--from", help="First day there (YYYY-MM-DD).")],
    to: Annotated[str, typer.Option("--to", help="Last day there (YYYY-MM-DD).")],
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Declare a stay in a region within the last 14 days."""
    with refusals(as_json=as_json):
        from_date = _date("from_date", from_)
        to_date = _date("to_date", to)
        with system(at=parse_at(at, as_json=as_json), as_json=as_json) as c:
            fact = declarations.declare_travel(
                uow=c.uow(),
                clock=c.clock,
                subject=subject,
                place=place,
                from_date=from_date,
                to_date=to_date,
            )
    emit(fact.data(), as_json=as_json, human=lambda console: console.print(f"declared {fact.id}"))


def _date(field: str, value: str) -> date:
    from healthcode.domain.errors import InvalidInput

    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput.one(field, f"{value!r} is not a date (YYYY-MM-DD)") from None
