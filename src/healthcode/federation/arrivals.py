"""Arrivals with consent, the home city's side: the citizen's consent token, and the answer to
a destination asking, with that consent, for the citizen's colour and reasons.

The origin answers only the colour, each reason's rule id and texts, and ``valid_until``,
signed by its root key, and writes the read in the citizen's access log naming the peer and
the purpose (``arrival``). The answer also says the highest level of this city's risk areas in
force: a public fact of the city, not of the person, which the destination's policy may read."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from cryptography.exceptions import InvalidSignature

from healthcode.codes.keys import SIGNING, root_key, signing_key_now
from healthcode.codes.ports import PrivateKeyStore
from healthcode.credentials.signer import load_public_key
from healthcode.federation.arrivals_model import (
    CONSENT_LIFETIME,
    ArrivalRefused,
    Consent,
    OriginReason,
    OriginStatus,
    consent_problem,
    highest_risk_level,
    new_consent,
    open_consent,
    open_request,
    request_sender,
    sign_answer,
    sign_consent,
)
from healthcode.federation.arrivals_ports import ArrivalUnitOfWork
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import InvalidInput, NotFound
from healthcode.kernel.text import TextKind, clean_text
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.authz import require
from healthcode.oversight.instance import require_collecting
from healthcode.status.assessment import status_now

log = logging.getLogger(__name__)

ARRIVAL_STATUS_PATH: Final = "/api/v1/federation/arrival-status"
ARRIVAL_PURPOSE: Final = "arrival"
PEER_ROLE: Final = "peer"


@dataclass(frozen=True, slots=True)
class IssuedConsent:
    """A consent token and what it says."""

    token: str
    consent: Consent


def refused(exc: ArrivalRefused, field: str = "token") -> InvalidInput:
    """An ``ArrivalRefused`` as the domain's ``InvalidInput`` on ``field``."""
    return InvalidInput.one(field, str(exc))


def issue_consent(
    *,
    uow: ArrivalUnitOfWork,
    clock: Clock,
    private_keys: PrivateKeyStore,
    principal: Principal,
    destination: str,
    serving: str,
    lifetime: timedelta = CONSENT_LIFETIME,
) -> IssuedConsent:
    """A consent token of the citizen (``principal``) for ``destination``, a peer, signed by
    this city's current signing key; valid ``lifetime`` (at most a day)."""
    citizen = require(principal, Action.USE_OWN_DATA)
    subject = citizen.subject
    if subject is None:
        raise InvalidInput.one("principal", "only a citizen gives consent for themself")
    destination = clean_text(destination, field="destination", kind=TextKind.IDENTIFIER)
    now = clock.now()
    with uow:
        require_collecting(uow)
        if uow.persons.jurisdiction_of(subject) != serving:
            raise NotFound("person", subject)
        if uow.peers.get(destination) is None:
            raise InvalidInput.one("destination", f"{destination} is not a peer of {serving}")
        key = signing_key_now(uow, jurisdiction=serving, now=now)
    consent = new_consent(
        issuer=serving, subject=subject, destination=destination, now=now, lifetime=lifetime
    )
    token = sign_consent(consent, private_key=private_keys.load(key.kid))
    log.info("arrival consent issued", extra={"destination": destination})
    return IssuedConsent(token, consent)


def answer_arrival_status(
    *,
    uow: ArrivalUnitOfWork,
    clock: Clock,
    private_keys: PrivateKeyStore,
    body: bytes,
    serving: str,
) -> bytes:
    """The signed answer to a peer's signed request carrying a consent token of one of this
    city's people: their colour, reasons and ``valid_until``. Refused (``InvalidInput``): a
    requester that is no peer or not signed by its pinned root, a stale request, a token not
    signed by this city, given to another destination or expired."""
    now = clock.now()
    try:
        sender = request_sender(body)
    except ArrivalRefused as exc:
        raise refused(exc, "body") from None
    with uow:
        require_collecting(uow)
        peer = uow.peers.get(sender)
        if peer is None:
            raise InvalidInput.one("body", f"not_a_peer: {sender} is not a peer of {serving}")
        try:
            _, token = open_request(
                body, origin=serving, peer_root=load_public_key(peer.root_public_key), now=now
            )
            consent = _own_consent(uow, token, serving=serving, destination=sender, now=now)
        except ArrivalRefused as exc:
            log.warning("arrival status refused", extra={"peer": sender, "why": exc.reason})
            raise refused(exc) from None
        if uow.persons.jurisdiction_of(consent.subject) != serving:
            raise NotFound("person", consent.subject)
        status = status_now(uow, clock=clock, subject=consent.subject, jurisdiction=serving)
        uow.audit.append(
            at=now,
            actor=f"peer:{sender}",
            role=PEER_ROLE,
            purpose=ARRIVAL_PURPOSE,
            subject=consent.subject,
            what="colour and reasons, for an arrival with consent",
        )
        root = root_key(uow, jurisdiction=serving, now=now)
        risk_area = risk_level_in_force(uow, jurisdiction=serving, at=now)
        uow.commit()
    answer = OriginStatus(
        origin=serving,
        destination=sender,
        subject=consent.subject,
        colour=status.colour,
        reasons=tuple(
            OriginReason(r.rule_id, r.text.get("zh", ""), r.text.get("en", ""))
            for r in status.reasons
        ),
        valid_until=status.valid_until,
        answered_at=now,
        risk_area=risk_area,
    )
    log.info("arrival status answered", extra={"peer": sender})
    return sign_answer(answer, root_key=private_keys.load(root.kid))


def risk_level_in_force(uow: ArrivalUnitOfWork, *, jurisdiction: str, at: datetime) -> str:
    """The highest level of ``jurisdiction``'s risk areas in force at ``at`` (``none``)."""
    areas = uow.risk_areas.list(jurisdiction, active_at=at)
    return highest_risk_level(a.level for a in areas if a.starts_at <= at < a.ends_at)


def _own_consent(
    uow: ArrivalUnitOfWork, token: str, *, serving: str, destination: str, now: datetime
) -> Consent:
    consent, kid, signed, signature = open_consent(token)
    if consent.issuer != serving:
        raise ArrivalRefused("malformed", f"a consent of {consent.issuer}, not of {serving}")
    keys = [k for k in uow.keys.all(serving, role=SIGNING) if k.kid == kid.hex()]
    if not keys or not (keys[0].valid_from <= consent.issued_at < keys[0].valid_until):
        raise ArrivalRefused("unknown_key", "not signed by a signing key of this city")
    try:
        load_public_key(keys[0].public_key).verify(signature, signed)
    except InvalidSignature:
        raise ArrivalRefused("bad_signature", "the consent's signature does not verify") from None
    problem = consent_problem(consent, destination=destination, now=now)
    if problem is not None:
        raise problem
    return consent
