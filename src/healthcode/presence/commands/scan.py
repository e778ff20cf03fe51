"""`healthcode scan`: the checkpoint device side, offline first.

    healthcode scan TOKEN --venue V --device-key device.json --trust-list tl.json|DIR… \\
        [--root-key JURISDICTION=B64]… [--policy FILE.yaml] [--temperature 37.5]
        [--vehicle 浙A12345] [--queue scans.jsonl]
        # decides offline (exit 0 pass, 1 stop, 2 invalid code; docs/cli.md#exit-codes) by
        # the policy's acceptance (foreign codes by venue kind), says how old each held trust
        # list is (stale past the policy's limit) and appends the scan to the queue; a code
        # already scanned here within its lifetime is let through as decided, with "already
        # scanned here at 08:01"
    healthcode scan upload --device-key device.json --queue scans.jsonl [--server URL]
        # signs the queued scans in batches of 1,000 and uploads them (to URL over HTTP, or
        # into this instance's database); the queue is emptied into QUEUE.sent once all landed

Deciding needs no database: only the device file, the trust lists and the queue's folder.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from healthcode.checkpoint.acceptance import (
    DEFAULT_MAX_TRUST_LIST_AGE,
    acceptance_for,
    max_trust_list_age,
)
from healthcode.checkpoint.batches import MAX_VEHICLE
from healthcode.checkpoint.device import (
    DeviceConfig,
    archive,
    decide,
    earlier_scan,
    enqueue,
    load_device_file,
    next_seq,
    read_queue,
    remember,
    scan_record,
    signed_batches,
)
from healthcode.cli.context import system
from healthcode.cli.exit_codes import ExitCode, for_outcome
from healthcode.cli.groups import default_command
from healthcode.cli.offline import checkpoint_policy, hold_lists, print_trust_lists
from healthcode.cli.options import JsonOpt
from healthcode.cli.output import emit, parse_at, refusals, refuse
from healthcode.credentials.verify import Decision, Outcome
from healthcode.kernel.clock import SystemClock
from healthcode.kernel.errors import DomainError, InvalidInput
from healthcode.presence.scans import upload_scans
from healthcode.presence.venue_kinds import TRANSIT_KINDS

scan_app = typer.Typer(
    cls=default_command("check"),
    help="A checkpoint: decide offline (`healthcode scan TOKEN …`), upload queued scans.",
    no_args_is_help=True,
)

DeviceKeyOpt = Annotated[
    Path, typer.Option("--device-key", help="The device file (from `healthcode device add`).")
]
QueueOpt = Annotated[Path, typer.Option("--queue", help="The local queue of scans (JSON lines).")]
VehicleOpt = Annotated[
    str | None,
    typer.Option("--vehicle", help="On a bus or train: the vehicle (plate or train number)."),
]


def _vehicle(config: DeviceConfig, vehicle: str | None) -> str | None:
    """The vehicle a scan was made on: only at a bus route's or subway line's device."""
    if vehicle is None:
        return None
    vehicle = vehicle.strip()
    if not 0 < len(vehicle) <= MAX_VEHICLE or not vehicle.isprintable():
        raise InvalidInput.one("vehicle", f"must be 1 to {MAX_VEHICLE} printable characters")
    if config.kind not in {k.value for k in TRANSIT_KINDS}:
        raise InvalidInput.one("vehicle", f"a {config.kind} has no vehicles")
    return vehicle


def _decide(
    token: str,
    *,
    config: DeviceConfig,
    trust_list: list[Path],
    bundle: Path | None,
    root_key: list[str],
    policy: Path | None,
    moment: datetime,
    temperature: float | None,
    as_json: bool,
) -> tuple[Decision, list[dict[str, Any]]]:
    """The decision, and each held trust list's age (stale past the policy's limit)."""
    lists = hold_lists(
        trust_list, bundle, root_keys=root_key, held=config.root_keys, at=moment, as_json=as_json
    )
    chosen = checkpoint_policy(policy, config.jurisdiction)
    limit = DEFAULT_MAX_TRUST_LIST_AGE if chosen is None else max_trust_list_age(chosen)
    acceptance = (
        None
        if chosen is None
        else acceptance_for(
            chosen,
            kind=config.kind,
            own_colours=config.colours,
            trusted=lists.store.jurisdictions,
        )
    )
    decision = decide(
        token,
        config=config,
        trust_store=lists.store,
        at=moment,
        temperature=temperature,
        acceptance=acceptance,
        max_trust_list_age=limit,
    )
    return decision, lists.report(at=moment, limit=limit)


@scan_app.command("check")
def scan_check(
    token: Annotated[str, typer.Argument(help="The scanned code (HZ2:…).")],
    venue: Annotated[str, typer.Option("--venue", help="This checkpoint's venue id.")],
    device_key: DeviceKeyOpt,
    trust_list: Annotated[
        list[Path],
        typer.Option("--trust-list", help="A trust-list file, or a folder of them (repeatable)."),
    ] = [],  # noqa: B006 - Typer reads the default, never mutates it
    bundle: Annotated[
        Path | None,
        typer.Option(
            "--bundle",
            help="A trust bundle (the city's /.well-known/healthcode/trust-bundle) instead of "
            "--trust-list: checked under the city's root, its peers' lists under theirs.",
        ),
    ] = None,
    queue: QueueOpt = Path("scans.jsonl"),
    root_key: Annotated[
        list[str],
        typer.Option(
            "--root-key",
            help="A pinned root key, JURISDICTION=KEY (base64url; repeatable); a bare KEY "
            "pins every jurisdiction not named.",
        ),
    ] = [],  # noqa: B006 - Typer reads the default, never mutates it
    policy: Annotated[
        Path | None,
        typer.Option(
            "--policy",
            help="The policy deciding which foreign codes pass here (default: the bundled "
            "policy of the device's jurisdiction).",
        ),
    ] = None,
    temperature: Annotated[
        float | None, typer.Option("--temperature", help="Body temperature, °C.")
    ] = None,
    vehicle: VehicleOpt = None,
    at: Annotated[str | None, typer.Option("--at", help="Scan as at this ISO 8601 time.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Decide offline at this checkpoint (exit 0 pass, 1 stop, 2 invalid code); queue the scan
    (the default command: `healthcode scan TOKEN …`). Needs no database."""
    moment = parse_at(at, as_json=as_json) or SystemClock().now()
    try:
        config = load_device_file(device_key.read_text(encoding="utf-8"))
        if config.venue != venue:
            raise InvalidInput.one("venue", f"this device belongs to venue {config.venue}")
        on = _vehicle(config, vehicle)
        decision, held = _decide(
            token,
            config=config,
            trust_list=trust_list,
            bundle=bundle,
            root_key=root_key,
            policy=policy,
            moment=moment,
            temperature=temperature,
            as_json=as_json,
        )
        earlier = earlier_scan(queue, decision, at=moment)
        record = scan_record(
            decision,
            seq=next_seq(queue, moment),
            at=moment,
            temperature=temperature,
            vehicle=on,
            repeat_of=None if earlier is None else earlier.seq,
        )
        if record is not None:
            enqueue(queue, record)
            remember(queue, decision, record)
    except DomainError as error:
        refuse(error, as_json=as_json, code=ExitCode.DATA_ERROR)
    except (OSError, UnicodeDecodeError) as error:
        refuse(f"cannot read or write a file: {error}", as_json=as_json, code=ExitCode.NO_INPUT)
    # the first scan's time as the guard reads clocks: in --at's zone, else the device's own
    zone = moment.tzinfo if at is not None else None
    repeat = (
        None if earlier is None else f"already scanned here at {earlier.at.astimezone(zone):%H:%M}"
    )
    payload: dict[str, Any] = {
        "outcome": decision.outcome.value,
        "reason": decision.reason.value,
        "message": decision.message,
        "colour": None if decision.colour is None else decision.colour.value,
        "masked_name": decision.masked_name,
        "queued": record is not None,
        "seq": None if record is None else record.seq,
        "venue": config.venue,
        "vehicle": on,
        "repeat": repeat,
        "repeat_of": None if earlier is None else earlier.seq,
        "already_scanned_at": None if earlier is None else earlier.at,
        "degraded": decision.degraded,
        "trust_lists": held,
    }

    def human(console: Console) -> None:
        style = {Outcome.PASS: "bold white on green", Outcome.STOP: "bold white on red"}.get(
            decision.outcome, "bold white on grey35"
        )
        console.print(f"[{style}] {decision.outcome.value.upper()} [/] {decision.message}")
        if on is not None:
            console.print(f"vehicle {on} of line {config.venue}")
        if repeat is not None:
            console.print(f"[bold yellow]{repeat}[/]")
        print_trust_lists(console, held)

    emit(payload, as_json=as_json, human=human)
    raise typer.Exit(for_outcome(decision.outcome.value))


class Unreachable(Exception):
    """The server could not be reached (exit 69): nothing was uploaded by this request."""


UPLOAD_ATTEMPTS = 5  # tries of one batch while the server answers 503 with Retry-After
MAX_RETRY_WAIT = 60.0  # seconds: a longer Retry-After is waited this long
pause: Callable[[float], None] = time.sleep  # how the upload waits (tests replace it)


def retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None when
    there is none or it cannot be read; capped at ``MAX_RETRY_WAIT``."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return min(float(text), MAX_RETRY_WAIT)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return min(max((when - now).total_seconds(), 0.0), MAX_RETRY_WAIT)


def post_batch(server: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST one signed batch; a 503 with Retry-After (the server shedding load) is retried
    after the wait it asks for, up to ``UPLOAD_ATTEMPTS`` tries in all. A 503 without it (a
    retired instance), or still 503 at the last try, is ``Unreachable``."""
    import httpx2

    url = server.rstrip("/") + "/api/v1/scans/batches"
    for attempt in range(1, UPLOAD_ATTEMPTS + 1):
        try:
            response = httpx2.post(url, json=body, timeout=30)
        except httpx2.HTTPError as error:
            raise Unreachable(f"cannot reach {url}: {error}") from None
        if response.status_code != 503:
            break
        wait = retry_after(response.headers.get("Retry-After"), SystemClock().now())
        if wait is None or attempt == UPLOAD_ATTEMPTS:
            tries = f" after {attempt} tries" if attempt > 1 else ""
            raise Unreachable(f"{url} is unavailable{tries} (503): {_detail(response)}")
        pause(wait)
    try:
        answer: Any = response.json() if response.content else None
    except ValueError:
        answer = None
    if response.status_code != 200 or not isinstance(answer, dict):
        problems = answer.get("errors") if isinstance(answer, dict) else None
        detail = "; ".join(f"{p.get('field')}: {p.get('message')}" for p in problems or [])
        raise InvalidInput.one("upload", f"{response.status_code} {detail or response.text}")
    return answer


def _detail(response: Any) -> str:
    try:
        answer = response.json()
    except ValueError:
        return str(response.text)[:200]
    if isinstance(answer, dict):
        return str(answer.get("detail") or answer.get("title") or answer)[:200]
    return str(answer)[:200]


def _upload(
    device_key: Path, queue: Path, server: str | None, at: str | None, as_json: bool
) -> tuple[list[dict[str, Any]], list[Any]]:
    """Sign and send the queued scans; the receipts and the scans sent."""
    with refusals(as_json=as_json):
        config = load_device_file(device_key.read_text(encoding="utf-8"))
        scans = read_queue(queue)
        receipts: list[dict[str, Any]] = []
        for body in signed_batches(config, scans):
            if server is not None:
                receipts.append(post_batch(server, body))
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
    return receipts, scans


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
    try:
        receipts, scans = _upload(device_key, queue, server, at, as_json)
    except (OSError, UnicodeDecodeError) as error:
        refuse(f"cannot read or write a file: {error}", as_json=as_json, code=ExitCode.NO_INPUT)
    except Unreachable as error:
        refuse(str(error), as_json=as_json, code=ExitCode.UNAVAILABLE)
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
