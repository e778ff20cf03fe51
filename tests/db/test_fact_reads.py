"""Every kind of fact reads back as it was written, field for field, through each read path."""

from __future__ import annotations

from datetime import date, timedelta

from healthcode.container import Container
from healthcode.db.fact_mapping import ROW_TYPES
from healthcode.kernel.facts import (
    Arrival,
    Case,
    Colour,
    Exposure,
    Fact,
    FactKind,
    HealthDeclaration,
    IdentityCheck,
    ManualOverride,
    Presence,
    QuarantineOrder,
    Release,
    Symptom,
    TestResult,
    TravelDeclaration,
)
from tracing_helpers import resident


def _one_of_each(container: Container, subject: str) -> list[Fact]:
    """One fact of every kind, every optional field set and none left at its default."""
    now = container.clock.now()
    earlier = now - timedelta(days=2, microseconds=7)

    def base(n: int) -> dict[str, object]:
        return {"id": f"{n:032x}", "subject": subject, "at": earlier, "recorded_at": now}

    return [
        HealthDeclaration(
            **base(1), temperature=37.8, symptoms=(Symptom.FEVER, Symptom.FATIGUE), note="ill"
        ),
        TravelDeclaration(
            **base(2), place="310000", from_date=date(2026, 3, 1), to_date=date(2026, 3, 4)
        ),
        Arrival(
            **base(3),
            from_region="310100",
            to_region="330100",
            source="consent",
            origin_colour="yellow",
            origin_risk_area="low",
        ),
        Presence(
            **base(4),
            place_id="venue-1",
            place_kind="venue",
            until=now,
            source="scan",
            cell="8a309a4c3c07fff",
        ),
        Exposure(
            **base(5),
            category="close_contact",
            rule="close_venue",
            source_id="case-1",
            place_id="venue-1",
            overlap_minutes=17.25,
            level="high",
            supersedes=f"{99:032x}",
        ),
        Case(
            **base(6),
            case_id="case-1",
            classification="confirmed",
            sampled_at=earlier,
            onset_at=earlier - timedelta(days=1),
        ),
        TestResult(**base(7), test_kind="pcr", result="negative", sampled_at=earlier),
        QuarantineOrder(
            **base(8), order_id="o-1", setting="home", planned_end=now, reason="contact"
        ),
        IdentityCheck(**base(9), channel="app", method="document"),
        ManualOverride(
            **base(10),
            colour=Colour.RED,
            reason_category="clinic",
            reason_text="fever clinic",
            expires_at=now + timedelta(days=1),
            proposed_by="official-1",
            approved_by="official-2",
        ),
        Release(**base(11), rules=("fever", "close_venue"), reason="negative", approved_by="o-2"),
        Exposure(**base(12), category="risk_area", rule="risk_area", source_id="area-1"),
    ]


def test_every_kind_reads_back_field_for_field(container: Container) -> None:
    """A subject's facts, read one subject, in bulk and in a batch, equal those written."""
    subject = resident(container, 1)
    written = _one_of_each(container, subject)
    assert {f.kind for f in written} == set(ROW_TYPES)
    with container.uow() as uow:
        uow.status_batch.add_facts(written)
        uow.commit()
    kinds = list(FactKind)
    with container.uow() as uow:
        one = uow.facts.for_subject(subject, kinds=kinds)
        bulk = uow.facts.by_subject([subject])[subject]
        batch = uow.status_batch.facts([subject], kinds)[subject]
    for found in (one, bulk, batch):
        assert sorted(found, key=lambda f: f.id) == written
        for read, wrote in zip(sorted(found, key=lambda f: f.id), written, strict=True):
            assert type(read) is type(wrote)
            assert read.at.tzinfo is not None and read.recorded_at.tzinfo is not None


def test_a_batch_read_keeps_each_subject_to_its_own(container: Container) -> None:
    """Facts of several subjects read in one batch land with their own subject, none lost."""
    subjects = [resident(container, n) for n in (1, 2, 3)]
    now = container.clock.now()
    written = [
        TestResult(
            id=f"{n:032x}",
            subject=s,
            at=now - timedelta(hours=n),
            recorded_at=now,
            test_kind="antigen",
            result="positive" if n % 2 else "negative",
            sampled_at=now - timedelta(hours=n + 1),
        )
        for n, s in enumerate(subjects * 2)
    ]
    with container.uow() as uow:
        uow.status_batch.add_facts(written)
        uow.commit()
    with container.uow() as uow:
        found = uow.status_batch.facts([*subjects, "nobody"], [FactKind.TEST_RESULT])
    assert found["nobody"] == []
    for s in subjects:
        assert sorted(f.id for f in found[s]) == sorted(f.id for f in written if f.subject == s)
