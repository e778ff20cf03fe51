"""`healthcode locations import FILE`, `healthcode itinerary SUBJECT`, `healthcode geo import`.

A locations file is CSV with a header (``subject,lat,lon,at,source``) or JSON lines (one
object with those keys per line). The whole file is one batch: any bad line, or a line of a
person without location consent, refuses it all (``line 42: lat: …``) and nothing is stored.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from healthcode.cli.context import reader, system
from healthcode.cli.options import AtOpt, BreakGlassOpt, JsonOpt, ReaderOpt
from healthcode.cli.output import emit, parse_at, read_text_file, refusals
from healthcode.kernel.errors import InvalidInput, Problem
from healthcode.presence.locations import (
    boundaries_in,
    import_boundaries,
    import_pings,
    itinerary_of,
)

locations_app = typer.Typer(help="Location pings (app GPS, telecom).", no_args_is_help=True)
geo_app = typer.Typer(help="Jurisdiction boundaries (GeoJSON).", no_args_is_help=True)

FIELDS = ("subject", "lat", "lon", "at", "source")


def read_pings(path: Path, fmt: str | None) -> list[tuple[str, dict[str, Any]]]:
    """(``line N``, fields) for every data line of a CSV or JSON-lines file."""
    text = read_text_file(path, encoding="utf-8-sig")
    kind = fmt or ("csv" if path.suffix.lower() == ".csv" else "jsonl")
    items: list[tuple[str, dict[str, Any]]] = []
    problems: list[Problem] = []
    if kind == "csv":
        reader = csv.DictReader(io.StringIO(text))
        missing = [f for f in FIELDS[:4] if f not in (reader.fieldnames or [])]
        if missing:
            raise InvalidInput.one("line 1", f"the header lacks {', '.join(missing)}")
        for row in reader:
            items.append((f"line {reader.line_num}", {k: v for k, v in row.items() if k}))
    elif kind == "jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except ValueError:
                problems.append(Problem(f"line {number}", "is not JSON"))
                continue
            if not isinstance(value, dict):
                problems.append(Problem(f"line {number}", "must be a JSON object"))
                continue
            items.append((f"line {number}", value))
    else:
        raise InvalidInput.one("format", "must be csv or jsonl")
    if problems:
        raise InvalidInput(problems)
    return items


@locations_app.command("import")
def locations_import(
    file: Path,
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv or jsonl (default: from the suffix).")
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="gps or telecom, for lines without one.")
    ] = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a file of pings as stays (and the arrivals they show): all lines or none."""
    with refusals(as_json=as_json):
        items = read_pings(file, fmt)
        with system(at=parse_at(at, as_json=as_json), as_json=as_json) as c:
            receipt = import_pings(
                uow=c.uow(),
                clock=c.clock,
                jurisdiction=c.settings.jurisdiction,
                items=items,
                default_source=source,
            )
    payload = {
        "pings": receipt.pings,
        "subjects": receipt.subjects,
        "stays": receipt.stays,
        "stored": receipt.stored,
        "arrivals": [
            {"subject": a.subject, "from": a.from_region, "to": a.to_region, "at": a.at}
            for a in receipt.arrivals
        ],
    }
    emit(
        payload,
        as_json=as_json,
        human=lambda con: con.print(
            f"{receipt.pings} pings of {receipt.subjects} people: {receipt.stays} stays "
            f"({receipt.stored} new), {len(receipt.arrivals)} arrivals"
        ),
    )


def itinerary(
    subject: str,
    as_: ReaderOpt = None,
    break_glass: BreakGlassOpt = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Jurisdictions where the person's phone stayed 4 h or more in the last 14 days (`--as`
    an official logged in, or `--break-glass REASON`; the read is in the access log)."""
    moment = parse_at(at, as_json=as_json)
    with reader(as_, break_glass, at=moment, as_json=as_json) as (c, who):
        entries = itinerary_of(uow=c.uow(), clock=c.clock, subject=subject, reader=who)
    payload = [
        {
            "jurisdiction": e.jurisdiction,
            "first_at": e.first_at,
            "last_until": e.last_until,
            "longest_hours": round(e.longest.total_seconds() / 3600, 2),
        }
        for e in entries
    ]
    emit(payload, as_json=as_json)


@geo_app.command("import")
def geo_import(file: Path, at: AtOpt = None, as_json: JsonOpt = False) -> None:
    """Import jurisdiction boundaries from a GeoJSON FeatureCollection (properties: code,
    name); they replace the bundled approximate ones for the same codes."""
    with refusals(as_json=as_json):
        text = read_text_file(file)
        with system(at=parse_at(at, as_json=as_json), as_json=as_json) as c:
            found = import_boundaries(uow=c.uow(), clock=c.clock, text=text, source=file.name)
    payload = [{"code": b.code, "name": b.name, "polygons": len(b.polygons)} for b in found]
    emit(payload, as_json=as_json, human=lambda con: con.print(f"imported {len(found)} boundaries"))


@geo_app.command("list")
def geo_list(as_json: JsonOpt = False) -> None:
    """The boundaries in use (imported, else the bundled approximate ones)."""
    with refusals(as_json=as_json), system(as_json=as_json) as c, c.uow() as uow:
        found = boundaries_in(uow)
    emit([{"code": b.code, "name": b.name} for b in found], as_json=as_json)
