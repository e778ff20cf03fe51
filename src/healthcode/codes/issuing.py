"""Issuing a person's signed code: their colour now and masked name, short-lived."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from healthcode.codes.keys import signing_key_now
from healthcode.codes.ports import CodesUnitOfWork, PrivateKeyStore
from healthcode.credentials.claims import CodeClaims
from healthcode.credentials.signer import issue
from healthcode.identity.claims import identity_notice
from healthcode.identity.masks import mask_name
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import DomainError, NotFound
from healthcode.kernel.status import Notice, Status
from healthcode.oversight.access import Action
from healthcode.oversight.audit import Reader, record_reader_reads
from healthcode.oversight.instance import require_collecting
from healthcode.status.assessment import status_now


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
    uow: CodesUnitOfWork,
    clock: Clock,
    private_keys: PrivateKeyStore,
    subject: str,
    lifetime: timedelta,
    reader: Reader | None = None,
) -> IssuedCode:
    """Sign a short-lived code carrying the person's colour now and masked name.

    The code never outlives its colour: it expires at the earlier of ``lifetime`` from now and
    the moment the status can next change. A blocking notice withholds it, and so does an
    identity not verified (``identity.claims.identity_notice``). Issued for an official
    (``Action.READ_STATUS``, in scope) or the console operator (``reader``, not the person),
    the read is in the person's access log."""
    now = clock.now().replace(microsecond=0)
    with uow:
        require_collecting(uow)  # a retired instance shows "system retired", not a colour
        person = uow.persons.get(subject)
        if person is None:
            raise NotFound("person", subject)
        status = status_now(uow, clock=clock, subject=subject, jurisdiction=person.jurisdiction)
        unproven = identity_notice(person)  # a website claim not yet confirmed by a channel
        blocking = (
            *(() if unproven is None else (unproven,)),
            *(n for n in status.notices if n.blocks_code),
        )
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
            colour=status.colour,
            masked_name=mask_name(person.name),
        )
        token = issue(claims, private_key=private_keys.load(key.kid))
        record_reader_reads(
            uow,
            clock=clock,
            reader=reader,
            subjects=[subject],
            what="code",
            action=Action.READ_STATUS,
        )
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
