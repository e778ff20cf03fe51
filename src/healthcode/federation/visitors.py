"""Visitors: their presences here, and their exposures sent home as signed peer messages
(docs/federation.md#visitors-exposures).

A visitor is known only by their home city (the code's issuer, a peer) and the opaque subject
of their code. Their exposures, found by tracing, are kept as outgoing messages and sent by a
job of the durable queue queued in the same transaction (``PEER_MESSAGE``): signed at each
attempt by this city's root key, retried with back-off while the peer is down, marked delivered
once the peer took it. The receiver keeps each message once by its id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, Final

import cbor2
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from healthcode.codes.keys import root_key
from healthcode.codes.ports import PrivateKeyStore
from healthcode.federation.messages import PeerMessage, check_message, read_message, sign_message
from healthcode.federation.visitors_model import OutgoingMessage, ReceivedMessage
from healthcode.federation.visitors_ports import PeerMessageRefused, PeerPoster, VisitorsUnitOfWork
from healthcode.jobs.model import Backoff, Job, JobFailed, JobKind
from healthcode.jobs.queue import enqueue
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import Conflict, InvalidInput

PEER_MESSAGE: Final = "peer_message"
PEER_ROLE: Final = "peer"
MESSAGE_BACKOFF: Final = Backoff(base=timedelta(seconds=30), cap=timedelta(minutes=10))
MESSAGE_ATTEMPTS: Final = 60
"""30 s, 1, 2, 4, 8 minutes, then every 10 minutes: a peer down for nine hours loses nothing."""


def trusted_issuers(uow: VisitorsUnitOfWork) -> set[str]:
    """The peers whose codes verify here (those with a held trust list)."""
    return {p.jurisdiction for p in uow.peers.all() if p.held is not None}


def message_id(*parts: object) -> str:
    """A message id derived from what it is about: queueing it twice queues it once."""
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:32]


def queue_message(  # noqa: PLR0913 - the message's parts, by name
    uow: VisitorsUnitOfWork,
    clock: Clock,
    *,
    ident: str,
    peer: str,
    kind: str,
    subject: str,
    body: Mapping[str, Any],
    source: str | None = None,
) -> bool:
    """Keep the message for ``peer`` and queue its delivery, in the caller's transaction, with
    an access-log record naming the peer (False: this message was queued already). ``source``
    (``case:<id>``) is kept here only, for a withdrawal to find the messages a case caused."""
    now = clock.now()
    message = OutgoingMessage(
        id=ident,
        peer=peer,
        kind=kind,
        subject=subject,
        body=dict(body),
        created_at=now,
        source=source,
    )
    if not uow.visitors.add_outgoing(message):
        return False
    enqueue(
        uow,
        clock,
        kind=PEER_MESSAGE,
        payload={"message_id": ident},
        dedup_key=f"{PEER_MESSAGE}:{ident}",
    )
    uow.audit.append(
        at=now,
        actor="system:tracing",
        role=PEER_ROLE,
        purpose="contact_tracing",
        subject=subject[:32],
        what=f"{kind} of a visitor from {peer} queued for {peer}",
    )
    return True


def peer_message_kind(
    *,
    poster: Callable[[], PeerPoster],
    private_keys: PrivateKeyStore,
    jurisdiction: str,
) -> JobKind:
    """The job kind that signs and sends queued messages to peers."""

    def deliver(uow: VisitorsUnitOfWork, clock: Clock, job: Job) -> str:
        ident = str(job.payload["message_id"])
        message = uow.visitors.outgoing(ident)
        if message is None:
            raise JobFailed(f"message {ident} is not kept")
        if message.delivered_at is not None:
            return "delivered already"
        peer = uow.peers.get(message.peer)
        if peer is None:
            raise JobFailed(f"{message.peer} is no longer a peer")
        now = clock.now()
        root = root_key(uow, jurisdiction=jurisdiction, now=now)
        document = sign_message(
            PeerMessage(
                id=message.id,
                kind=message.kind,
                sender=jurisdiction,
                recipient=message.peer,
                sent_at=now,
                root_kid=bytes.fromhex(root.kid),
                body=message.body,
            ),
            root_private_key=private_keys.load(root.kid),
        )
        sender = poster()
        try:
            sender.post(peer.base_url, document)
        except PeerMessageRefused as refused:
            raise JobFailed(f"{message.peer}: {refused}") from None
        finally:
            sender.close()
        uow.visitors.delivered(ident, at=now)
        return f"delivered to {message.peer}"

    return JobKind(
        name=PEER_MESSAGE, run=deliver, backoff=MESSAGE_BACKOFF, max_attempts=MESSAGE_ATTEMPTS
    )


def accept_message(
    uow: VisitorsUnitOfWork,
    clock: Clock,
    *,
    jurisdiction: str,
    document: str | bytes,
    clock_skew: timedelta,
    kind: str | frozenset[str],
) -> tuple[PeerMessage, bool]:
    """Check a peer's message inside the caller's transaction: its form, that it is for this
    city from a peer, signed by that peer's pinned root, recent; then keep its id. Returns the
    message and whether it is new (False: the same message again, to be acknowledged and not
    applied twice). A different message under a used id is a ``Conflict``."""
    message, signature = read_message(document)
    kinds = frozenset({kind}) if isinstance(kind, str) else kind
    if message.kind not in kinds:
        raise InvalidInput.one("message.kind", f"must be {' or '.join(sorted(kinds))}")
    peer = uow.peers.get(message.sender)
    if peer is None:
        raise InvalidInput.one("message.from", f"{message.sender} is not a peer of this city")
    check_message(
        message,
        signature,
        root_public_key=Ed25519PublicKey.from_public_bytes(peer.root_public_key),
        recipient=jurisdiction,
        now=clock.now(),
        clock_skew=clock_skew,
    )
    subject = str(message.body.get("subject", ""))
    digest = hashlib.sha256(_content(message)).hexdigest()
    held = uow.visitors.received(message.sender, message.id)
    if held is not None:
        if held.digest != digest:
            raise Conflict("message.id", f"{message.id} of {message.sender} came with another body")
        return message, False
    uow.visitors.add_received(
        ReceivedMessage(
            id=message.id,
            peer=message.sender,
            kind=message.kind,
            subject=subject[:64],
            digest=digest,
            received_at=clock.now(),
        )
    )
    return message, True


def _content(message: PeerMessage) -> bytes:
    """What a message is, without when it was sent: a retry signs it anew at another time."""
    parts = [message.kind, message.sender, message.recipient, dict(message.body)]
    return cbor2.dumps(parts, canonical=True)
