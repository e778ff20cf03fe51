"""A status as stored JSON (every language kept) and back, for the status cache and history."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from healthcode.kernel.facts import Colour
from healthcode.kernel.status import Notice, Progress, Reason, Status


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _time(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value))


def _texts(value: Any) -> Mapping[str, str]:
    return {str(k): str(v) for k, v in dict(value).items()}


def _progress(progress: Progress | None) -> dict[str, Any] | None:
    return None if progress is None else progress.to_dict()


def _read_progress(value: Any) -> Progress | None:
    if value is None:
        return None
    earliest = _time(value["earliest_end"])
    if earliest is None:
        raise ValueError("a stored progress names its earliest end")
    return Progress(days=int(value["days"]), of=int(value["of"]), earliest_end=earliest)


def encode(status: Status) -> dict[str, Any]:
    return {
        "subject": status.subject,
        "colour": status.colour.value,
        "reasons": [
            {
                "rule_id": r.rule_id,
                "colour": r.colour.value,
                "text": dict(r.text),
                "fact_ids": list(r.fact_ids),
                "since": _iso(r.since),
                "ends_at": _iso(r.ends_at),
                "clears_when": dict(r.clears_when),
                "progress": _progress(r.progress),
            }
            for r in status.reasons
        ],
        "notices": [
            {
                "notice_id": n.notice_id,
                "text": dict(n.text),
                "fact_ids": list(n.fact_ids),
                "since": _iso(n.since),
                "blocks_code": n.blocks_code,
                "clears_when": dict(n.clears_when),
                "ends_at": _iso(n.ends_at),
            }
            for n in status.notices
        ],
        "valid_until": _iso(status.valid_until),
        "policy_version": status.policy_version,
        "assessed_at": status.assessed_at.isoformat(),
    }


def decode(body: Mapping[str, Any]) -> Status:
    assessed_at = _time(body["assessed_at"])
    if assessed_at is None:
        raise ValueError("a stored status names when it was assessed")
    return Status(
        subject=str(body["subject"]),
        colour=Colour(body["colour"]),
        reasons=tuple(
            Reason(
                rule_id=str(r["rule_id"]),
                colour=Colour(r["colour"]),
                text=_texts(r["text"]),
                fact_ids=tuple(r["fact_ids"]),
                since=_time(r["since"]) or assessed_at,
                ends_at=_time(r["ends_at"]),
                clears_when=_texts(r["clears_when"]),
                progress=_read_progress(r.get("progress")),  # absent in statuses stored before
            )
            for r in body["reasons"]
        ),
        notices=tuple(
            Notice(
                notice_id=str(n["notice_id"]),
                text=_texts(n["text"]),
                fact_ids=tuple(n["fact_ids"]),
                since=_time(n["since"]),
                blocks_code=bool(n["blocks_code"]),
                clears_when=_texts(n["clears_when"]),
                ends_at=_time(n["ends_at"]),
            )
            for n in body["notices"]
        ),
        valid_until=_time(body["valid_until"]),
        policy_version=str(body["policy_version"]),
        assessed_at=assessed_at,
    )
