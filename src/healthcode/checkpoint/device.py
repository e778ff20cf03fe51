"""The device side of a checkpoint: no database, no network needed to decide.

A device holds a **device file** (its id, venue, the colours that pass there, its Ed25519
private key and the root keys it pins; written by ``healthcode device add --key-out FILE``, mode
0600) and the trust lists of the issuers it accepts. For each code it scans it decides offline
with the signed-code verifier (``healthcode.credentials.verify``), optionally with a body
temperature (37.3 °C or more is a stop), and appends the scan to a local **queue** (JSON lines).
Later, online, it signs the queued scans in batches and uploads them; the server stores each
scan once however often it is sent, so a failed upload is simply retried.

Beside the queue the device keeps ``QUEUE.seq`` (the last sequence number used) and
``QUEUE.seen`` (the codes scanned here that are still valid, to flag a code scanned twice
within its lifetime: the person is not refused, the repeat is said and queued as
``repeat_of``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final, NamedTuple

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from healthcode.checkpoint.batches import (
    MAX_TEMPERATURE,
    MIN_TEMPERATURE,
    ScanRecord,
    b64,
    parse_batch,
    sign_batch,
    unb64,
)
from healthcode.credentials.signer import load_private_key, private_key_bytes
from healthcode.credentials.truststore import TrustStore
from healthcode.credentials.verify import Acceptance, Decision, Outcome, verify
from healthcode.kernel.errors import InvalidInput, Problem
from healthcode.kernel.facts import FEVER_THRESHOLD_CELSIUS, Colour

DEVICE_FILE_FORMAT: Final = "healthcode-device/1"
UPLOAD_BATCH: Final = 1_000
FEVER_REASON: Final = "fever"


@dataclass(frozen=True, kw_only=True)
class DeviceConfig:
    device: str
    venue: str
    kind: str
    jurisdiction: str
    colours: frozenset[Colour]
    private_key: Ed25519PrivateKey
    root_keys: Mapping[str, bytes] = field(default_factory=dict)
    """Pinned root public keys by jurisdiction (its own, written by ``device add``)."""


def device_file_text(config: DeviceConfig) -> str:
    return (
        json.dumps(
            {
                "format": DEVICE_FILE_FORMAT,
                "device": config.device,
                "venue": config.venue,
                "kind": config.kind,
                "jurisdiction": config.jurisdiction,
                "colours": sorted(c.value for c in config.colours),
                "private_key": b64(private_key_bytes(config.private_key)),
                "root_keys": {j: b64(k) for j, k in sorted(config.root_keys.items())},
            },
            indent=2,
        )
        + "\n"
    )


def write_device_file(path: Path, config: DeviceConfig) -> None:
    """Write the device file readable by its owner only (it holds the private key)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(device_file_text(config))


def load_device_file(text: str) -> DeviceConfig:
    try:
        raw: Any = json.loads(text)
    except ValueError:
        raise InvalidInput.one("device_key", "is not a device file (JSON)") from None
    if not isinstance(raw, dict) or raw.get("format") != DEVICE_FILE_FORMAT:
        raise InvalidInput.one("device_key", f"is not a {DEVICE_FILE_FORMAT} file")
    try:
        colours = frozenset(Colour(c) for c in raw["colours"])
        return DeviceConfig(
            device=str(raw["device"]),
            venue=str(raw["venue"]),
            kind=str(raw["kind"]),
            jurisdiction=str(raw["jurisdiction"]),
            colours=colours,
            private_key=load_private_key(
                unb64(str(raw["private_key"]), size=32, field="device_key.private_key")
            ),
            root_keys={
                str(j): unb64(str(k), size=32, field=f"device_key.root_keys.{j}")
                for j, k in dict(raw.get("root_keys") or {}).items()
            },
        )
    except (KeyError, ValueError, TypeError):
        raise InvalidInput.one("device_key", "is missing fields or has malformed ones") from None


def decide(
    token: str,
    *,
    config: DeviceConfig,
    trust_store: TrustStore,
    at: datetime,
    temperature: float | None = None,
    acceptance: Acceptance | None = None,
    max_trust_list_age: timedelta | None = None,
) -> Decision:
    """The checkpoint's decision, offline: the code's, then a fever turns a pass into a stop.

    `acceptance`: the checkpoint's, from its policy (`healthcode.checkpoint.acceptance`);
    default: every held jurisdiction's codes in the device's colours. A decision on a code
    whose trust list is older than `max_trust_list_age` is marked degraded."""
    if temperature is not None and not MIN_TEMPERATURE <= temperature <= MAX_TEMPERATURE:
        raise InvalidInput.one(
            "temperature", f"must be between {MIN_TEMPERATURE} and {MAX_TEMPERATURE} °C"
        )
    if acceptance is None:
        acceptance = Acceptance(trust_store.jurisdictions, config.colours)
    decision = verify(
        token,
        trust_lists=trust_store,
        at=at,
        acceptance=acceptance,
        max_trust_list_age=max_trust_list_age,
    )
    if (
        temperature is not None
        and temperature >= FEVER_THRESHOLD_CELSIUS
        and decision.outcome is Outcome.PASS
    ):
        from healthcode.credentials.errors import Reason

        decision = decision._replace(
            outcome=Outcome.STOP,
            reason=Reason.COLOUR_NOT_ACCEPTED,
            message=f"temperature {temperature:.1f} °C: stop (fever)",
        )
    return decision


def scan_record(
    decision: Decision,
    *,
    seq: int,
    at: datetime,
    temperature: float | None,
    vehicle: str | None = None,
    repeat_of: int | None = None,
) -> ScanRecord | None:
    """What the device queues for a decision: only scans whose code named a person."""
    if decision.subject is None or decision.issuer is None:
        return None
    fever = temperature is not None and temperature >= FEVER_THRESHOLD_CELSIUS
    return ScanRecord(
        seq=seq,
        subject=decision.subject,
        at=at.astimezone(UTC),
        outcome=decision.outcome.value,
        reason=FEVER_REASON if fever else decision.reason.value,
        issuer=decision.issuer,
        temperature=None if temperature is None else round(temperature, 1),
        vehicle=vehicle,
        repeat_of=repeat_of,
    )


class EarlierScan(NamedTuple):
    """This device's earlier scan of the same code."""

    seq: int
    at: datetime


def _seen_file(queue: Path) -> Path:
    return queue.with_name(queue.name + ".seen")


def _code_key(decision: Decision) -> str | None:
    """The same code: its subject and its moment of issue (a code is signed once)."""
    if decision.subject is None or decision.issued_at is None or decision.expires_at is None:
        return None
    return f"{decision.subject}@{int(decision.issued_at.timestamp())}"


def _live_seen(queue: Path, at: datetime) -> dict[str, list[Any]]:
    """The codes scanned here that are still valid at ``at``: key → [seq, at, expires]."""
    path = _seen_file(queue)
    try:
        held: Any = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except ValueError:  # a damaged file only loses the flags; scanning goes on
        held = {}
    if not isinstance(held, dict):
        return {}
    return {
        k: v
        for k, v in held.items()
        if isinstance(v, list) and len(v) == 3 and _after(v[2], at) and isinstance(v[0], int)
    }


def _after(text: object, at: datetime) -> bool:
    try:
        return datetime.fromisoformat(str(text)) > at
    except ValueError:
        return False


def earlier_scan(queue: Path, decision: Decision, *, at: datetime) -> EarlierScan | None:
    """This device's earlier scan of the same code within the code's lifetime, if any."""
    key = _code_key(decision)
    found = None if key is None else _live_seen(queue, at).get(key)
    if found is None:
        return None
    try:
        return EarlierScan(seq=found[0], at=datetime.fromisoformat(found[1]))
    except (TypeError, ValueError):
        return None


def remember(queue: Path, decision: Decision, record: ScanRecord) -> None:
    """Note the code scanned (the first scan of it stays the one a repeat points to); codes
    no longer valid are forgotten, so the file holds only the codes of the last lifetime."""
    key = _code_key(decision)
    if key is None or decision.expires_at is None:
        return
    held = _live_seen(queue, record.at)
    held.setdefault(
        key, [record.seq, record.at.isoformat(), decision.expires_at.astimezone(UTC).isoformat()]
    )
    path = _seen_file(queue)
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(json.dumps(held, separators=(",", ":")), encoding="utf-8")
    partial.replace(path)


def _seq_file(queue: Path) -> Path:
    return queue.with_name(queue.name + ".seq")


def next_seq(queue: Path, at: datetime) -> int:
    """A sequence number this device never used: at least the time in milliseconds, and
    above the last one used (kept beside the queue), so a reset counter cannot collide."""
    seq_file = _seq_file(queue)
    last = _last_seq(seq_file)
    seq = max(int(at.timestamp() * 1000), last + 1)
    partial = seq_file.with_name(seq_file.name + ".tmp")
    partial.write_text(str(seq))
    partial.replace(seq_file)  # a crash mid-write leaves the old number, never half of one
    return seq


def _last_seq(seq_file: Path) -> int:
    """The last sequence number used, or -1 with none yet. A damaged file is refused, naming
    it: guessing could reuse a number, and the server keeps only the first scan of each."""
    if not seq_file.exists():
        return -1
    text = seq_file.read_text(encoding="utf-8", errors="replace").strip()
    if not (text.isascii() and text.isdigit()):
        raise InvalidInput.one(
            seq_file.name,
            "must hold the last sequence number used (a whole number): restore it from a "
            "backup, or remove it if this device's clock is right",
        )
    return int(text)


def enqueue(queue: Path, record: ScanRecord) -> None:
    with queue.open("a", encoding="utf-8") as out:
        out.write(json.dumps(record.wire(), separators=(",", ":")) + "\n")


def read_queue(queue: Path) -> list[ScanRecord]:
    """The queued scans; a malformed line is refused with its line number."""
    if not queue.exists():
        return []
    items: list[Any] = []
    problems: list[Problem] = []
    for number, line in enumerate(queue.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except ValueError:
            problems.append(Problem(f"line {number}", "is not JSON"))
    if problems:
        raise InvalidInput(problems)
    if not items:
        return []
    # the same checks the server makes, without a signature
    return list(
        parse_batch({"device": "0" * 16, "scans": items, "signature": b64(bytes(64))}).scans
    )


def signed_batches(
    config: DeviceConfig, scans: Sequence[ScanRecord], *, size: int = UPLOAD_BATCH
) -> Iterator[dict[str, Any]]:
    """The queued scans as signed upload bodies of at most ``size`` scans."""
    for start in range(0, len(scans), size):
        yield sign_batch(config.device, scans[start : start + size], private_key=config.private_key)


def archive(queue: Path) -> None:
    """After a successful upload: move the queued lines to ``QUEUE.sent`` and empty the queue."""
    sent = queue.with_name(queue.name + ".sent")
    with sent.open("a", encoding="utf-8") as out:
        out.write(queue.read_text(encoding="utf-8"))
    queue.write_text("", encoding="utf-8")
