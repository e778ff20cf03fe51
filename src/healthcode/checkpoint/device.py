"""The device side of a checkpoint: no database, no network needed to decide.

A device holds a **device file** (its id, venue, the colours that pass there, its Ed25519
private key; written by ``healthcode device add --key-out FILE``, mode 0600) and the trust
lists of the issuers it accepts. For each code it scans it decides offline with the signed-code
verifier (``healthcode.credentials.verify``), optionally with a body temperature (37.3 °C or
more is a stop), and appends the scan to a local **queue** (JSON lines). Later, online, it
signs the queued scans in batches and uploads them; the server stores each scan once however
often it is sent, so a failed upload is simply retried.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

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
from healthcode.credentials.claims import Colour as CodeColour
from healthcode.credentials.signer import load_private_key, private_key_bytes
from healthcode.credentials.truststore import TrustStore
from healthcode.credentials.verify import Acceptance, Decision, Outcome, verify
from healthcode.kernel.errors import InvalidInput, Problem
from healthcode.kernel.facts import FEVER_THRESHOLD_CELSIUS

DEVICE_FILE_FORMAT: Final = "healthcode-device/1"
UPLOAD_BATCH: Final = 1_000
FEVER_REASON: Final = "fever"


@dataclass(frozen=True, kw_only=True)
class DeviceConfig:
    device: str
    venue: str
    kind: str
    jurisdiction: str
    colours: frozenset[CodeColour]
    private_key: Ed25519PrivateKey


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
        colours = frozenset(CodeColour(c) for c in raw["colours"])
        return DeviceConfig(
            device=str(raw["device"]),
            venue=str(raw["venue"]),
            kind=str(raw["kind"]),
            jurisdiction=str(raw["jurisdiction"]),
            colours=colours,
            private_key=load_private_key(
                unb64(str(raw["private_key"]), size=32, field="device_key.private_key")
            ),
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
) -> Decision:
    """The checkpoint's decision, offline: the code's, then a fever turns a pass into a stop."""
    if temperature is not None and not MIN_TEMPERATURE <= temperature <= MAX_TEMPERATURE:
        raise InvalidInput.one(
            "temperature", f"must be between {MIN_TEMPERATURE} and {MAX_TEMPERATURE} °C"
        )
    acceptance = Acceptance(trust_store.jurisdictions, config.colours)
    decision = verify(token, trust_lists=trust_store, at=at, acceptance=acceptance)
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
    decision: Decision, *, seq: int, at: datetime, temperature: float | None
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
    )


def _seq_file(queue: Path) -> Path:
    return queue.with_name(queue.name + ".seq")


def next_seq(queue: Path, at: datetime) -> int:
    """A sequence number this device never used: at least the time in milliseconds, and
    above the last one used (kept beside the queue), so a reset counter cannot collide."""
    seq_file = _seq_file(queue)
    last = int(seq_file.read_text()) if seq_file.exists() else -1
    seq = max(int(at.timestamp() * 1000), last + 1)
    seq_file.write_text(str(seq))
    return seq


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
