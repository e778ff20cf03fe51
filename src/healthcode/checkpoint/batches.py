"""The wire form of a checkpoint's batch of scans, and its Ed25519 signature.

JSON (what a device sends to ``POST /api/v1/scans/batches``)::

    {"device": "<16 hex: the device key's id>",
     "scans": [{"seq": 1718000000123, "subject": "<opaque id>", "at": "2026-03-01T01:00:00Z",
                "outcome": "pass", "reason": "ok", "issuer": "330100",
                "temperature": 36.6, "vehicle": null, "repeat_of": null}, ...],
     "signature": "<base64url, 64 bytes>"}

``seq`` is unique per device (the device never reuses one), so ``device + seq`` names a scan:
a scan sent twice, in one batch or in two, is stored once. ``temperature`` (°C, optional) and
``vehicle`` (for buses and subway trains: the trip's vehicle, optional) may be null.
``repeat_of`` (optional, may be omitted or null) is the ``seq`` of this device's earlier scan
of the same code: the code was scanned here twice within its lifetime.

What is signed: the deterministic CBOR (RFC 8949 §4.2) of

    ["healthcode scan batch v1", device,
     [[seq, subject, at (epoch milliseconds), outcome, reason, issuer,
       temperature in tenths of a degree or null, vehicle or null(, repeat_of)], ...]]

so the JSON's spacing, key order and time spelling do not matter, only the values. A scan
with no ``repeat_of`` is signed with eight items, one with it with nine: batches without
repeats sign the same bytes as before the field existed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, NamedTuple

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from healthcode.kernel.errors import InvalidInput, Problem
from healthcode.kernel.text import TextKind, is_clean_line, normalise, text_problem
from healthcode.kernel.times import RANGE_RULE, time_problem

SIGNING_CONTEXT: Final = "healthcode scan batch v1"
MAX_SCANS: Final = 5_000
MAX_PROBLEMS: Final = 100
OUTCOMES: Final = frozenset({"pass", "stop", "invalid"})
MIN_TEMPERATURE, MAX_TEMPERATURE = 34.0, 43.0
MAX_SUBJECT, MAX_REASON, MAX_VEHICLE = 64, 40, 31
_MAX_SEQ: Final = 2**63 - 1
_HEX = frozenset("0123456789abcdef")


class ScanRecord(NamedTuple):
    """One scan as a device recorded it (a NamedTuple: a batch builds a thousand of them)."""

    seq: int
    subject: str
    at: datetime
    outcome: str
    reason: str
    issuer: str
    temperature: float | None = None
    vehicle: str | None = None
    repeat_of: int | None = None

    def wire(self) -> dict[str, Any]:
        body = {
            "seq": self.seq,
            "subject": self.subject,
            "at": self.at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "outcome": self.outcome,
            "reason": self.reason,
            "issuer": self.issuer,
            "temperature": self.temperature,
            "vehicle": self.vehicle,
        }
        if self.repeat_of is not None:
            body["repeat_of"] = self.repeat_of
        return body

    def signed_items(self) -> list[Any]:
        """The scan's items in the signed array (``repeat_of`` only when there is one)."""
        items = [
            self.seq,
            self.subject,
            int(self.at.timestamp() * 1000),
            self.outcome,
            self.reason,
            self.issuer,
            _tenths(self.temperature),
            self.vehicle,
        ]
        if self.repeat_of is not None:
            items.append(self.repeat_of)
        return items


def _tenths(temperature: float | None) -> int | None:
    return None if temperature is None else round(temperature * 10)


def to_be_signed(device: str, scans: Sequence[ScanRecord]) -> bytes:
    """The bytes a device signs for a batch."""
    return cbor2.dumps([SIGNING_CONTEXT, device, [s.signed_items() for s in scans]], canonical=True)


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def unb64(text: str, *, size: int, field: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError, TypeError):
        raw = b""
    if len(raw) != size:
        raise InvalidInput.one(field, f"must be {size} bytes in base64url")
    return raw


def sign_batch(
    device: str, scans: Sequence[ScanRecord], *, private_key: Ed25519PrivateKey
) -> dict[str, Any]:
    """The JSON body of a signed batch."""
    signature = private_key.sign(to_be_signed(device, scans))
    return {"device": device, "scans": [s.wire() for s in scans], "signature": b64(signature)}


def signature_holds(
    public_key: Ed25519PublicKey, device: str, scans: Sequence[ScanRecord], signature: bytes
) -> tuple[bool, bytes]:
    """Whether the signature verifies; also the signed bytes (their digest names the batch)."""
    message = to_be_signed(device, scans)
    try:
        public_key.verify(signature, message)
    except InvalidSignature:
        return False, message
    return True, message


def batch_id(message: bytes) -> str:
    return hashlib.sha256(message).hexdigest()


def scan_id(device: str, seq: int) -> str:
    """The stored id of a scan (and of its presence): the same for every upload of it."""
    return hashlib.sha256(f"scan:{device}:{seq}".encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class ParsedBatch:
    device: str
    scans: tuple[ScanRecord, ...]
    signature: bytes


def parse_batch(document: object) -> ParsedBatch:
    """Check the form of a batch; ``InvalidInput`` names each bad item (``scans[17].at: …``).
    Nothing is checked against storage here (devices, subjects, times)."""
    if not isinstance(document, Mapping):
        raise InvalidInput.one("batch", "must be a JSON object")
    problems: list[Problem] = []
    extra = sorted(set(document) - {"device", "scans", "signature"})
    problems += [Problem(name, "is not a known field") for name in extra]
    device = document.get("device")
    if not isinstance(device, str) or len(device) != 16 or not set(device) <= _HEX:
        problems.append(Problem("device", "must be the device's id: 16 lowercase hex digits"))
    signature = b""
    try:
        signature = unb64(str(document.get("signature", "")), size=64, field="signature")
    except InvalidInput as bad:
        problems += bad.problems
    raw_scans = document.get("scans")
    scans: list[ScanRecord] = []
    if not isinstance(raw_scans, list) or not raw_scans:
        problems.append(Problem("scans", "must be a non-empty list"))
    elif len(raw_scans) > MAX_SCANS:
        problems.append(Problem("scans", f"at most {MAX_SCANS} scans in one batch"))
    else:
        scans = _scans(raw_scans, problems)
    if problems or not isinstance(device, str):  # a device that is no text is a problem
        raise InvalidInput(problems[:MAX_PROBLEMS])
    return ParsedBatch(device, tuple(scans), signature)


def _scans(items: list[object], problems: list[Problem]) -> list[ScanRecord]:
    """The scans the items describe; each bad item, and each seq repeated with other data, a
    problem (at most ``MAX_PROBLEMS`` of them)."""
    scans: list[ScanRecord] = []
    seen: dict[int, int] = {}
    for i, item in enumerate(items):
        scan = _scan(item, f"scans[{i}]", problems)
        if scan is None:
            continue
        if scan.seq in seen and scans[seen[scan.seq]] != scan:
            problems.append(
                Problem(f"scans[{i}].seq", f"repeats scans[{seen[scan.seq]}] with other data")
            )
        seen.setdefault(scan.seq, len(scans))
        scans.append(scan)
        if len(problems) >= MAX_PROBLEMS:
            break
    return scans


def _scan(item: object, path: str, problems: list[Problem]) -> ScanRecord | None:
    """The scan an item describes, or None with its problems recorded."""
    fast = _scan_fast(item)
    return fast if fast is not None else _scan_checked(item, path, problems)


def _scan_fast(item: object) -> ScanRecord | None:
    """The common case, checked in one expression (None: let the careful path say why)."""
    if type(item) is not dict:
        return None
    seq, subject, at = item.get("seq"), item.get("subject"), item.get("at")
    outcome, reason, issuer = item.get("outcome"), item.get("reason", ""), item.get("issuer")
    temperature, vehicle = item.get("temperature"), item.get("vehicle")
    repeat = item.get("repeat_of")
    if not (
        type(seq) is int
        and 0 <= seq <= _MAX_SEQ
        and type(subject) is str
        and 0 < len(subject) <= MAX_SUBJECT
        and is_clean_line(subject)
        and type(at) is str
        and type(outcome) is str
        and outcome in OUTCOMES
        and type(reason) is str
        and len(reason) <= MAX_REASON
        and (not reason or is_clean_line(reason))
        and type(issuer) is str
        and len(issuer) == 6
        and issuer.isdigit()
        and (
            temperature is None
            or (
                type(temperature) in (int, float)
                and MIN_TEMPERATURE <= temperature <= MAX_TEMPERATURE
            )
        )
        and (
            vehicle is None
            or (type(vehicle) is str and 0 < len(vehicle) <= MAX_VEHICLE and is_clean_line(vehicle))
        )
        and (repeat is None or (type(repeat) is int and 0 <= repeat <= _MAX_SEQ))
        and len(item) <= 9
    ):
        return None
    when = _time(at)
    if when is None:
        return None
    return ScanRecord(
        seq,
        subject,
        when,
        outcome,
        reason,
        issuer,
        None if temperature is None else round(float(temperature), 1),
        vehicle,
        repeat,
    )


def _scan_checked(item: object, path: str, problems: list[Problem]) -> ScanRecord | None:
    if not isinstance(item, Mapping):
        problems.append(Problem(path, "must be an object"))
        return None
    before = len(problems)
    seq, subject, at = item.get("seq"), item.get("subject"), item.get("at")
    outcome, reason, issuer = item.get("outcome"), item.get("reason", ""), item.get("issuer")
    temperature, vehicle = item.get("temperature"), item.get("vehicle")
    if type(seq) is not int or not 0 <= seq <= _MAX_SEQ:
        problems.append(Problem(f"{path}.seq", "must be a non-negative integer"))
    if not isinstance(subject, str) or not 0 < len(subject) <= MAX_SUBJECT:
        problems.append(Problem(f"{path}.subject", f"must be 1 to {MAX_SUBJECT} characters"))
    problems += _text_problems(path, subject=subject, reason=reason, vehicle=vehicle)
    when = _time(at)
    if when is None:
        problems.append(
            Problem(f"{path}.at", f"must be an ISO 8601 time with a zone; {RANGE_RULE}")
        )
    if not isinstance(outcome, str) or outcome not in OUTCOMES:
        problems.append(Problem(f"{path}.outcome", "must be pass, stop or invalid"))
    if not isinstance(reason, str) or len(reason) > MAX_REASON:
        problems.append(Problem(f"{path}.reason", f"at most {MAX_REASON} characters"))
    if not isinstance(issuer, str) or len(issuer) != 6 or not issuer.isdigit():
        problems.append(Problem(f"{path}.issuer", "must be a GB/T 2260 six-digit code"))
    repeat = item.get("repeat_of")
    problems += _optional_problems(path, temperature, vehicle)
    if repeat is not None and (type(repeat) is not int or not 0 <= repeat <= _MAX_SEQ):
        problems.append(Problem(f"{path}.repeat_of", "must be a non-negative integer or null"))
    if len(problems) > before or when is None:  # no time is a problem
        return None
    return ScanRecord(
        seq=seq,  # type: ignore[arg-type]
        subject=subject,  # type: ignore[arg-type]
        at=when,
        outcome=outcome,  # type: ignore[arg-type]
        reason=reason,
        issuer=issuer,  # type: ignore[arg-type]
        temperature=None if temperature is None else round(float(temperature), 1),
        vehicle=vehicle,
        repeat_of=repeat,
    )


def _text_problems(path: str, **texts: object) -> list[Problem]:
    """The text rule for a scan's strings. They are signed as sent, so one that is not in
    NFC is refused rather than normalised."""
    problems: list[Problem] = []
    for name, text in texts.items():
        if not isinstance(text, str):
            continue
        problem = text_problem(text, TextKind.IDENTIFIER) or (
            None if normalise(text) == text else "must be in Unicode NFC"
        )
        if problem is not None and not problem.startswith("must be at most"):
            problems.append(Problem(f"{path}.{name}", problem))
    return problems


def _optional_problems(path: str, temperature: object, vehicle: object) -> list[Problem]:
    """What is wrong with a scan's optional temperature and vehicle."""
    problems: list[Problem] = []
    if temperature is not None and (
        isinstance(temperature, bool)
        or not isinstance(temperature, int | float)
        or not math.isfinite(temperature)
        or not MIN_TEMPERATURE <= temperature <= MAX_TEMPERATURE
    ):
        problems.append(
            Problem(
                f"{path}.temperature",
                f"must be between {MIN_TEMPERATURE} and {MAX_TEMPERATURE} °C or null",
            )
        )
    if vehicle is not None and (
        not isinstance(vehicle, str) or not 0 < len(vehicle) <= MAX_VEHICLE
    ):
        problems.append(
            Problem(f"{path}.vehicle", f"must be 1 to {MAX_VEHICLE} characters or null")
        )
    return problems


def _time(value: object) -> datetime | None:
    """The time in UTC, or None: not ISO 8601, no zone, or outside the range any input may
    name (checked before converting: ``9999-12-31T23:59:59-14:00`` has no UTC form)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.astimezone(UTC) if time_problem(parsed) is None else None
