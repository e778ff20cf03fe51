"""`healthcode status|test-result|declare|override|release`: why a person has a colour and until
when, the facts that change it, and test results entered by hand, manual colours and releases
by four eyes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from healthcode.cli.context import acting_official, reader, system
from healthcode.cli.options import AsOpt, AtOpt, BreakGlassOpt, JsonOpt, ReaderOpt
from healthcode.cli.output import emit, parse_at, refusals
from healthcode.cli.proposals import show_proposal
from healthcode.cli.table import CommandTable
from healthcode.kernel.errors import InvalidInput
from healthcode.kernel.status import Status
from healthcode.kernel.times import check_time
from healthcode.oversight import proposals
from healthcode.oversight.model import OVERRIDE_REASON_CATEGORIES, ProposalKind
from healthcode.status import declarations
from healthcode.status.assessment import current_status, status_at

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
            progress = reason["progress"]
            ends = reason["ends_at"] or "—"
            if progress:  # e.g. "9 of 14 days, at the earliest 2020-03-20T16:00:00+00:00"
                ends = f"{progress['days']} of {progress['of']} days, at the earliest "
                ends += progress["earliest_end"]
            table.add_row(
                reason["rule"],
                reason["colour"],
                reason["text"],
                reason["since"],
                ends,
                reason["clears_when"],
            )
        console.print(table)
    for notice in body["notices"]:  # type: ignore[attr-defined]
        blocks = " (code blocked)" if notice["blocks_code"] else ""
        console.print(f"notice {notice['notice']}{blocks}: {notice['text']}")


def status(
    subject: str,
    as_: ReaderOpt = None,
    break_glass: BreakGlassOpt = None,
    at: Annotated[
        str | None,
        typer.Option("--at", help="Assess at this ISO 8601 time instead of now (read-only)."),
    ] = None,
    lang: LangOpt = "en",
    as_json: JsonOpt = False,
) -> None:
    """Print a person's colour, the reasons, notices and `valid_until` (`--as` an official
    logged in, or `--break-glass REASON`; the read is in the person's access log)."""
    moment = parse_at(at, as_json=as_json)
    with refusals(as_json=as_json):
        _check_lang(lang)
    with reader(as_, break_glass, as_json=as_json) as (c, who):
        if moment is None:
            result = current_status(uow=c.uow(), clock=c.clock, subject=subject, reader=who)
        else:
            result = status_at(uow=c.uow(), clock=c.clock, subject=subject, at=moment, reader=who)
    payload: dict[str, Any] = {"subject": subject, **result.to_dict(lang)}
    emit(payload, as_json=as_json, human=lambda console: _show(result, lang, console))


def record_test(
    subject: str,
    as_: AsOpt,
    kind: Annotated[str, typer.Option(help="pcr or antigen.")],
    result: Annotated[str, typer.Option(help="negative or positive.")],
    sampled_at: Annotated[str, typer.Option(help="When the sample was taken (ISO 8601).")],
    reason: Annotated[
        str, typer.Option(help="Where the result comes from (the laboratory, its reference).")
    ] = "",
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Propose a test result entered by hand (`--at`: when it became known); a supervisor other
    than you approves it, and only then does it count (`healthcode proposal approve`)."""
    with refusals(as_json=as_json):
        sampled = _time("sampled_at", sampled_at)
    with acting_official(as_, at=at, as_json=as_json) as (c, official):
        proposal = proposals.propose(
            uow=c.uow(),
            clock=c.clock,
            kinds=c.proposal_kinds,
            principal=official,
            action=ProposalKind.RECORD_TEST_RESULT.value,
            payload={
                "subject": subject,
                "kind": kind,
                "result": result,
                "sampled_at": sampled.isoformat(),
            },
            reason=reason or f"{kind} {result}, sampled {sampled.isoformat()}",
        )
    show_proposal(proposal, as_json=as_json)


def _time(field: str, value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput.one(field, f"{value!r} is not an ISO 8601 time") from None
    return check_time(moment, field=field)


def _check_lang(lang: str) -> None:
    if lang not in ("zh", "en"):
        raise InvalidInput.one("lang", "must be zh or en")


declare_app = typer.Typer(
    help="Record a person's health or travel declaration.", no_args_is_help=True
)


@declare_app.command("health")
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
    """Declare temperature and symptoms (`--at`: as made then, e.g. on a paper form; never
    in the future)."""
    moment = parse_at(at, as_json=as_json)
    # the real clock, so that the service can refuse an --at in the future
    with refusals(as_json=as_json), system(as_json=as_json) as c:
        fact = declarations.declare_health(
            uow=c.uow(),
            clock=c.clock,
            subject=subject,
            temperature=temperature,
            symptoms=symptom or [],
            note=note,
            at=moment,
        )
    emit(fact.data(), as_json=as_json, human=lambda console: console.print(f"declared {fact.id}"))


@declare_app.command("travel")
def travel(
    subject: str,
    place: Annotated[str, typer.Option(help="GB/T 2260 region code, e.g. 310000.")],
    from_: Annotated[str, typer.Option("--from", help="First day there (YYYY-MM-DD).")],
    to: Annotated[str, typer.Option("--to", help="Last day there (YYYY-MM-DD).")],
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Declare a stay in a region within the 14 days before `--at` (default: now), in local
    calendar days."""
    with refusals(as_json=as_json):
        from_date = _date("from_date", from_)
        to_date = _date("to_date", to)
        moment = parse_at(at, as_json=as_json)
        with system(as_json=as_json) as c:  # the real clock: an --at in the future is refused
            fact = declarations.declare_travel(
                uow=c.uow(),
                clock=c.clock,
                subject=subject,
                place=place,
                from_date=from_date,
                to_date=to_date,
                at=moment,
            )
    emit(fact.data(), as_json=as_json, human=lambda console: console.print(f"declared {fact.id}"))


def _date(field: str, value: str) -> date:
    from healthcode.kernel.errors import InvalidInput

    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput.one(field, f"{value!r} is not a date (YYYY-MM-DD)") from None


override_app = typer.Typer(help="Propose a manual colour (needs approval).", no_args_is_help=True)


release_app = typer.Typer(
    help="Propose a quarantine release (needs approval).", no_args_is_help=True
)


@override_app.command("propose")
def override_propose(
    subject: str,
    as_: AsOpt,
    colour: Annotated[str, typer.Option(help="green, yellow or red.")],
    reason_category: Annotated[
        str, typer.Option(help="A health reason: " + ", ".join(OVERRIDE_REASON_CATEGORIES))
    ],
    reason: Annotated[str, typer.Option(help="What happened, in words the citizen will see.")],
    expires: Annotated[
        str | None, typer.Option(help="When it expires (ISO 8601 with a zone).")
    ] = None,
    days: Annotated[float | None, typer.Option(help="Or: expires after this many days.")] = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Propose a manual colour; a supervisor other than you must approve it."""
    with acting_official(as_, at=at, as_json=as_json) as (c, official):
        expires_at = expires
        if expires_at is None and days is not None:
            expires_at = (c.clock.now() + timedelta(days=days)).astimezone(UTC).isoformat()
        proposal = proposals.propose(
            uow=c.uow(),
            clock=c.clock,
            kinds=c.proposal_kinds,
            principal=official,
            action="override_colour",
            payload={
                "subject": subject,
                "colour": colour,
                "reason_category": reason_category,
                "expires_at": expires_at,
            },
            reason=reason,
        )
    show_proposal(proposal, as_json=as_json)


@release_app.command("propose")
def release_propose(
    subject: str,
    as_: AsOpt,
    reason: Annotated[str, typer.Option(help="Why the person is released.")],
    rule: Annotated[
        list[str] | None, typer.Option(help="A rule to release from (repeatable; none: all).")
    ] = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Propose releasing a person from quarantine; a supervisor other than you approves."""
    with acting_official(as_, at=at, as_json=as_json) as (c, official):
        proposal = proposals.propose(
            uow=c.uow(),
            clock=c.clock,
            kinds=c.proposal_kinds,
            principal=official,
            action="release_quarantine",
            payload={"subject": subject, "rules": list(rule or [])},
            reason=reason,
        )
    show_proposal(proposal, as_json=as_json)


COMMANDS: CommandTable = (
    ("status", status),
    ("test-result", record_test),
    ("declare", declare_app),
    ("override", override_app),
    ("release", release_app),
)
