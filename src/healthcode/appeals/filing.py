"""A citizen files an appeal against their current colour, and reads their own appeals."""

from __future__ import annotations

from healthcode.appeals.model import MAX_EVIDENCE_LENGTH, Appeal, AppealFiling
from healthcode.appeals.ports import AppealsUnitOfWork
from healthcode.appeals.settings import answer_within
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import Conflict, InvalidInput, NotFound
from healthcode.kernel.facts import Colour
from healthcode.kernel.ids import new_id
from healthcode.kernel.text import TextKind, clean_text
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.authz import require
from healthcode.oversight.model import MAX_REASON_LENGTH
from healthcode.status.assessment import TIME_CAUSE, refresh_status


def _reason(text: str) -> str:
    clean = " ".join(clean_text(text, field="reason", kind=TextKind.TEXT).split())
    if not clean:
        raise InvalidInput.one("reason", "must not be empty: say why the colour is wrong")
    if len(clean) > MAX_REASON_LENGTH:
        raise InvalidInput.one("reason", f"must be at most {MAX_REASON_LENGTH} characters")
    return clean


def _evidence(text: str | None) -> str | None:
    if text is None:
        return None
    clean = clean_text(text, field="evidence", kind=TextKind.IDENTIFIER).strip()
    if len(clean) > MAX_EVIDENCE_LENGTH:
        raise InvalidInput.one("evidence", f"must be at most {MAX_EVIDENCE_LENGTH} characters")
    return clean or None


def _citizen(principal: Principal) -> str:
    principal = require(principal, Action.USE_OWN_DATA)
    if principal.subject is None:  # the table lets citizens alone use their own data
        raise NotFound("person", principal.id)
    return principal.subject


def file_appeal(
    *, uow: AppealsUnitOfWork, clock: Clock, principal: Principal, filing: AppealFiling
) -> Appeal:
    """Dispute one's current colour (yellow or red) with a reason and optionally a test
    reference; it must be answered within the policy's ``appeals.answer_within``. One appeal
    is open at a time (``Conflict`` otherwise)."""
    subject = _citizen(principal)
    reason, evidence = _reason(filing.reason), _evidence(filing.evidence)
    now = clock.now()
    with uow:
        jurisdiction = uow.persons.jurisdiction_of(subject)
        if jurisdiction is None:
            raise NotFound("person", subject)
        status = refresh_status(uow, clock=clock, subject=subject, cause=TIME_CAUSE)
        if status.colour is Colour.GREEN:
            raise Conflict("colour", "your code is green: there is nothing to appeal")
        if (already := uow.appeals.open_of(subject)) is not None:
            raise Conflict("appeal", f"appeal {already.id} is still open: it will be answered")
        appeal = Appeal(
            id=new_id(),
            subject=subject,
            jurisdiction=jurisdiction,
            colour=status.colour,
            reason=reason,
            evidence=evidence,
            filed_at=now,
            due_at=now + answer_within(uow.policies.active(jurisdiction)),
        )
        uow.appeals.add(appeal)
        uow.commit()
    return appeal


def my_appeals(*, uow: AppealsUnitOfWork, principal: Principal) -> list[Appeal]:
    """The citizen's own appeals, oldest first, with their answers."""
    subject = _citizen(principal)
    with uow:
        return uow.appeals.of_subject(subject)
