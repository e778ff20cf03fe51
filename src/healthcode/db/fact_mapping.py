"""Maps domain facts to their tables and back, field by field; the free text people and
officials type in a fact (a declaration's note, a quarantine order's, an override's and a
release's reason) is stored encrypted, bound to its fact and field."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, select

from healthcode.db import facts as rows
from healthcode.db.encryption import PersonalDataCipher
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

# Typed free text, where names and phone numbers end up: each is held in a ``<field>_enc``
# column (migration 0011 moved the existing rows there).
ENCRYPTED_TEXT: Mapping[FactKind, tuple[str, ...]] = {
    FactKind.HEALTH_DECLARATION: ("note",),
    FactKind.QUARANTINE_ORDER: ("reason",),
    FactKind.MANUAL_OVERRIDE: ("reason_text",),
    FactKind.RELEASE: ("reason",),
}

# Fields whose domain type is not what the column holds.
_DECODERS: Mapping[tuple[FactKind, str], Callable[[Any], Any]] = {
    (FactKind.HEALTH_DECLARATION, "symptoms"): lambda v: tuple(Symptom(s) for s in v),
    (FactKind.MANUAL_OVERRIDE, "colour"): Colour,
    (FactKind.RELEASE, "rules"): tuple,
}


_TABLE_NAMES: Mapping[FactKind, str] = {
    kind: row_type.__tablename__  # type: ignore[attr-defined]
    for kind, row_type in ROW_TYPES.items()
}


def text_context(kind: FactKind, fact_id: str, field: str) -> str:
    """What an encrypted field is bound to: its table, its fact and its name."""
    return f"{_TABLE_NAMES[kind]}:{fact_id}:{field}"


def _encode(value: Any) -> Any:
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    return value


# values stored as they are (exact types: an enum member, a str subclass, is encoded)
_AS_IS: frozenset[type] = frozenset({str, int, float, bool, datetime, type(None)})


_NAMES: dict[type, tuple[str, ...]] = {}
"""Each fact type's field names (``dataclasses.fields`` builds them anew at every call)."""


def _names(fact: Fact) -> tuple[str, ...]:
    names = _NAMES.get(type(fact))
    if names is None:
        names = _NAMES[type(fact)] = tuple(f.name for f in dataclasses.fields(fact))
    return names


def row_values(fact: Fact, cipher: PersonalDataCipher) -> dict[str, Any]:
    """The column values of ``fact``'s row, its free text encrypted."""
    values: dict[str, Any] = {}
    for name in _names(fact):
        value = getattr(fact, name)
        values[name] = value if type(value) in _AS_IS else _encode(value)
    for name in ENCRYPTED_TEXT.get(fact.kind, ()):
        text = values.pop(name)
        values[f"{name}_enc"] = cipher.encrypt(text, context=text_context(fact.kind, fact.id, name))
    return values


def to_row(fact: Fact, cipher: PersonalDataCipher) -> FactColumns:
    return ROW_TYPES[fact.kind](**row_values(fact, cipher))


_Reading = tuple[tuple[str, ...], tuple[tuple[str, Callable[[Any], Any]], ...], tuple[str, ...]]


def _reading(kind: FactKind) -> _Reading:
    """The columns a ``kind`` row is read from (the fact's fields in order, each sealed one as
    its ``_enc`` column), the fields decoded on the way and those opened."""
    sealed = ENCRYPTED_TEXT.get(kind, ())
    fields = [f.name for f in dataclasses.fields(domain.FACT_TYPES[kind]) if f.name not in sealed]
    columns = (*fields, *(f"{name}_enc" for name in sealed))
    decoded = tuple((n, d) for n in fields if (d := _DECODERS.get((kind, n))) is not None)
    return columns, decoded, sealed


# Per kind, computed once, used for every row.
_READINGS = {kind: _reading(kind) for kind in ROW_TYPES}


def select_facts(kind: FactKind) -> Select[Any]:
    """A select of ``kind``'s table, its columns in the order ``facts_of`` reads them."""
    table = ROW_TYPES[kind].__table__  # type: ignore[attr-defined]
    return select(*(table.c[name] for name in _READINGS[kind][0]))


def facts_of(
    kind: FactKind, rows: Iterable[Sequence[Any]], cipher: PersonalDataCipher
) -> list[Fact]:
    """The facts that rows of ``select_facts(kind)`` hold, read by position: a reassessment
    reads a few hundred thousand rows, and a row's attributes by name cost more than the rest."""
    names, decoded, sealed = _READINGS[kind]
    make = domain.FACT_TYPES[kind]
    facts: list[Fact] = []
    for row in rows:
        values = dict(zip(names, row, strict=True))
        for name, decode in decoded:
            value = values[name]
            if value is not None:
                values[name] = decode(value)
        for name in sealed:
            values[name] = cipher.decrypt(
                bytes(values.pop(f"{name}_enc")), context=text_context(kind, values["id"], name)
            )
        facts.append(make(**values))
    return facts


def from_row(kind: FactKind, row: Any, cipher: PersonalDataCipher) -> Fact:
    """The fact a row holds whose columns are read by name (an ORM object, or a plain row of
    a wider select): ``facts_of`` of its values in order."""
    return facts_of(kind, [tuple(getattr(row, name) for name in _READINGS[kind][0])], cipher)[0]
