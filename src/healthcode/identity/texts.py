"""Text messages to phones as jobs of the durable queue: queued in the transaction that needs
them (the sign-up code with the code itself, "your account is ready" with the account), sent by
a worker through the ``SmsSender`` port, retried a few times while the gateway is down.

The message waits in ``outgoing_texts``, phone and text encrypted (the job's payload holds only
its id), and is deleted in the transaction that marks its job done: a job run again after that
finds nothing and sends nothing; a crash between sending and committing sends it again, which
for a text message is the lesser harm."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from healthcode.identity.ports import IdentityUnitOfWork, SmsNotSent, SmsSender
from healthcode.jobs.model import Backoff, Job, JobFailed, JobKind
from healthcode.kernel.clock import Clock
from healthcode.kernel.ids import new_id

SEND_TEXT: Final = "send_text"
# a sign-up code lives ten minutes: 5 s, 10 s, 20 s, 40 s, then the message is parked
TEXT_BACKOFF: Final = Backoff(base=timedelta(seconds=5), cap=timedelta(minutes=1))
TEXT_ATTEMPTS: Final = 5


def queue_text(uow: IdentityUnitOfWork, *, clock: Clock, phone: str, text: str) -> None:
    """Queue a text message to ``phone`` inside the caller's transaction."""
    text_id, now = new_id(), clock.now()
    uow.texts.add(text_id=text_id, phone=phone, text=text, at=now)
    uow.jobs.enqueue(
        Job(
            id=new_id(),
            kind=SEND_TEXT,
            payload={"text_id": text_id},
            dedup_key=f"text:{text_id}",
            run_after=now,
            created_at=now,
        )
    )


def text_kind(sms: SmsSender) -> JobKind:
    """The job kind that hands queued text messages to ``sms``."""

    def send(uow: IdentityUnitOfWork, _clock: Clock, job: Job) -> bool:
        text_id = str(job.payload["text_id"])
        waiting = uow.texts.get(text_id)
        if waiting is None:
            return False  # sent by an earlier run
        phone, text = waiting
        try:
            sms.send(phone=phone, text=text)
        except SmsNotSent as failed:
            raise JobFailed(str(failed)) from None
        uow.texts.delete(text_id)
        return True

    return JobKind(name=SEND_TEXT, run=send, backoff=TEXT_BACKOFF, max_attempts=TEXT_ATTEMPTS)
