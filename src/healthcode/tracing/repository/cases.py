"""Repositories for case records (their free text encrypted) and declared risk areas."""

from __future__ import annotations

from datetime import datetime
from types import MappingProxyType
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthcode.db.encryption import PersonalDataCipher
from healthcode.identity.tables import PersonRow
from healthcode.tracing.model.cases import CaseDetails, CaseRecord, CaseState, Classification
from healthcode.tracing.model.risk_areas import RiskArea
from healthcode.tracing.tables import CaseRecordRow, RiskAreaRow

_CASE_TEXT = ("test_reference", "withdrawal_reason")
"""The free text of a case, stored encrypted (AES-GCM, bound to the case and the field)."""


def _case(row: CaseRecordRow, cipher: PersonalDataCipher) -> CaseRecord:
    text = {
        name: cipher.decrypt(getattr(row, f"{name}_enc"), context=f"case:{row.case_id}:{name}")
        for name in _CASE_TEXT
    }
    return CaseRecord(
        case_id=row.case_id,
        jurisdiction=row.jurisdiction,
        details=CaseDetails(
            subject=row.subject,
            classification=Classification(row.classification),
            sampled_at=row.sampled_at,
            onset_at=row.onset_at,
            isolated_at=row.isolated_at,
            test_reference=text["test_reference"],
        ),
        state=CaseState(row.state),
        version=row.version,
        reported_by=row.reported_by,
        reported_at=row.reported_at,
        confirmed_by=row.confirmed_by,
        confirmed_at=row.confirmed_at,
        case_fact_id=row.case_fact_id,
        withdrawn_by=row.withdrawn_by,
        withdrawn_at=row.withdrawn_at,
        withdrawal_reason=text["withdrawal_reason"],
        traced_at=row.traced_at,
        trace_counts=MappingProxyType(dict(row.trace_counts or {})),
        exposures=row.exposures,
        traced_version=row.traced_version,
        traced_settings=row.traced_settings,
    )


def _case_values(record: CaseRecord, cipher: PersonalDataCipher) -> dict[str, Any]:
    d = record.details
    text = {"test_reference": d.test_reference, "withdrawal_reason": record.withdrawal_reason}
    return {
        "case_id": record.case_id,
        "subject": d.subject,
        "jurisdiction": record.jurisdiction,
        "classification": d.classification.value,
        "sampled_at": d.sampled_at,
        "onset_at": d.onset_at,
        "isolated_at": d.isolated_at,
        **{
            f"{name}_enc": cipher.encrypt(value, context=f"case:{record.case_id}:{name}")
            for name, value in text.items()
        },
        "state": record.state.value,
        "version": record.version,
        "reported_by": record.reported_by,
        "reported_at": record.reported_at,
        "confirmed_by": record.confirmed_by,
        "confirmed_at": record.confirmed_at,
        "case_fact_id": record.case_fact_id,
        "withdrawn_by": record.withdrawn_by,
        "withdrawn_at": record.withdrawn_at,
        "traced_at": record.traced_at,
        "trace_counts": dict(record.trace_counts),
        "exposures": record.exposures,
        "traced_version": record.traced_version,
        "traced_settings": record.traced_settings,
    }


class SqlCaseRepository:
    """Case records, their free text encrypted."""

    def __init__(self, session: Session, cipher: PersonalDataCipher) -> None:
        self._session = session
        self._cipher = cipher

    def add(self, record: CaseRecord) -> None:
        self._session.add(CaseRecordRow(**_case_values(record, self._cipher)))
        self._session.flush()

    def get(self, case_id: str, *, for_update: bool = False) -> CaseRecord | None:
        row = self._session.get(CaseRecordRow, case_id, with_for_update=for_update)
        return None if row is None else _case(row, self._cipher)

    def save(self, record: CaseRecord) -> None:
        row = self._session.get(CaseRecordRow, record.case_id)
        if row is None:
            raise LookupError(record.case_id)
        for name, value in _case_values(record, self._cipher).items():
            setattr(row, name, value)
        self._session.flush()

    def list(
        self, jurisdiction: str, *, state: CaseState | None = None, district: str | None = None
    ) -> list[CaseRecord]:
        query = select(CaseRecordRow).where(CaseRecordRow.jurisdiction == jurisdiction)
        if state is not None:
            query = query.where(CaseRecordRow.state == state.value)
        if district is not None:
            query = query.join(PersonRow, PersonRow.subject == CaseRecordRow.subject).where(
                PersonRow.district == district
            )
        rows = self._session.scalars(
            query.order_by(CaseRecordRow.reported_at, CaseRecordRow.case_id)
        )
        return [_case(r, self._cipher) for r in rows]


_AREA_COLUMNS = ("id", "jurisdiction", "name", "level", "starts_at", "ends_at", "declared_at")


def _area(row: RiskAreaRow) -> RiskArea:
    columns = {c: getattr(row, c) for c in (*_AREA_COLUMNS, "proposed_by", "approved_by")}
    return RiskArea(**columns, cells=tuple(row.cells), venues=tuple(row.venues))


class SqlRiskAreaRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, area: RiskArea) -> None:
        values = {**vars(area), "cells": list(area.cells), "venues": list(area.venues)}
        self._session.add(RiskAreaRow(**values))
        self._session.flush()

    def get(self, area_id: str) -> RiskArea | None:
        row = self._session.get(RiskAreaRow, area_id)
        return None if row is None else _area(row)

    def end(self, area_id: str, at: datetime) -> None:
        row = self._session.get_one(RiskAreaRow, area_id)
        row.starts_at, row.ends_at = min(row.starts_at, at), at
        self._session.flush()

    def list(self, jurisdiction: str, *, active_at: datetime | None = None) -> list[RiskArea]:
        query = select(RiskAreaRow).where(RiskAreaRow.jurisdiction == jurisdiction)
        if active_at is not None:
            query = query.where(RiskAreaRow.ends_at > active_at)
        rows = self._session.scalars(query.order_by(RiskAreaRow.declared_at, RiskAreaRow.id))
        return [_area(r) for r in rows]
