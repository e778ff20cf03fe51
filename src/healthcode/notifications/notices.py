"""A notice to a person through each of their channels, other than a change of colour (an
appeal answered): one signed webhook job per active channel binding, queued in the caller's
transaction, shaped like ``status.changed`` (the person named by the channel's own user id)::

    {"type": "<event>", "id": "<key>:<channel id>", "channel_user_id": "…", …fields}
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from healthcode.jobs.model import Job
from healthcode.kernel.ids import new_id
from healthcode.notifications.ports import NotificationsUnitOfWork
from healthcode.notifications.status_changes import WEBHOOK


def queue_notice(
    uow: NotificationsUnitOfWork,
    *,
    subject: str,
    event: str,
    key: str,
    fields: Mapping[str, object],
    now: datetime,
) -> int:
    """Queue ``event`` to each channel the person is bound to; returns how many were queued
    (``key`` makes it idempotent: queueing the same notice twice queues it once)."""
    jobs = []
    for channel_id, user_id in uow.channels.active_bindings([subject]).get(subject, []):
        dedup = f"{key}:{channel_id}"
        body = {"type": event, "id": dedup, "channel_user_id": user_id, **fields}
        jobs.append(
            Job(
                id=new_id(),
                kind=WEBHOOK,
                payload={
                    "channel_id": channel_id,
                    "subject": subject,
                    "event": event,
                    "body": json.dumps(body, sort_keys=True, ensure_ascii=False),
                },
                dedup_key=dedup,
                run_after=now,
                created_at=now,
            )
        )
    return uow.jobs.enqueue_many(jobs) if jobs else 0
