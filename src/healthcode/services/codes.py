"""Issuing a person's signed code, and checking a code online for connected checkpoints."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from healthcode.credentials.claims import CodeClaims
from healthcode.credentials.claims import Colour as CodeColour
from healthcode.credentials.signer import issue
from healthcode.credentials.trustfile import load_trust_list
from healthcode.credentials.truststore import TrustStore
from healthcode.credentials.verify import Acceptance, Decision, verify
from healthcode.domain.errors import DomainError, NotFound
from healthcode.domain.identity import mask_name
from healthcode.domain.status import Notice, Status
from healthcode.services.keys import PrivateKeyStore, root_key, signing_key_now, trust_list_document
from healthcode.services.ports import Clock, UnitOfWork
from healthcode.services.status import status_now


class CodeWithheld(DomainError):
    """A blocking notice keeps the code from being shown until the person acts."""

    def __init__(self, notices: tuple[Notice, ...], lang: str = "en") -> None:
        self.notices = notices
        texts = "; ".join(n.text.get(lang) or n.text.get("zh", "") for n in notices)
        super().__init__(f"the code is withheld: {texts}")


@dataclass(frozen=True, kw_only=True)
class IssuedCode:
    token: str
    colour: str
    masked_name: str
    issuer: str
    issued_at: datetime
    expires_at: datetime
    kid: str
    status: Status


def issue_code(
    *,
    uow: UnitOfWork,
    clock: Clock,
    private_keys: PrivateKeyStore,
    subject: str,
    lifetime: timedelta,
) -> IssuedCode:
    """Sign a short-lived code carrying the person's colour now and masked name.

    The code never outlives its colour: it expires at the earlier of ``lifetime`` from now and
    the moment the status can next change. A blocking notice withholds it."""
    now = clock.now().replace(microsecond=0)
    with uow:
        person = uow.persons.get(subject)
        if person is None:
            raise NotFound("person", subject)
        status = status_now(uow, clock=clock, subject=subject)
        blocking = tuple(n for n in status.notices if n.blocks_code)
        if blocking:
            raise CodeWithheld(blocking)
        key = signing_key_now(uow, jurisdiction=person.jurisdiction, now=now)
        expires_at = now + lifetime
        if status.valid_until is not None and now < status.valid_until < expires_at:
            expires_at = status.valid_until.replace(microsecond=0)
            if expires_at <= now:
                expires_at = now + timedelta(seconds=1)
        claims = CodeClaims(
            issuer=person.jurisdiction,
            subject=subject,
            issued_at=now,
            expires_at=expires_at,
            colour=CodeColour(status.colour.value),
            masked_name=mask_name(person.name),
        )
        token = issue(claims, private_key=private_keys.load(key.kid))
        uow.commit()
    return IssuedCode(
        token=token,
        colour=status.colour.value,
        masked_name=claims.masked_name,
        issuer=claims.issuer,
        issued_at=now,
        expires_at=expires_at,
        kid=key.kid,
        status=status,
    )


@dataclass(frozen=True, kw_only=True)
class OnlineCheck:
    decision: Decision
    current_colour: str | None
    status_changed: bool | None


def own_trust_store(
    *,
    uow: UnitOfWork,
    clock: Clock,
    private_keys: PrivateKeyStore,
    jurisdiction: str,
    code_lifetime: timedelta,
    clock_skew: timedelta,
) -> TrustStore:
    """A trust store holding this jurisdiction's own current trust list under its root."""
    document = trust_list_document(
        uow=uow,
        clock=clock,
        private_keys=private_keys,
        jurisdiction=jurisdiction,
        code_lifetime=code_lifetime,
        clock_skew=clock_skew,
    )
    with uow:
        root = root_key(uow, jurisdiction=jurisdiction, now=clock.now())
    store = TrustStore(roots={jurisdiction: private_keys.load(root.kid).public_key()})
    store.accept(load_trust_list(document))
    return store


def verify_online(
    *,
    uow: UnitOfWork,
    clock: Clock,
    trust_store: TrustStore,
    token: str,
    acceptance: Acceptance,
    jurisdiction: str,
) -> OnlineCheck:
    """Verify a code as a checkpoint would, and say whether the holder's status has changed
    since the code was issued (for codes this jurisdiction issued)."""
    decision = verify(token, trust_lists=trust_store, at=clock.now(), acceptance=acceptance)
    if decision.subject is None or decision.issuer != jurisdiction or decision.colour is None:
        return OnlineCheck(decision=decision, current_colour=None, status_changed=None)
    try:
        with uow:
            current = status_now(uow, clock=clock, subject=decision.subject)
            uow.commit()
    except NotFound:
        return OnlineCheck(decision=decision, current_colour=None, status_changed=None)
    return OnlineCheck(
        decision=decision,
        current_colour=current.colour.value,
        status_changed=current.colour.value != decision.colour.value,
    )
