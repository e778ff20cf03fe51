"""`healthcode notify deliver`: send due webhooks."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from healthcode.cli.context import system
from healthcode.cli.options import JsonOpt
from healthcode.cli.output import emit, refusals
from healthcode.cli.table import CommandTable
from healthcode.jobs.model import MAX_ATTEMPTS
from healthcode.notifications.delivery import DeliveryReport, deliver_due
from healthcode.notifications.webhooks import HttpWebhookSender

notify_app = typer.Typer(help="Notifications to channels (webhooks).", no_args_is_help=True)


@notify_app.command("deliver")
def deliver(
    once: Annotated[bool, typer.Option("--once", help="One pass, then exit.")] = False,
    interval: Annotated[float, typer.Option(help="Seconds between passes.")] = 5.0,
    max_attempts: Annotated[
        int, typer.Option(help="Attempts before a message is parked.")
    ] = MAX_ATTEMPTS,
    as_json: JsonOpt = False,
) -> None:
    """Send due webhooks (signed, with an idempotency key; failures retried with back-off,
    parked after --max-attempts). Runs until interrupted unless --once. Workers deliver them
    too: this is for running delivery on its own."""
    sender = HttpWebhookSender()
    total = DeliveryReport()
    try:
        with refusals(as_json=as_json), system(as_json=as_json) as c:
            while True:
                report = deliver_due(
                    uow_factory=c.uow, clock=c.clock, sender=sender, max_attempts=max_attempts
                )
                total.delivered += report.delivered
                total.retried += report.retried
                total.parked += report.parked
                if once:
                    break
                if not report.attempted:
                    time.sleep(interval)
    except KeyboardInterrupt:  # pragma: no cover - interactive
        pass
    finally:
        sender.close()
    emit(
        vars(total),
        as_json=as_json,
        human=lambda console: console.print(
            f"delivered {total.delivered}, to retry {total.retried}, parked {total.parked}"
        ),
    )


COMMANDS: CommandTable = (("notify", notify_app),)
