"""What a change of colour queues: one signed webhook to each active channel the person is bound
to, as a job of the durable queue, in the transaction that records the change (the handler of
the ``StatusChanged`` event). A change is never committed without its notifications nor a
notification without its change; a first status is not a change anyone is told of.

The body names the person by the channel's own user id, never by subject::

    {"type": "status.changed", "id": "status-change:<change id>:<channel id>",
     "channel_user_id": "…", "colour_from": "green", "colour_to": "red", "at": "<ISO 8601>"}

``id`` is also the job's dedup key and the ``Idempotency-Key`` header: queueing a change twice
queues it once, and a receiver that keeps the keys it has seen applies each notice once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Final

from healthcode.jobs.model import Job
from healthcode.kernel.ids import new_id
from healthcode.notifications.ports import NotificationsUnitOfWork
from healthcode.status.model import StatusChanged

WEBHOOK: Final = "webhook"
"""The kind of job that delivers one webhook."""
STATUS_CHANGED: Final = "status.changed"


def status_change_job(
    change: StatusChanged, *, channel_id: str, channel_user_id: str, now: datetime
) -> Job:
    """The webhook job telling one channel of a person's colour change."""
    key = f"status-change:{change.change_id}:{channel_id}"
    body = {
        "type": STATUS_CHANGED,
        "id": key,
        "channel_user_id": channel_user_id,
        "colour_from": None if change.colour_from is None else change.colour_from.value,
        "colour_to": change.colour_to.value,
        "at": change.at.isoformat(),
    }
    return Job(
        id=new_id(),
        kind=WEBHOOK,
        payload={
            "channel_id": channel_id,
            "subject": change.subject,
            "event": STATUS_CHANGED,
            "body": json.dumps(body, sort_keys=True, ensure_ascii=False),
        },
        dedup_key=key,
        run_after=now,
        created_at=now,
    )


def queue_status_changes(uow: NotificationsUnitOfWork, changes: Sequence[StatusChanged]) -> None:
    """Queue the webhooks of these changes, inside the transaction that recorded them (one
    lookup of bindings and one bulk insert, whether one change or a tracing batch's thousands)."""
    told = [c for c in changes if c.colour_from is not None]
    if not told:
        return
    bindings = uow.channels.active_bindings(sorted({c.subject for c in told}))
    uow.jobs.enqueue_many(
        [
            status_change_job(
                change, channel_id=channel_id, channel_user_id=user_id, now=change.recorded_at
            )
            for change in told
            for channel_id, user_id in bindings.get(change.subject, [])
        ]
    )
