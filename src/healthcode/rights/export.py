"""Right of access: a citizen downloads everything held about them, in one transaction (their
status brought up to date first). Their own reads are not recorded in the access log."""

from __future__ import annotations

from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import NotFound
from healthcode.kernel.facts import FactKind
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.authz import require
from healthcode.rights.model import MyData
from healthcode.rights.ports import RightsUnitOfWork
from healthcode.status.assessment import TIME_CAUSE, refresh_status
from healthcode.tracing.quarantine import exposures_in

# tracing's facts are given as tracing tells the person of them (``exposures``), never naming
# the case they came from
_TOLD_APART = frozenset({FactKind.EXPOSURE, FactKind.QUARANTINE_ORDER})


def citizen_subject(principal: Principal) -> str:
    """The citizen's own subject (``NotAllowed`` for anyone else)."""
    principal = require(principal, Action.USE_OWN_DATA)
    if principal.subject is None:  # the table lets citizens alone use their own data
        raise NotFound("person", principal.id)
    return principal.subject


def export_my_data(*, uow: RightsUnitOfWork, clock: Clock, principal: Principal) -> MyData:
    """All the data held about the citizen calling."""
    subject = citizen_subject(principal)
    with uow:
        person = uow.persons.get(subject)
        if person is None:
            raise NotFound("person", subject)
        status = refresh_status(uow, clock=clock, subject=subject, cause=TIME_CAUSE)
        data = MyData(
            exported_at=clock.now(),
            person=person,
            consents=uow.persons.consents(subject),
            identity_events=uow.identity_events.of(subject),
            facts=[f for f in uow.facts.for_subject(subject) if f.kind not in _TOLD_APART],
            exposures=exposures_in(uow, subject),
            status=status,
            history=uow.statuses.changes(subject),
            checkins=uow.venues.checkins_of(subject),
            employers=uow.venues.employers_of(subject),
            appeals=uow.appeals.of_subject(subject),
            access_log=uow.audit.for_subject(subject),
        )
        uow.commit()  # a time-driven change found on the way is recorded
    return data
