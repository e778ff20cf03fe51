"""`healthcode status` and `healthcode test-result`: why a person has a colour, and until when."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from healthcode.cli.context import system
from healthcode.cli.options import JsonOpt
from healthcode.cli.output import emit, parse_at, refusals
from healthcode.domain.errors import InvalidInput
from healthcode.domain.status import Status
from healthcode.services.status import current_status, status_at
from healthcode.services.tests import record_test_result

LangOpt = Annotated[str, typer.Option("--lang", help="Language of texts: zh or en.")]

_STYLE = {
    "green": "bold white on green",
    "yellow": "bold black on yellow",
    "red": "bold white on red",
}


def _show(status: Status, lang: str, console: Console) -> None:
    body = status.to_dict(lang)
    console.print(f"[{_STYLE[status.colour.value]}] {status.colour.value.upper()} [/]", end=" ")
    until = body["valid_until"]
    when = f"until {until}" if until else "until a new fact changes it"
    console.print(f"{when} (policy {status.policy_version})")
    if status.reasons:
        table = Table("rule", "colour", "why", "since", "ends", "clears when")
        for reason in body["reasons"]:  # type: ignore[attr-defined]
            table.add_row(
                reason["rule"],
                reason["colour"],
                reason["text"],
                reason["since"],
                reason["ends_at"] or "—",
                reason["clears_when"],
            )
        console.print(table)
    for notice in body["notices"]:  # type: ignore[attr-defined]
        blocks = " (code blocked)" if notice["blocks_code"] else ""
        console.print(f"notice {notice['notice']}{blocks}: {notice['text']}")


def status(
    subject: str,
    at: Annotated[
        str | None,
        typer.Option("--at", help="Assess at this ISO 8601 time instead of now (read-only)."),
    ] = None,
    lang: LangOpt = "en",
    as_json: JsonOpt = False,
) -> None:
    """Print a person's colour, the reasons, notices and `valid_until`."""
    moment = parse_at(at, as_json=as_json)
    with refusals(as_json=as_json):
        _check_lang(lang)
        with system(as_json=as_json) as c:
            if moment is None:
                result = current_status(uow=c.uow(), clock=c.clock, subject=subject)
            else:
                result = status_at(uow=c.uow(), subject=subject, at=moment)
    payload: dict[str, Any] = {"subject": subject, **result.to_dict(lang)}
    emit(payload, as_json=as_json, human=lambda console: _show(result, lang, console))


def record_test(
    subject: str,
    kind: Annotated[str, typer.Option(help="pcr or antigen.")],
    result: Annotated[str, typer.Option(help="negative or positive.")],
    sampled_at: Annotated[str, typer.Option(help="When the sample was taken (ISO 8601).")],
    at: Annotated[
        str | None, typer.Option("--at", help="When the result became known (ISO 8601).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a test result; prints the fact and the person's new status."""
    moment = parse_at(at, as_json=as_json)
    with refusals(as_json=as_json):
        sampled = _time("sampled_at", sampled_at)
        with system(at=moment, as_json=as_json) as c:
            fact, new_status = record_test_result(
                uow=c.uow(),
                clock=c.clock,
                subject=subject,
                test_kind=kind,
                result=result,
                sampled_at=sampled,
            )
    payload = {"test_result": fact.data(), "status": new_status.to_dict("en")}
    emit(
        payload,
        as_json=as_json,
        human=lambda console: console.print(
            f"recorded {fact.id}; status now {new_status.colour.value}"
        ),
    )


def _time(field: str, value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput.one(field, f"{value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise InvalidInput.one(field, "must include a time zone")
    return moment


def _check_lang(lang: str) -> None:
    if lang not in ("zh", "en"):
        raise InvalidInput.one("lang", "must be zh or en")
