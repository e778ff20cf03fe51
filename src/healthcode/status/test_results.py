"""Recording test results (PCR, antigen), which rules read to colour or clear a code: a
laboratory's feed records one at once (``record_test_result``); one entered by hand is a
four-eyes proposal (``RECORD_TEST_RESULT``), since a positive result turns a code red and a
negative one may end a rule, and no single person may change a colour (DESIGN §1)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import InvalidInput, NotFound, Problem
from healthcode.kernel.facts import TestResult
from healthcode.kernel.ids import new_id
from healthcode.kernel.status import Status
from healthcode.kernel.times import payload_time
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.audit import Reader, record_reader_reads
from healthcode.oversight.kinds import Approval, Prepared, ProposalHandler
from healthcode.oversight.model import ProposalKind
from healthcode.status.assessment import record_fact
from healthcode.status.overrides import proposed_subject
from healthcode.status.ports import StatusUnitOfWork

TEST_KINDS = ("pcr", "antigen")
RESULTS = ("negative", "positive")
MAX_SAMPLE_AGE = timedelta(days=14)


def result_problems(
    *, test_kind: object, result: object, sampled_at: datetime | None, now: datetime, prefix: str
) -> list[Problem]:
    """What is wrong with a test result known at ``now``, each field named after ``prefix``
    (``sampled_at`` None: left to whoever read it)."""
    problems: list[Problem] = []
    if test_kind not in TEST_KINDS:
        problems.append(Problem(f"{prefix}kind", f"must be one of {', '.join(TEST_KINDS)}"))
    if result not in RESULTS:
        problems.append(Problem(f"{prefix}result", f"must be one of {', '.join(RESULTS)}"))
    field = f"{prefix}sampled_at"
    if sampled_at is None:
        return problems
    if sampled_at.tzinfo is None:
        problems.append(Problem(field, "must include a time zone"))
    elif sampled_at > now:
        problems.append(Problem(field, "must not be after the time the result is known"))
    elif sampled_at < now - MAX_SAMPLE_AGE:
        problems.append(Problem(field, "must be within the last 14 days"))
    return problems


def record_test_result(
    *,
    uow: StatusUnitOfWork,
    clock: Clock,
    subject: str,
    test_kind: str,
    result: str,
    sampled_at: datetime,
    reader: Reader | None = None,
) -> tuple[TestResult, Status]:
    """Record a test result known now, sampled at ``sampled_at`` (a laboratory's feed: the
    simulator's laboratory, a test's fixtures); returns the new status (shown to ``reader``, if
    any, whose read is in the person's access log)."""
    now = clock.now()
    problems = result_problems(
        test_kind=test_kind, result=result, sampled_at=sampled_at, now=now, prefix=""
    )
    if problems:
        raise InvalidInput(problems)
    fact = TestResult(
        id=new_id(),
        subject=subject,
        at=now,
        recorded_at=now,
        test_kind=test_kind,
        result=result,
        sampled_at=sampled_at,
    )
    with uow:
        if uow.persons.jurisdiction_of(subject) is None:
            raise NotFound("person", subject)
        status = record_fact(uow, clock=clock, fact=fact)
        record_reader_reads(
            uow,
            clock=clock,
            reader=reader,
            subjects=[subject],
            what="status",
            action=Action.READ_STATUS,
        )
        uow.commit()
    return fact, status


def _prepare(
    uow: StatusUnitOfWork, clock: Clock, _principal: Principal, payload: Mapping[str, Any]
) -> Prepared:
    subject, jurisdiction = proposed_subject(uow, payload)
    now = clock.now()
    problems: list[Problem] = []
    sampled_at = payload_time(payload, "sampled_at", problems)
    if sampled_at is None and not problems:
        problems.append(Problem("payload.sampled_at", "is required (ISO 8601 with a zone)"))
    problems += result_problems(
        test_kind=payload.get("kind"),
        result=payload.get("result"),
        sampled_at=sampled_at,
        now=now,
        prefix="payload.",
    )
    if problems or sampled_at is None:
        raise InvalidInput(problems)
    return Prepared(
        subject=subject,
        jurisdiction=jurisdiction,
        payload={
            "subject": subject,
            "kind": payload["kind"],
            "result": payload["result"],
            "sampled_at": sampled_at.isoformat(),
            "known_at": now.isoformat(),
        },
    )


def _execute(approval: Approval[StatusUnitOfWork]) -> Mapping[str, Any]:
    """The result as known when proposed, recorded now, and the person reassessed."""
    proposal, now = approval.proposal, approval.clock.now()
    payload = proposal.payload
    sampled_at = datetime.fromisoformat(str(payload["sampled_at"]))
    problems = result_problems(
        test_kind=payload["kind"],
        result=payload["result"],
        sampled_at=sampled_at,
        now=now,
        prefix="payload.",
    )
    if problems:  # approved too late: the sample is no longer within the last 14 days
        raise InvalidInput(problems)
    fact = TestResult(
        id=new_id(),
        subject=str(proposal.subject),
        at=datetime.fromisoformat(str(payload["known_at"])),
        recorded_at=now,
        test_kind=str(payload["kind"]),
        result=str(payload["result"]),
        sampled_at=sampled_at,
    )
    status = record_fact(approval.uow, clock=approval.clock, fact=fact)
    return {"fact": fact.id, "colour": status.colour.value}


RECORD_TEST_RESULT = ProposalHandler[StatusUnitOfWork](
    kind=ProposalKind.RECORD_TEST_RESULT.value,
    propose_action=Action.PROPOSE_TEST_RESULT,
    approve_action=Action.APPROVE_TEST_RESULT,
    prepare=_prepare,
    execute=_execute,
    description="a test result entered by hand (kind, result, sampling time), once approved",
)
