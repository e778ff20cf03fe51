"""`healthcode scan`: the checkpoint device side, offline first.

    healthcode scan TOKEN --venue V --device-key device.json --trust-list tl.json \\
        [--root-key B64] [--temperature 37.5] [--queue scans.jsonl]
        # decides offline (exit 0 pass, 1 stop, 2 invalid) and appends the scan to the queue
    healthcode scan upload --device-key device.json --queue scans.jsonl [--server URL]
        # signs the queued scans in batches of 1,000 and uploads them (to URL over HTTP, or
        # into this instance's database); the queue is emptied into QUEUE.sent once all landed
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from healthcode.checkpoint.device import (
    archive,
    decide,
    enqueue,
    load_device_file,
    next_seq,
    read_queue,
    scan_record,
    signed_batches,
)
from healthcode.cli.context import system
from healthcode.cli.groups import default_command
from healthcode.cli.options import JsonOpt
from healthcode.cli.output import emit, parse_at, refusals, refuse
from healthcode.codes.keys import list_keys
from healthcode.credentials.signer import load_public_key
from healthcode.credentials.trustfile import load_trust_list
from healthcode.credentials.truststore import TrustStore
from healthcode.credentials.verify import Outcome
from healthcode.kernel.clock import SystemClock
from healthcode.kernel.errors import DomainError, InvalidInput
from healthcode.presence.scans import upload_scans

scan_app = typer.Typer(
    cls=default_command("check"),
    help="A checkpoint: decide offline (`healthcode scan TOKEN …`), upload queued scans.",
    no_args_is_help=True,
)

EXIT = {Outcome.PASS: 0, Outcome.STOP: 1, Outcome.INVALID: 2}
DeviceKeyOpt = Annotated[
    Path, typer.Option("--device-key", help="The device file (from `healthcode device add`).")
]
QueueOpt = Annotated[Path, typer.Option("--queue", help="The local queue of scans (JSON lines).")]


def _root(jurisdiction: str, root_key: str | None, as_json: bool) -> bytes:
    if root_key is not None:
        try:
            raw = base64.urlsafe_b64decode(root_key + "=" * (-len(root_key) % 4))
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32:
            raise InvalidInput.one("root_key", "must be a base64url Ed25519 public key")
        return raw
    with system(as_json=as_json) as c:
        roots = [k for k in list_keys(uow=c.uow(), jurisdiction=jurisdiction) if k.role == "root"]
    if not roots:
        raise InvalidInput.one("root_key", f"no root key of {jurisdiction} known here: --root-key")
    return roots[-1].public_key


@scan_app.command("check")
def scan_check(
    token: Annotated[str, typer.Argument(help="The scanned code (HZ1:…).")],
    venue: Annotated[str, typer.Option("--venue", help="This checkpoint's venue id.")],
    device_key: DeviceKeyOpt,
    trust_list: Annotated[
        list[Path], typer.Option("--trust-list", help="A trust-list file (repeatable).")
    ],
    queue: QueueOpt = Path("scans.jsonl"),
    root_key: Annotated[
        str | None, typer.Option("--root-key", help="Pinned issuer root key (base64url).")
    ] = None,
    temperature: Annotated[
        float | None, typer.Option("--temperature", help="Body temperature, °C.")
    ] = None,
    at: Annotated[str | None, typer.Option("--at", help="Scan as at this ISO 8601 time.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Decide offline at this checkpoint (exit 0 pass, 1 stop, 2 invalid); queue the scan
    (the default command: `healthcode scan TOKEN …`)."""
    moment = parse_at(at, as_json=as_json) or SystemClock().now()
    try:
        config = load_device_file(device_key.read_text(encoding="utf-8"))
        if config.venue != venue:
            raise InvalidInput.one("venue", f"this device belongs to venue {config.venue}")
        signed = [load_trust_list(p.read_bytes()) for p in trust_list]
        if not signed:
            raise InvalidInput.one("trust_list", "at least one --trust-list FILE is needed")
        store = TrustStore(
            roots={
                s.trust_list.jurisdiction: load_public_key(
                    _root(s.trust_list.jurisdiction, root_key, as_json)
                )
                for s in signed
            }
        )
        for s in signed:
            store.accept(s)
        decision = decide(
            token, config=config, trust_store=store, at=moment, temperature=temperature
        )
    except (DomainError, OSError) as error:
        refuse(error if isinstance(error, DomainError) else str(error), as_json=as_json, code=2)
    record = scan_record(decision, seq=next_seq(queue, moment), at=moment, temperature=temperature)
    if record is not None:
        enqueue(queue, record)
    payload: dict[str, Any] = {
        "outcome": decision.outcome.value,
        "reason": decision.reason.value,
        "message": decision.message,
        "colour": None if decision.colour is None else decision.colour.value,
        "masked_name": decision.masked_name,
        "queued": record is not None,
        "seq": None if record is None else record.seq,
    }

    def human(console: Console) -> None:
        style = {Outcome.PASS: "bold white on green", Outcome.STOP: "bold white on red"}.get(
            decision.outcome, "bold white on grey35"
        )
        console.print(f"[{style}] {decision.outcome.value.upper()} [/] {decision.message}")

    emit(payload, as_json=as_json, human=human)
    raise typer.Exit(EXIT[decision.outcome])


def _post(server: str, body: dict[str, Any]) -> dict[str, Any]:
    import httpx2

    url = server.rstrip("/") + "/api/v1/scans/batches"
    try:
        response = httpx2.post(url, json=body, timeout=30)
    except httpx2.HTTPError as error:
        raise InvalidInput.one("server", f"cannot reach {url}: {error}") from None
    if response.status_code != 200:
        problems = response.json().get("errors") if response.content else None
        detail = "; ".join(f"{p['field']}: {p['message']}" for p in problems or [])
        raise InvalidInput.one("upload", f"{response.status_code} {detail or response.text}")
    result: dict[str, Any] = response.json()
    return result


@scan_app.command("upload")
def scan_upload(
    device_key: DeviceKeyOpt,
    queue: QueueOpt = Path("scans.jsonl"),
    server: Annotated[
        str | None,
        typer.Option(
            "--server",
            help="Upload to this healthcode server (default: this "
            "instance's database, for a checkpoint run on the server).",
        ),
    ] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="Receive as at this ISO 8601 time (local upload).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Sign the queued scans in batches of 1,000 and upload them; re-running after a failure
    is safe (every scan is stored once)."""
    with refusals(as_json=as_json):
        config = load_device_file(device_key.read_text(encoding="utf-8"))
        scans = read_queue(queue)
        receipts: list[dict[str, Any]] = []
        for body in signed_batches(config, scans):
            if server is not None:
                receipts.append(_post(server, body))
            else:
                with system(at=parse_at(at, as_json=as_json), as_json=as_json) as c:
                    receipt = upload_scans(
                        uow=c.uow(),
                        clock=c.clock,
                        jurisdiction=c.settings.jurisdiction,
                        batch=body,
                    )
                receipts.append(vars(receipt))
        if scans:
            archive(queue)
    payload = {
        "scans": len(scans),
        "batches": len(receipts),
        "stored": sum(r["stored"] for r in receipts),
        "duplicates": sum(r["duplicates"] for r in receipts),
    }
    emit(
        payload,
        as_json=as_json,
        human=lambda con: con.print(
            f"uploaded {payload['scans']} scans in {payload['batches']} batches: "
            f"{payload['stored']} new, {payload['duplicates']} already held"
        ),
    )
