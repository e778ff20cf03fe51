"""`healthcode notify deliver` and `healthcode demo seed`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)
from rich.console import Console

from healthcode.adapters.webhooks import HttpWebhookSender
from healthcode.cli.context import system
from healthcode.cli.options import JsonOpt
from healthcode.cli.output import emit, refusals
from healthcode.services.channels import NewChannel
from healthcode.services.demo import DEMO_CHANNELS, seed_demo_channels
from healthcode.services.notifications import DEFAULT_MAX_ATTEMPTS, DeliveryReport, deliver_due

notify_app = typer.Typer(help="Notifications to channels (webhooks).", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)


@notify_app.command("deliver")
def deliver(
    once: Annotated[bool, typer.Option("--once", help="One pass, then exit.")] = False,
    interval: Annotated[float, typer.Option(help="Seconds between passes.")] = 5.0,
    max_attempts: Annotated[
        int, typer.Option(help="Attempts before a message is parked.")
    ] = DEFAULT_MAX_ATTEMPTS,
    as_json: JsonOpt = False,
) -> None:
    """Send due webhooks from the outbox (signed, with an idempotency key; failures retried
    with back-off, parked after --max-attempts). Runs until interrupted unless --once."""
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


def _demo_key(folder: Path, name: str) -> str:
    """The demo channel's public key; its private key is kept in ``folder`` (mode 0600) so a
    demo partner app can sign assertions."""
    path = folder / f"{name}.key"
    if path.exists():
        private = load_pem_private_key(path.read_bytes(), password=None)
        assert isinstance(private, Ed25519PrivateKey)
    else:
        folder.mkdir(parents=True, exist_ok=True)
        private = Ed25519PrivateKey.generate()
        pem = private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        path.touch(mode=0o600)
        path.write_bytes(pem)
    public = private.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    return public.decode()


def _secrets(created: NewChannel) -> dict[str, str]:
    return {"client_secret": created.client_secret, "webhook_secret": created.webhook_secret}


@demo_app.command("seed")
def seed(
    keys_dir: Annotated[
        Path, typer.Option(help="Where the demo channels' private keys are kept.")
    ] = Path("var/demo-channels"),
    webhook_base_url: Annotated[
        str, typer.Option(help="Webhooks go to BASE/<channel name>.")
    ] = "http://127.0.0.1:8001/webhooks",
    as_json: JsonOpt = False,
) -> None:
    """Register three partner apps (alipay, wechat, dingtalk) and the city website as channels.
    Idempotent: a second run keeps what is there (secrets are printed only when created)."""
    with refusals(as_json=as_json), system(as_json=as_json) as c:
        keys = {name: _demo_key(keys_dir, name) for name in DEMO_CHANNELS}
        seeded = seed_demo_channels(
            uow=c.uow(), clock=c.clock, public_keys=keys, webhook_base_url=webhook_base_url
        )
    payload = [
        {
            "name": s.name,
            "client_id": s.id,
            "created": s.created,
            "private_key_file": str(keys_dir / f"{s.name}.key"),
            **(
                {
                    "client_secret": s.secrets.client_secret,
                    "webhook_secret": s.secrets.webhook_secret,
                }
                if s.secrets
                else {}
            ),
        }
        for s in seeded
    ]

    def human(console: Console) -> None:
        for item in payload:
            state = "created" if item["created"] else "kept"
            console.print(f"{state} channel {item['name']} ({item['client_id']})")
            if item["created"]:
                console.print(f"  client secret (shown once): {item['client_secret']}")

    emit(payload, as_json=as_json, human=human)
