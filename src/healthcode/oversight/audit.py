"""The access log: every read of a person's data by anyone but that person, on a keyed hash
chain, in the same transaction as the read. Citizens see their own; auditors verify it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import InvalidInput, NotAllowed, NotFound
from healthcode.oversight.access import Action, Principal, Purpose
from healthcode.oversight.audit_chain import AccessRecord, ChainProblem
from healthcode.oversight.authz import require, require_person_scope, sees_person
from healthcode.oversight.model import BreakGlassUse
from healthcode.oversight.ports import OversightUnitOfWork


def record_access(
    uow: OversightUnitOfWork,
    *,
    clock: Clock,
    principal: Principal,
    subject: str,
    what: str,
    purpose: Purpose | str | None,
) -> AccessRecord | None:
    """Write the audit record of ``principal`` reading ``what`` of ``subject``'s data, inside
    the caller's transaction (so no read is committed without its record). A person reading
    their own data is not recorded."""
    if principal.is_person(subject):
        return None
    return uow.audit.append(
        at=clock.now(),
        actor=principal.actor,
        role=principal.role.value,
        purpose=_purpose(purpose or principal.purpose),
        subject=subject,
        what=what,
    )


def _purpose(stated: Purpose | str | None) -> str:
    return str(stated.value if isinstance(stated, Purpose) else stated or "unstated")


def record_reads(
    uow: OversightUnitOfWork,
    *,
    clock: Clock,
    principal: Principal,
    subjects: Iterable[str],
    what: str,
) -> int:
    """Write one audit record per person whose data a list shows ``principal`` (each person
    once, in the order shown, in one bulk insert), inside the caller's transaction; the
    principal's own data is not recorded. How many records were written."""
    others = [s for s in dict.fromkeys(subjects) if not principal.is_person(s)]
    return uow.audit.append_many(
        at=clock.now(),
        actor=principal.actor,
        role=principal.role.value,
        purpose=_purpose(principal.purpose),
        subjects=others,
        what=what,
    )


DEVICE_ROLE = "checkpoint"
"""The role a checkpoint device is recorded with (devices are no role of the access table:
they act by their own signature, never by a bearer token)."""


def record_device_read(
    uow: OversightUnitOfWork, *, clock: Clock, device: str, subject: str, what: str, purpose: str
) -> AccessRecord:
    """Write the audit record of checkpoint device ``device`` reading ``what`` of ``subject``'s
    data, inside the caller's transaction; the actor is ``device:<id>``."""
    return uow.audit.append(
        at=clock.now(),
        actor=f"device:{device}",
        role=DEVICE_ROLE,
        purpose=purpose,
        subject=subject,
        what=what,
    )


def record_device_reads(
    uow: OversightUnitOfWork,
    *,
    clock: Clock,
    device: str,
    subjects: Iterable[str],
    what: str,
    purpose: str,
) -> int:
    """``record_device_read`` for each of ``subjects`` (each once), in one bulk append."""
    return uow.audit.append_many(
        at=clock.now(),
        actor=f"device:{device}",
        role=DEVICE_ROLE,
        purpose=purpose,
        subjects=list(dict.fromkeys(subjects)),
        what=what,
    )


CONSOLE_ROLE = "operator"
"""The role the operator at the console is recorded with: they hold the database and its key
and act outside the access table (commands without ``--as``), yet what they print of a person
is a read of that person's data like any other."""

CONSOLE_PURPOSE = "operations"

BREAK_GLASS = "break_glass"
"""The role and purpose of a read by the operator holding the data key without an official's
session (``--break-glass REASON``): counted apart in the access log and the break-glass log."""


@dataclass(frozen=True)
class ConsoleOperator:
    """Who runs a console command that reads a person without ``--as`` (the system user);
    ``reason`` set: they broke the glass to read people an official would read."""

    name: str
    reason: str | None = None

    @property
    def actor(self) -> str:
        return f"console:{self.name}"

    @property
    def role(self) -> str:
        return CONSOLE_ROLE if self.reason is None else BREAK_GLASS

    @property
    def purpose(self) -> str:
        return CONSOLE_PURPOSE if self.reason is None else BREAK_GLASS


Reader = Principal | ConsoleOperator
"""Who reads a person at the console: an official by their session, or the operator."""


def record_console_reads(
    uow: OversightUnitOfWork,
    *,
    clock: Clock,
    operator: ConsoleOperator | None,
    subjects: Iterable[str],
    what: str,
) -> int:
    """Write the records of the console operator reading ``what`` of each of ``subjects`` (each
    once, one bulk append) inside the caller's transaction; nothing when ``operator`` is None
    (the person themself, or a use case called for no one). A break-glass read is also written
    to the break-glass log with its reason."""
    if operator is None:
        return 0
    shown = list(dict.fromkeys(subjects))
    if operator.reason is not None:
        uow.break_glass.add(
            at=clock.now(),
            operator=operator.actor,
            what=what,
            people=len(shown),
            reason=operator.reason,
        )
    return uow.audit.append_many(
        at=clock.now(),
        actor=operator.actor,
        role=operator.role,
        purpose=operator.purpose,
        subjects=shown,
        what=what,
    )


def require_reader(reader: Reader | None, action: Action) -> Reader | None:
    """An official reader authorised for ``action`` (with its purpose); the operator and no
    one (a use case called for the person or for nobody) pass as they are."""
    return require(reader, action) if isinstance(reader, Principal) else reader


def readable(uow: OversightUnitOfWork, reader: Reader | None, subjects: Iterable[str]) -> list[str]:
    """Of ``subjects``, those the reader may see: all for the operator, those within an
    official's jurisdiction and district for an official."""
    wanted = list(dict.fromkeys(subjects))
    if not isinstance(reader, Principal):
        return wanted
    where = uow.persons.jurisdictions_of(wanted)
    return [
        s
        for s in wanted
        if s in where
        and (reader.jurisdiction is None or where[s] == reader.jurisdiction)
        and sees_person(uow, reader, s)
    ]


def record_reader_reads(
    uow: OversightUnitOfWork,
    *,
    clock: Clock,
    reader: Reader | None,
    subjects: Iterable[str],
    what: str,
    action: Action,
) -> int:
    """Check and record ``reader`` reading ``what`` of ``subjects`` inside the caller's
    transaction: an official must be allowed ``action`` and have every person in scope
    (``NotAllowed`` otherwise); the operator is recorded as such (``record_console_reads``)."""
    if not isinstance(reader, Principal):
        return record_console_reads(uow, clock=clock, operator=reader, subjects=subjects, what=what)
    principal = require(reader, action)
    shown = list(dict.fromkeys(subjects))
    for subject in shown:
        require_person_scope(
            principal,
            jurisdiction=uow.persons.jurisdiction_of(subject),
            district=uow.persons.district_of(subject),
            action=action,
        )
    return record_reads(uow, clock=clock, principal=principal, subjects=shown, what=what)


def own_access_log(*, uow: OversightUnitOfWork, principal: Principal) -> list[AccessRecord]:
    """Who read the citizen's data, why and when, oldest first."""
    principal = require(principal, Action.READ_OWN_ACCESS_LOG)
    if principal.subject is None:  # the table allows this action to citizens only
        raise NotAllowed(Action.READ_OWN_ACCESS_LOG.value, "only a person has an access log")
    with uow:
        return uow.audit.for_subject(principal.subject)


def access_log_of(
    *, uow: OversightUnitOfWork, clock: Clock, principal: Principal, subject: str
) -> list[AccessRecord]:
    """An auditor reads a person's access log (itself recorded: the citizen sees it)."""
    principal = require(principal, Action.READ_ACCESS_LOG)
    with uow:
        jurisdiction = uow.persons.jurisdiction_of(subject)
        if jurisdiction is None:
            raise NotFound("person", subject)
        require_person_scope(
            principal,
            jurisdiction=jurisdiction,
            district=uow.persons.district_of(subject),
            action=Action.READ_ACCESS_LOG,
        )
        records = uow.audit.for_subject(subject)
        record_access(
            uow,
            clock=clock,
            principal=principal,
            subject=subject,
            what="access_log",
            purpose=principal.purpose,
        )
        uow.commit()
    return records


def break_glass_log(
    *, uow: OversightUnitOfWork, principal: Principal, start: datetime, end: datetime
) -> list[BreakGlassUse]:
    """The break-glass uses in ``[start, end)``, oldest first, with their reasons (auditors)."""
    require(principal, Action.READ_ACCESS_LOG)
    if end <= start:
        raise InvalidInput.one("to", "must be after from")
    with uow:
        return uow.break_glass.between(start, end)


@dataclass(frozen=True)
class Verification:
    records: int
    problem: ChainProblem | None

    @property
    def intact(self) -> bool:
        return self.problem is None


def verify_access_log(
    *, uow: OversightUnitOfWork, principal: Principal | None = None
) -> Verification:
    """Check the whole chain and name the first record edited, inserted or removed.
    ``principal`` None is the operator at the console (`healthcode audit verify`)."""
    if principal is not None:
        require(principal, Action.VERIFY_AUDIT_LOG)
    with uow:
        count, problem = uow.audit.verify()
    return Verification(records=count, problem=problem)
