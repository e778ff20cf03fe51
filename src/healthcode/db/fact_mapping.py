"""Maps domain facts to their tables and back, field by field."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any

from healthcode.db import facts as rows
from healthcode.db.facts import FactColumns
from healthcode.kernel import facts as domain
from healthcode.kernel.facts import Colour, Fact, FactKind, Symptom

ROW_TYPES: Mapping[FactKind, type[FactColumns]] = {
    FactKind.HEALTH_DECLARATION: rows.HealthDeclarationRow,
    FactKind.TRAVEL_DECLARATION: rows.TravelDeclarationRow,
    FactKind.ARRIVAL: rows.ArrivalRow,
    FactKind.PRESENCE: rows.PresenceRow,
    FactKind.EXPOSURE: rows.ExposureRow,
    FactKind.CASE: rows.CaseRow,
    FactKind.TEST_RESULT: rows.TestResultRow,
    FactKind.QUARANTINE_ORDER: rows.QuarantineOrderRow,
    FactKind.IDENTITY_CHECK: rows.IdentityCheckRow,
    FactKind.MANUAL_OVERRIDE: rows.ManualOverrideRow,
    FactKind.RELEASE: rows.ReleaseRow,
}

# Fields whose domain type is not what the column holds.
_DECODERS: Mapping[tuple[FactKind, str], Callable[[Any], Any]] = {
    (FactKind.HEALTH_DECLARATION, "symptoms"): lambda v: tuple(Symptom(s) for s in v),
    (FactKind.MANUAL_OVERRIDE, "colour"): Colour,
    (FactKind.RELEASE, "rules"): tuple,
}


def _encode(value: Any) -> Any:
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    return value


def to_row(fact: Fact) -> FactColumns:
    row_type = ROW_TYPES[fact.kind]
    values = {f.name: _encode(getattr(fact, f.name)) for f in dataclasses.fields(fact)}
    return row_type(**values)


def _field_plan(kind: FactKind) -> tuple[tuple[str, Callable[[Any], Any] | None], ...]:
    fact_type = domain.FACT_TYPES[kind]
    return tuple((f.name, _DECODERS.get((kind, f.name))) for f in dataclasses.fields(fact_type))


# Per kind, the fields to read and how to decode each: computed once, used for every row.
_PLANS = {kind: _field_plan(kind) for kind in ROW_TYPES}


def from_row(kind: FactKind, row: Any) -> Fact:
    """The fact a row (ORM object or plain result row) holds."""
    values: dict[str, Any] = {}
    for name, decode in _PLANS[kind]:
        value = getattr(row, name)
        values[name] = decode(value) if decode is not None and value is not None else value
    return domain.FACT_TYPES[kind](**values)
