"""The contacts a case's tracing found, for the official tracing it: each person masked (name
and phone), with what tracing recorded about them from this case and its evidence (the place,
the case's interval there, theirs, the overlap). A contact's number in clear is a separate,
stated-purpose read (``tracing.unmask``); here every contact shown is a read of their data,
written to the access log."""

from __future__ import annotations

from dataclasses import dataclass

from healthcode.identity.masks import mask_name, mask_phone
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import InvalidInput
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.audit import record_reads
from healthcode.oversight.authz import require
from healthcode.tracing.cases import visible_case
from healthcode.tracing.model.derived import TracedFact
from healthcode.tracing.place_names import with_place_names
from healthcode.tracing.ports import TracingUnitOfWork
from healthcode.tracing.quarantine import told

MAX_CONTACTS = 1000
"""The most contacts one answer lists (a busy venue's case has tens of thousands: the preview
counts them, the list shows the first)."""


@dataclass(frozen=True, kw_only=True)
class CaseContact:
    """A person tracing found from the case, masked, and what it recorded about them."""

    subject: str
    name: str
    phone: str
    findings: tuple[TracedFact, ...]


@dataclass(frozen=True, kw_only=True)
class CaseContacts:
    case_id: str
    total: int
    contacts: tuple[CaseContact, ...]


def case_contacts(
    *,
    uow: TracingUnitOfWork,
    clock: Clock,
    principal: Principal,
    case_id: str,
    limit: int = 100,
    offset: int = 0,
) -> CaseContacts:
    """The people the case's tracing recorded something about (exposures and quarantine
    orders, retracted ones marked), in order of their first record: ``limit`` of them (at most
    ``MAX_CONTACTS``) from ``offset`` on, masked; each one shown is recorded in the access log."""
    principal = require(principal, Action.READ_CASES)
    if offset < 0:
        raise InvalidInput.one("offset", "must be 0 or more")
    with uow:
        visible_case(uow, principal, case_id)
        by_subject: dict[str, list[TracedFact]] = {}
        for derived in sorted(
            uow.tracing.derived_from(case_id), key=lambda d: (d.created_at, d.fact_id)
        ):
            by_subject.setdefault(derived.subject, []).append(told(derived))
        subjects = list(by_subject)[offset : offset + max(1, min(limit, MAX_CONTACTS))]
        # the venues of everyone shown named in one read, in the same order
        named = iter(with_place_names(uow, [f for s in subjects for f in by_subject[s]]))
        shown: list[CaseContact] = []
        for subject in subjects:
            person = uow.persons.get(subject)
            shown.append(
                CaseContact(
                    subject=subject,
                    name="" if person is None else mask_name(person.name),
                    phone="" if person is None else mask_phone(person.phone),
                    findings=tuple(next(named) for _ in by_subject[subject]),
                )
            )
        record_reads(
            uow,
            clock=clock,
            principal=principal,
            subjects=[c.subject for c in shown],
            what="case contacts",
        )
        uow.commit()
    return CaseContacts(case_id=case_id, total=len(by_subject), contacts=tuple(shown))
