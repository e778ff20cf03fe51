"""The commands that run the system itself: `healthcode init`, `serve` and `worker`."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.exc import OperationalError

from healthcode import bootstrap
from healthcode.cli.context import load_settings, system, unreachable
from healthcode.cli.exit_codes import ExitCode
from healthcode.cli.options import AtOpt, JsonOpt
from healthcode.cli.output import emit, parse_at, refusals, refuse
from healthcode.cli.table import CommandTable
from healthcode.db.encryption import DataKeyError
from healthcode.db.migrate import UnsupportedCollation
from healthcode.db.private_files import ExposedSecret
from healthcode.logs import configure_logging, logging_config
from healthcode.notifications.webhooks import HttpWebhookSender
from healthcode.worker import PassReport, Worker

WORKER_HEALTHCHECK_SECONDS = 60
"""How long `serve --workers` waits for an API process to answer its supervisor's ping."""


def init(as_json: JsonOpt = False) -> None:
    """Create or migrate the database and create the data-encryption key (never overwritten)."""
    settings = load_settings(as_json=as_json)
    try:
        done = bootstrap.initialise(settings)
    except (DataKeyError, UnsupportedCollation) as error:
        refuse(str(error), as_json=as_json)
    except ExposedSecret as error:
        refuse(str(error), as_json=as_json, code=ExitCode.CONFIG)
    except OperationalError as error:  # e.g. a PostgreSQL database that does not exist
        refuse(unreachable(error), as_json=as_json, code=ExitCode.UNAVAILABLE)
    payload = {
        "database": settings.database_url,
        "data_key_file": str(settings.data_key_file),
        "done": done,
    }

    def human(console: Console) -> None:
        for line in done:
            console.print(f"• {line}")

    emit(payload, as_json=as_json, human=human)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="API processes answering on this port (PostgreSQL only; background work "
            "runs in `healthcode worker` processes).",
        ),
    ] = 1,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs and /openapi.json; /healthz, /readyz, /metrics).
    Logs go to standard error as JSON lines, one per request with its id."""
    import uvicorn

    settings = load_settings()
    if workers > 1 and settings.database_is_sqlite:
        refuse(
            f"--workers {workers} needs PostgreSQL: the embedded SQLite database takes one "
            "writer at a time and runs its background worker inside `healthcode serve`, so "
            "several processes would queue behind each other's writes and each run that worker "
            "(docs/operations.md#several-processes). Serve one process on SQLite, or set "
            "HEALTHCODE_DATABASE_URL to a PostgreSQL database",
            as_json=False,
            code=ExitCode.CONFIG,
        )
    uvicorn.run(
        "healthcode.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers if workers > 1 else None,
        # a process still starting on a busy machine answers the supervisor's ping late: at
        # uvicorn's 5 s it is killed and started again, in a loop, and never serves
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        log_config=logging_config(),
        access_log=False,  # the app logs each request itself, with its id and route template
    )


def worker(
    once: Annotated[bool, typer.Option("--once", help="One pass, then exit.")] = False,
    interval: Annotated[float, typer.Option(help="Seconds to wait after an idle pass.")] = 1.0,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run background work: tracing and risk-area jobs, statuses that change with time (a
    quarantine ending), webhook delivery, text messages. Restart-safe; several workers may run
    on PostgreSQL. Logs go to standard error as JSON lines."""
    configure_logging()
    sender = HttpWebhookSender()
    total = PassReport()
    try:
        with (
            refusals(as_json=as_json),
            system(at=parse_at(at, as_json=as_json), as_json=as_json) as c,
        ):
            runner = Worker(
                uow_factory=c.uow,
                clock=c.clock,
                kinds=bootstrap.job_kinds(sender, c.sms, bootstrap.peer_messenger(c)),
                anchor=bootstrap.anchor_publisher(c),
                peer_sync=bootstrap.peer_syncer(c),
            )
            if once:  # a failed pass is the command's failure
                total.add(runner.run_once())
            while not once:
                report = runner.run_surviving()
                if report is not None:
                    total.add(report)
                if report is None or not report.busy:
                    time.sleep(interval)
    except KeyboardInterrupt:  # pragma: no cover - interactive
        pass
    finally:
        sender.close()
    payload = {
        "jobs_done": total.jobs_done,
        "jobs_failed": total.jobs_failed,
        "jobs_retried": total.jobs_retried,
        "statuses_refreshed": total.statuses_refreshed,
        "delivered": total.delivery.delivered,
        "retried": total.delivery.retried,
        "parked": total.delivery.parked,
    }
    emit(
        payload,
        as_json=as_json,
        human=lambda console: console.print(
            f"jobs done {total.jobs_done}, failed {total.jobs_failed}, retried "
            f"{total.jobs_retried}; statuses refreshed {total.statuses_refreshed}; webhooks "
            f"delivered {total.delivery.delivered}, retried {total.delivery.retried}, parked "
            f"{total.delivery.parked}"
        ),
    )


COMMANDS: CommandTable = (("init", init), ("serve", serve), ("worker", worker))
