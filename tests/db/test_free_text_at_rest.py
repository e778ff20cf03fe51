"""Free text officials type (a case's test reference and withdrawal reason, a proposal's reason,
decision note and payload) is stored encrypted: the raw rows do not hold it, and the service
reads it back as typed."""

from __future__ import annotations

from sqlalchemy import text

from healthcode.container import Container
from healthcode.oversight.model import ProposalStatus
from healthcode.tracing import cases
from healthcode.tracing.model.cases import CaseReport
from tracing_helpers import confirm, hours, officials, resident

PHONE_IN_REFERENCE = "13900001111"
PHONE_IN_REASON = "13900002222"
PHONE_IN_WITHDRAWAL = "13900003333"


def _raw(container: Container, table: str) -> str:
    """Every value of every row of ``table`` as the database hands it over, as text."""
    with container.engine.connect() as conn:
        rows = conn.execute(text(f"SELECT * FROM {table}")).all()  # noqa: S608 - a fixed name
    return " ".join(
        bytes(v).decode("latin-1") if isinstance(v, bytes | memoryview) else str(v)
        for row in rows
        for v in row
    )


def test_case_and_proposal_free_text_is_not_stored_in_clear(container: Container) -> None:
    """Reported, confirmed and withdrawn: no phone number typed appears in the raw rows."""
    who = officials(container)
    subject = resident(container, 1)
    now = container.clock.now()
    proposal = cases.report_case(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=who["wang"],
        report=CaseReport(
            subject=subject,
            sampled_at=now - hours(5),
            test_reference=f"HZ-{PHONE_IN_REFERENCE}",
            onset_at=None,
            asymptomatic=True,
            isolated_at=None,
        ),
        reason=f"positive PCR, Zhang San, call {PHONE_IN_REASON}",
    )
    case_id = str(proposal.payload["case_id"])
    confirm(container, who["li"], case_id)
    withdrawal = cases.withdraw_case(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=who["zhao"],
        case_id=case_id,
        reason=f"sample of Li Si, {PHONE_IN_WITHDRAWAL}",
    )
    assert withdrawal.status is ProposalStatus.PENDING
    stored = _raw(container, "case_records") + _raw(container, "proposals")
    for phone in (PHONE_IN_REFERENCE, PHONE_IN_REASON, PHONE_IN_WITHDRAWAL):
        assert phone not in stored
    with container.uow() as uow:
        record = uow.cases.get(case_id)
        report, pending = uow.proposals.get(proposal.id), uow.proposals.get(withdrawal.id)
    assert record is not None and report is not None and pending is not None
    assert record.details.test_reference == f"HZ-{PHONE_IN_REFERENCE}"
    assert report.reason == f"positive PCR, Zhang San, call {PHONE_IN_REASON}"
    assert report.payload["test_reference"] == f"HZ-{PHONE_IN_REFERENCE}"
    assert pending.reason == f"sample of Li Si, {PHONE_IN_WITHDRAWAL}"
