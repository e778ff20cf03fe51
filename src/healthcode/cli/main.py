"""The `healthcode` command: the same services the API calls, for operators and scenarios."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from healthcode import bootstrap
from healthcode.adapters.db.migrate import UnsupportedCollation
from healthcode.adapters.personal_data import DataKeyError
from healthcode.cli import (
    access,
    codes,
    declare,
    locations,
    notify,
    people,
    policy,
    retention,
    scan,
    status,
    tracing,
    venues,
    verify,
)
from healthcode.cli.options import JsonOpt
from healthcode.cli.output import emit, refuse
from healthcode.config import Settings

app = typer.Typer(
    name="healthcode",
    help="Health codes with reasons, signed codes verified offline, audited data access.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(declare.app, name="declare")
app.add_typer(people.person_app, name="person")
app.add_typer(policy.app, name="policy")
app.add_typer(codes.keys_app, name="keys")
app.add_typer(codes.trust_app, name="trust-list")
app.command("code")(codes.code)
app.command("verify")(verify.verify_command)
app.command("register")(people.register)
app.add_typer(access.official_app, name="official")
app.add_typer(access.channel_app, name="channel")
app.add_typer(access.proposal_app, name="proposal")
app.add_typer(access.override_app, name="override")
app.add_typer(access.release_app, name="release")
app.add_typer(access.audit_app, name="audit")
app.add_typer(notify.notify_app, name="notify")
app.add_typer(notify.demo_app, name="demo")
app.command("status")(status.status)
app.command("test-result")(status.record_test)
app.add_typer(venues.org_app, name="org")
app.add_typer(venues.venue_app, name="venue")
app.add_typer(venues.device_app, name="device")
app.add_typer(venues.checkin_app, name="checkin")
app.command("ride")(venues.ride)
app.add_typer(scan.scan_app, name="scan")
app.add_typer(locations.locations_app, name="locations")
app.add_typer(locations.geo_app, name="geo")
app.command("itinerary")(locations.itinerary)
app.add_typer(tracing.case_app, name="case")
app.add_typer(tracing.trace_app, name="trace")
app.add_typer(tracing.risk_area_app, name="risk-area")
app.add_typer(tracing.quarantine_app, name="quarantine")
app.add_typer(retention.retention_app, name="retention")
app.command("worker")(tracing.worker)


@app.command()
def init(as_json: JsonOpt = False) -> None:
    """Create or migrate the database and create the data-encryption key (never overwritten)."""
    settings = Settings()
    try:
        done = bootstrap.initialise(settings)
    except (DataKeyError, UnsupportedCollation) as error:
        refuse(str(error), as_json=as_json)
    payload = {
        "database": settings.database_url,
        "data_key_file": str(settings.data_key_file),
        "done": done,
    }

    def human(console: Console) -> None:
        for line in done:
            console.print(f"• {line}")

    emit(payload, as_json=as_json, human=human)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs and /openapi.json)."""
    import uvicorn

    uvicorn.run("healthcode.app:create_app", factory=True, host=host, port=port)


if __name__ == "__main__":  # pragma: no cover
    app()
