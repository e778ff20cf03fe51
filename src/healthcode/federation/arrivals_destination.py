"""Arrivals with consent, the destination's side: verify the visitor's consent token against
the origin's held trust list, ask the origin (signed, over the peer link) for the visitor's
colour and reasons, record the arrival, and let this city's policy decide the visitor's colour
here.

The visitor is known here only by their issuer and opaque subject. Their status here is this
city's active policy assessed over their recorded arrivals, each an ``arrival`` fact from the
origin's jurisdiction into this one (source ``consent``): the rules a policy has for arrivals
(Beijing's ``arrival-other-province``: yellow 14 days) apply to a visitor as to a resident, and
a rule may read what the origin answered (``origin_colour``, ``origin_risk_area``: Shanghai's
``arrival-from-risk-area``, yellow 7 days from a city with a medium- or high-risk area)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from nacl.exceptions import BadSignatureError

from healthcode.codes.keys import root_key
from healthcode.codes.ports import PrivateKeyStore
from healthcode.credentials.signer import load_public_key
from healthcode.credentials.trustfile import load_trust_list
from healthcode.credentials.truststore import TrustStore
from healthcode.federation.arrivals import ARRIVAL_PURPOSE, ARRIVAL_STATUS_PATH, refused
from healthcode.federation.arrivals_model import (
    ArrivalRefused,
    Consent,
    consent_problem,
    open_answer,
    open_consent,
    sign_request,
)
from healthcode.federation.arrivals_ports import (
    ArrivalUnitOfWork,
    OriginUnreachable,
    PeerLink,
    RecordedArrival,
)
from healthcode.federation.model import Peer
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import Conflict, DomainError, InvalidInput, NotFound
from healthcode.kernel.facts import Arrival
from healthcode.kernel.status import Status
from healthcode.kernel.text import TextKind, clean_text
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.authz import require
from healthcode.oversight.instance import require_collecting
from healthcode.policy.assess import assess

log = logging.getLogger(__name__)

CONSENT_SOURCE = "consent"
"""The ``source`` of the arrival fact a visitor's recorded arrival stands for."""


class OriginDown(DomainError):
    """The origin did not answer: nothing was recorded."""

    def __init__(self, origin: str, detail: str) -> None:
        super().__init__(f"the origin {origin} did not answer ({detail}): nothing was recorded")
        self.origin = origin


@dataclass(frozen=True, slots=True)
class VisitorStatus:
    """A visitor as this city sees them: their arrivals (with the origin's answers) and their
    status here under this city's policy."""

    issuer: str
    subject: str
    arrivals: tuple[RecordedArrival, ...]
    status: Status


def record_arrival(
    *,
    uow_factory: Callable[[], ArrivalUnitOfWork],
    clock: Clock,
    private_keys: PrivateKeyStore,
    principal: Principal,
    token: str,
    link: PeerLink,
    serving: str,
) -> VisitorStatus:
    """Record a visitor's arrival on their consent token (an official, ``READ_STATUS``).
    The origin is asked outside any transaction; if it does not answer (``OriginDown``) or
    refuses (``InvalidInput``), nothing is recorded."""
    official = require(principal, Action.READ_STATUS)
    now = clock.now()
    digest = hashlib.sha256(token.encode()).hexdigest()
    with uow_factory() as uow:
        require_collecting(uow)
        consent, peer = _verified_consent(uow, token, serving=serving, now=now)
        if uow.arrivals.consent_used(digest):
            raise Conflict("token", "this consent has recorded an arrival already")
        root = root_key(uow, jurisdiction=serving, now=now)
    request = sign_request(
        destination=serving,
        origin=peer.jurisdiction,
        token=token,
        now=now,
        root_key=private_keys.load(root.kid),
    )
    url = peer.base_url.rstrip("/") + ARRIVAL_STATUS_PATH
    try:
        body = link.post(url, request)
        answer = open_answer(
            body,
            origin=peer.jurisdiction,
            destination=serving,
            subject=consent.subject,
            root=load_public_key(peer.root_public_key),
        )
    except OriginUnreachable as exc:
        log.warning("arrival origin unreachable", extra={"peer": peer.jurisdiction})
        raise OriginDown(peer.jurisdiction, str(exc)) from None
    except ArrivalRefused as exc:
        log.warning("arrival refused", extra={"peer": peer.jurisdiction, "why": exc.reason})
        raise refused(exc) from None
    arrival = RecordedArrival(
        id=digest[:32],
        issuer=peer.jurisdiction,
        subject=consent.subject,
        at=now,
        origin_colour=answer.colour,
        origin_reasons=answer.reasons,
        origin_valid_until=answer.valid_until,
        recorded_by=official.actor,
        origin_risk_area=answer.risk_area,
    )
    with uow_factory() as uow:
        if uow.arrivals.consent_used(digest):
            raise Conflict("token", "this consent has recorded an arrival already")
        uow.arrivals.add(arrival, consent=digest)
        _audit(uow, official, arrival.issuer, arrival.subject, now, "recorded with consent")
        arrivals = uow.arrivals.of_visitor(arrival.issuer, arrival.subject)
        status = _assess(uow, arrivals, serving=serving, at=now)
        uow.commit()
    log.info("arrival recorded", extra={"peer": peer.jurisdiction, "by": official.actor})
    return VisitorStatus(arrival.issuer, arrival.subject, tuple(arrivals), status)


def visitor_status(
    *,
    uow: ArrivalUnitOfWork,
    clock: Clock,
    principal: Principal,
    issuer: str,
    subject: str,
    serving: str,
) -> VisitorStatus:
    """A visitor's arrivals and status here now (an official, ``READ_STATUS``; the read is in
    the access log). ``NotFound`` for a visitor with no arrival recorded."""
    official = require(principal, Action.READ_STATUS)
    issuer = clean_text(issuer, field="issuer", kind=TextKind.IDENTIFIER)
    subject = clean_text(subject, field="subject", kind=TextKind.IDENTIFIER)
    now = clock.now()
    with uow:
        arrivals = uow.arrivals.of_visitor(issuer, subject)
        if not arrivals:
            raise NotFound("visitor", f"{issuer}:{subject}")
        _audit(uow, official, issuer, subject, now, "read")
        status = _assess(uow, arrivals, serving=serving, at=now)
        uow.commit()
    return VisitorStatus(issuer, subject, tuple(arrivals), status)


def visitor_facts(arrivals: list[RecordedArrival], *, serving: str) -> list[Arrival]:
    """The ``arrival`` facts a visitor's recorded arrivals stand for, as policies read them:
    with what the origin answered (its colour, the highest level of its risk areas)."""
    return [
        Arrival(
            id=a.id,
            subject=f"{a.issuer}:{a.subject}",
            at=a.at,
            recorded_at=a.at,
            from_region=a.issuer,
            to_region=serving,
            source=CONSENT_SOURCE,
            origin_colour=a.origin_colour.value,
            origin_risk_area=a.origin_risk_area,
        )
        for a in arrivals
    ]


def _assess(
    uow: ArrivalUnitOfWork, arrivals: list[RecordedArrival], *, serving: str, at: datetime
) -> Status:
    policy = uow.policies.active(serving)
    facts = visitor_facts(arrivals, serving=serving)
    return assess(facts, policy, at, subject=facts[0].subject)


def _audit(
    uow: ArrivalUnitOfWork, official: Principal, issuer: str, subject: str, at: datetime, what: str
) -> None:
    """The visitor's arrival in the access log: the official, the peer, the purpose."""
    uow.audit.append(
        at=at,
        actor=official.actor,
        role=official.role.value,
        purpose=ARRIVAL_PURPOSE,
        subject=_audit_subject(subject),
        what=f"visitor of {issuer}: arrival {what} (colour and reasons of {issuer})",
    )


def _audit_subject(subject: str) -> str:
    """The access log keeps subjects of at most 32 characters: a longer opaque subject is
    recorded by the first 32 hex digits of its SHA-256."""
    return subject if len(subject) <= 32 else hashlib.sha256(subject.encode()).hexdigest()[:32]


def _verified_consent(
    uow: ArrivalUnitOfWork, token: str, *, serving: str, now: datetime
) -> tuple[Consent, Peer]:
    """The consent in ``token``, its signature verified under the issuer's held trust list,
    given to this city and not expired; and the issuing peer."""
    try:
        consent, kid, signed, signature = open_consent(token)
        peer = uow.peers.get(consent.issuer)
        if peer is None or peer.held is None:
            raise ArrivalRefused("not_a_peer", f"{consent.issuer} is no peer with a trust list")
        store = TrustStore(roots={peer.jurisdiction: load_public_key(peer.root_public_key)})
        store.accept(load_trust_list(peer.held.document))
        issued = int(consent.issued_at.astimezone(UTC).timestamp())
        keys = [
            k
            for k in store.keys_for(kid)
            if k.jurisdiction == peer.jurisdiction and k.valid_from <= issued < k.valid_until
        ]
        if not keys:
            raise ArrivalRefused("unknown_key", f"not signed by a key of {peer.jurisdiction}")
        try:
            keys[0].verify_key.verify(signed, signature)
        except BadSignatureError:
            raise ArrivalRefused("bad_signature", "the signature does not verify") from None
        problem = consent_problem(consent, destination=serving, now=now)
        if problem is not None:
            raise problem
    except ArrivalRefused as exc:
        raise refused(exc) from None
    except InvalidInput:
        raise
    return consent, peer
