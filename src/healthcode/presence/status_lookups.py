"""A checkpoint device's signed status lookup: the offline decision on a code and, for a valid
code of this jurisdiction, the holder's colour now and whether it changed since the code was
issued. Only a registered, active device that signs the request learns that, and each lookup
that reads a person's status is written to the access log (actor ``device:<id>``) in the same
transaction. The wire form is in ``healthcode.checkpoint.lookups``.

A request that names a device but does not hold (unknown or inactive device, a signature that
does not verify, a time more than five minutes from the server's clock) is refused whole with
a 422 naming ``device.id``, ``device.signature`` or ``device.at``: a device that believes it
signed is told so, rather than quietly given the anonymous answer.

Each signed request is answered once: the digest of its signed bytes is recorded in the same
transaction (one atomic insert, so of parallel replays exactly one gets through), and a second
use is refused on ``device.signature`` whatever the code's outcome. The record is kept until the
request's time is out of the five-minute window, after which its time refuses it anyway (the
retention purge then deletes it).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from cryptography.exceptions import InvalidSignature

from healthcode.checkpoint.batches import unb64
from healthcode.checkpoint.lookups import lookup_signed_bytes
from healthcode.codes.online import OnlineCheck, check_code, status_since_issue
from healthcode.credentials.signer import load_public_key
from healthcode.credentials.truststore import TrustStore
from healthcode.credentials.verify import Acceptance
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import InvalidInput
from healthcode.oversight.audit import record_device_read
from healthcode.presence.checkins import CLOCK_SKEW
from healthcode.presence.ports import PresenceUnitOfWork

LOOKUP_PURPOSE: Final = "checkpoint status lookup"
LOOKUP_WHAT: Final = "status since code issued"


@dataclass(frozen=True, kw_only=True)
class SignedLookup:
    """A device's question about one code: who asks, when, the token and the signature
    (base64url, as sent)."""

    device: str
    at: datetime
    token: str
    signature: str


def lookup_status(
    *,
    uow: PresenceUnitOfWork,
    clock: Clock,
    trust_store: TrustStore,
    acceptance: Acceptance,
    jurisdiction: str,
    lookup: SignedLookup,
) -> OnlineCheck:
    """Check the device's signature, decide on the code, and for a valid code of this
    jurisdiction add the holder's colour now and whether it changed (recorded as read)."""
    signature = unb64(lookup.signature, size=64, field="device.signature")
    if abs(clock.now() - lookup.at) > CLOCK_SKEW:
        raise InvalidInput.one("device.at", "is more than five minutes from the server's clock")
    with uow:
        device = uow.venues.device(lookup.device)
        if device is None or not device.active:
            raise InvalidInput.one("device.id", f"{lookup.device} is not a registered device")
        try:
            message = lookup_signed_bytes(device.id, lookup.at, lookup.token)
        except ValueError:  # a lone surrogate: no CBOR text, so nothing can have signed it
            raise InvalidInput.one("token", "must be Unicode text") from None
        try:
            load_public_key(device.public_key).verify(signature, message)
        except InvalidSignature:
            raise InvalidInput.one(
                "device.signature", "does not verify under the device's key"
            ) from None
        if not uow.venues.use_lookup(
            lookup_id=hashlib.sha256(message).hexdigest(),
            device_id=device.id,
            expires_at=lookup.at + CLOCK_SKEW,
        ):
            raise InvalidInput.one("device.signature", "was used before: sign each lookup anew")
        check = check_code(
            clock=clock, trust_store=trust_store, token=lookup.token, acceptance=acceptance
        )
        found = status_since_issue(
            uow, clock=clock, decision=check.decision, jurisdiction=jurisdiction
        )
        if found is not None and check.decision.subject is not None:
            record_device_read(
                uow,
                clock=clock,
                device=device.id,
                subject=check.decision.subject,
                what=LOOKUP_WHAT,
                purpose=LOOKUP_PURPOSE,
            )
            check = OnlineCheck(
                decision=check.decision, current_colour=found[0], status_changed=found[1]
            )
        uow.commit()
    return check
