"""Officials' free text does not survive a sunset: after the purge no table, text column or
decrypted one, holds any reason, note, answer, purpose or break-glass reason an official typed;
the records stay with their kind and time, and the access log's chain and anchors still hold."""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag

from healthcode.appeals.decisions import uphold_appeal
from healthcode.appeals.filing import file_appeal
from healthcode.appeals.model import AppealFiling
from healthcode.container import Container
from healthcode.db.engine import build_engine
from healthcode.db.schema import metadata
from healthcode.oversight import proposals
from healthcode.oversight.access import Principal, Role
from healthcode.oversight.audit import ConsoleOperator, verify_access_log
from healthcode.oversight.repository import BREAK_GLASS_CONTEXT, proposal_text_context
from healthcode.oversight.tables import AccessAuditRow
from healthcode.status.assessment import current_status
from healthcode.sunset.model import PLACEHOLDER
from healthcode.sunset.purge import final_report, purge_if_due
from healthcode.tracing.unmask import reveal_phone
from sunset_helpers import retire
from tracing_helpers import confirm, hours, officials, report, resident, stay, work

MARK = "ZQXMARK"  # in every text an official types below, as a name would be


def _decrypted(container: Container, row: dict[str, Any], column: str, value: bytes) -> str:
    """The plain text of an encrypted column, tried under each context it may be bound to."""
    field, key = column.removesuffix("_enc"), str(row.get("id"))
    contexts = [proposal_text_context(key, field), f"appeal:{key}:{field}", BREAK_GLASS_CONTEXT]
    for context in contexts:
        with suppress(InvalidTag, ValueError, UnicodeDecodeError):
            return container.cipher.decrypt(value, context=context)
    return value.decode("utf-8", "replace")


def _holding_mark(container: Container, database_url: str) -> set[str]:
    """``table.column`` of every value (text, JSON, or bytes decrypted) holding ``MARK``."""
    engine = build_engine(database_url)
    found = set()
    try:
        with engine.connect() as conn:
            for table in metadata().sorted_tables:
                for row in conn.execute(sa.select(table)):
                    values = dict(row._mapping)
                    for column, value in values.items():
                        text = (
                            _decrypted(container, values, column, value)
                            if isinstance(value, bytes)
                            else str(value)
                        )
                        if MARK in text:
                            found.add(f"{table.name}.{column}")
    finally:
        engine.dispose()
    return found


def _officials_write(container: Container) -> dict[str, Principal]:
    """A traced contact's phone unmasked for a purpose, an override approved with a note, one
    rejected, an appeal upheld with an answer, a break-glass read: each text with ``MARK``."""
    who = officials(container)
    clock, kinds = container.clock, container.proposal_kinds
    p = {n: resident(container, i) for i, n in enumerate(["case", "cc"], 1)}
    now = clock.now()
    for name in ("case", "cc"):
        stay(container, p[name], "cafe", now - hours(21), now - hours(20), kind="restaurant")
    case_id = report(
        container, who["wang"], p["case"], sampled_at=now - hours(2), onset_at=now - hours(2)
    )
    confirm(container, who["li"], case_id)
    work(container)
    reveal_phone(
        uow=container.uow(),
        clock=clock,
        principal=who["wang"],
        case_id=case_id,
        subject=p["cc"],
        purpose=f"call {MARK} about the test",
    )
    override = {
        "subject": p["cc"],
        "colour": "red",
        "reason_category": "positive_result_not_yet_reported",
        "expires_at": (now + timedelta(days=2)).isoformat(),
    }
    made = [
        proposals.propose(
            uow=container.uow(),
            clock=clock,
            kinds=kinds,
            principal=who["wang"],
            action="override_colour",
            payload=override,
            reason=f"{MARK} told us by phone",
        )
        for _ in range(2)
    ]
    proposals.approve(
        uow=container.uow(),
        clock=clock,
        kinds=kinds,
        principal=who["li"],
        proposal_id=made[0].id,
        note=f"checked with {MARK}",
    )
    proposals.reject(
        uow=container.uow(),
        clock=clock,
        kinds=kinds,
        principal=who["zhao"],
        proposal_id=made[1].id,
        note=f"a duplicate, {MARK}",
    )
    citizen = Principal(role=Role.CITIZEN, id=p["cc"], channel="website")
    filed = file_appeal(
        uow=container.uow(),
        clock=clock,
        principal=citizen,
        filing=AppealFiling(reason="I was not there", evidence=None),
    )
    uphold_appeal(
        uow=container.uow(),
        clock=clock,
        principal=who["wang"],
        appeal_id=filed.id,
        reason=f"{MARK} saw you there",
    )
    current_status(
        uow=container.uow(),
        clock=clock,
        subject=p["case"],
        reader=ConsoleOperator("root", reason=f"{MARK}'s phone was lost"),
    )
    return who


def test_no_official_free_text_survives_a_sunset(container: Container, database_url: str) -> None:
    """Every table's text, JSON and decrypted columns are free of the marker after the purge."""
    _officials_write(container)
    before = _holding_mark(container, database_url)
    assert {
        "proposals.reason_enc",
        "proposals.decision_note_enc",
        "break_glass_uses.reason_enc",
        "access_audit.what",
        "appeals.decision_enc",
    } <= before, before
    with container.uow() as uow:
        unmasked = uow.session.scalar(
            sa.select(AccessAuditRow).where(AccessAuditRow.purpose == "unmask")
        )
        assert unmasked is not None
        seq, mac = unmasked.seq, unmasked.hash
    retire(container, grace_days=0, reason=f"the emergency is over, says {MARK}")
    assert purge_if_due(uow=container.uow(), clock=container.clock) is not None
    assert _holding_mark(container, database_url) == set()
    with container.uow() as uow:
        kept = uow.proposals.list(status=None)
        record = uow.audit.record_at(seq)
    assert len(kept) == 4  # confirm_case, two overrides, the sunset: kinds and times stay
    assert {p.reason for p in kept} == {PLACEHOLDER}
    assert record is not None and record.what == f"phone number, unmasked: {PLACEHOLDER}"
    assert record.hash == mac  # the chain's MAC, named by the next record and the anchors
    assert verify_access_log(uow=container.uow()).intact
    report_kept = final_report(uow=container.uow())
    assert report_kept is not None and report_kept["unmaskings"] == 1
    assert report_kept["break_glass"]["uses"] == 1
