"""Recording test results (PCR, antigen), which rules read to colour or clear a code."""

from __future__ import annotations

from datetime import datetime, timedelta

from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import InvalidInput, NotFound, Problem
from healthcode.kernel.facts import TestResult
from healthcode.kernel.ids import new_id
from healthcode.kernel.status import Status
from healthcode.oversight.access import Action
from healthcode.oversight.audit import Reader, record_reader_reads
from healthcode.status.assessment import record_fact
from healthcode.status.ports import StatusUnitOfWork

TEST_KINDS = ("pcr", "antigen")
RESULTS = ("negative", "positive")
MAX_SAMPLE_AGE = timedelta(days=14)


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
    """Record a test result known now, sampled at ``sampled_at``; returns the new status
    (shown to an official, ``Action.READ_STATUS`` in scope, or the console operator: the
    ``reader``, whose read is in the person's access log)."""
    now = clock.now()
    problems: list[Problem] = []
    if test_kind not in TEST_KINDS:
        problems.append(Problem("kind", f"must be one of {', '.join(TEST_KINDS)}"))
    if result not in RESULTS:
        problems.append(Problem("result", f"must be one of {', '.join(RESULTS)}"))
    if sampled_at.tzinfo is None:
        problems.append(Problem("sampled_at", "must include a time zone"))
    elif sampled_at > now:
        problems.append(Problem("sampled_at", "must not be after the time the result is known"))
    elif sampled_at < now - MAX_SAMPLE_AGE:
        problems.append(Problem("sampled_at", "must be within the last 14 days"))
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
