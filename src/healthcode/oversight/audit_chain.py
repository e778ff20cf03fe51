"""The access log as a keyed hash chain: every record's MAC covers its content and the MAC of
the record before it, and a MAC'd head names the last record. Editing, inserting or removing a
record without the key breaks the chain at that record; ``verify_chain`` names the first one.

A record may be *redacted* once, by the key's holder (the sunset erases the free text of
officials, such as an unmasking's stated purpose): its content changes, its MAC (``hash``, which
the next record and the anchors name) stays, and a ``redaction`` MAC binds the new content to
that original MAC. A redacted record verifies by its redaction MAC instead; editing it again
without the key breaks the chain as any edit does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Literal

GENESIS = "0" * 64


@dataclass(frozen=True, kw_only=True)
class AccessEntry:
    """One read of a person's data by someone else: who, in which role, why, what, when, and
    the MAC of the record before (everything a record's own MAC covers)."""

    seq: int
    at: datetime
    actor: str
    role: str
    purpose: str
    subject: str
    what: str
    prev_hash: str


@dataclass(frozen=True, kw_only=True)
class AccessRecord(AccessEntry):
    """An entry of the access log with its MAC (and, once redacted, its redaction MAC)."""

    hash: str
    redaction: str | None = None


@dataclass(frozen=True, kw_only=True)
class ChainHead:
    seq: int
    hash: str
    mac: str


@dataclass(frozen=True, kw_only=True)
class ChainProblem:
    """The first place the chain breaks: which record, and what happened to it."""

    seq: int
    kind: Literal["edited", "inserted", "removed", "head"]
    detail: str

    def __str__(self) -> str:
        return self.detail


def _canonical(entry: AccessEntry) -> bytes:
    body = {
        "seq": entry.seq,
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor,
        "role": entry.role,
        "purpose": entry.purpose,
        "subject": entry.subject,
        "what": entry.what,
        "prev": entry.prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def record_mac(key: bytes, entry: AccessEntry) -> str:
    """The MAC of a record (HMAC-SHA256 over its canonical form, which includes ``prev_hash``)."""
    return hmac.new(key, _canonical(entry), hashlib.sha256).hexdigest()


def head_mac(key: bytes, *, seq: int, hash_: str) -> str:
    """The MAC of the chain's head (the last record's number and MAC)."""
    return hmac.new(key, f"head\x00{seq}\x00{hash_}".encode(), hashlib.sha256).hexdigest()


def redaction_mac(key: bytes, record: AccessRecord) -> str:
    """The MAC binding a redacted record's content to its original MAC (``record.hash``)."""
    body = b"redacted\x00" + _canonical(record) + b"\x00" + record.hash.encode()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def redacted(key: bytes, record: AccessRecord, *, what: str) -> AccessRecord:
    """``record`` with ``what`` replaced, its MAC kept and a redaction MAC over the result."""
    changed = replace(record, what=what, redaction=None)
    return replace(changed, redaction=redaction_mac(key, changed))


def _valid(key: bytes, record: AccessRecord) -> bool:
    if record.redaction is not None:
        return hmac.compare_digest(redaction_mac(key, record), record.redaction)
    return hmac.compare_digest(record_mac(key, record), record.hash)


def _with_next(
    records: Iterable[AccessRecord],
) -> Iterator[tuple[AccessRecord, AccessRecord | None]]:
    it = iter(records)
    current = next(it, None)
    while current is not None:
        after = next(it, None)
        yield current, after
        current = after


def verify_chain(
    records: Iterable[AccessRecord], head: ChainHead | None, key: bytes
) -> ChainProblem | None:
    """The first break in the chain (records in ``seq`` order, read once, one ahead: a log of
    any length is checked in constant memory), or None if it is whole."""
    expected_seq, expected_prev = 1, GENESIS
    for record, after in _with_next(records):
        valid = _valid(key, record)
        linked = record.seq == expected_seq and record.prev_hash == expected_prev
        if not linked and valid:
            return ChainProblem(
                seq=expected_seq,
                kind="removed",
                detail=f"record {expected_seq} was removed (the chain resumes at {record.seq})",
            )
        if not valid:
            inserted = (
                not linked
                or (head is not None and record.seq > head.seq)
                or (after is not None and after.prev_hash == record.prev_hash)
            )
            if inserted:
                return ChainProblem(
                    seq=record.seq, kind="inserted", detail=f"record {record.seq} was inserted"
                )
            return ChainProblem(
                seq=record.seq, kind="edited", detail=f"record {record.seq} was edited"
            )
        expected_seq, expected_prev = record.seq + 1, record.hash
    last_seq = expected_seq - 1
    if head is None:
        return ChainProblem(seq=last_seq, kind="head", detail="the chain head is missing")
    if not hmac.compare_digest(head_mac(key, seq=head.seq, hash_=head.hash), head.mac):
        return ChainProblem(seq=head.seq, kind="head", detail="the chain head was edited")
    if head.seq > last_seq:
        return ChainProblem(
            seq=last_seq + 1,
            kind="removed",
            detail=f"record {last_seq + 1} was removed (the head names record {head.seq})",
        )
    if head.seq < last_seq or head.hash != expected_prev:
        return ChainProblem(
            seq=head.seq + 1, kind="inserted", detail=f"record {head.seq + 1} was inserted"
        )
    return None
