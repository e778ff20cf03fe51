"""Facts: dated, append-only records about a person, from which the status is derived.

A fact is never edited. A correction is a new fact of the same kind whose ``supersedes`` names
the old one; a retraction is such a fact with ``retracted=True`` and contributes nothing itself.
``at`` is the moment the fact takes effect: the time every policy window counts from.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property
from itertools import filterfalse
from operator import attrgetter
from typing import ClassVar

from healthcode.kernel.regions import province_of


class Colour(StrEnum):
    """A health code's colour, ordered by severity."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]

    @staticmethod
    def most_severe(colours: Iterable[Colour]) -> Colour:
        return max(colours, key=lambda c: c.severity, default=Colour.GREEN)


_SEVERITY = {Colour.GREEN: 0, Colour.YELLOW: 1, Colour.RED: 2}


class FactKind(StrEnum):
    HEALTH_DECLARATION = "health_declaration"
    TRAVEL_DECLARATION = "travel_declaration"
    ARRIVAL = "arrival"
    PRESENCE = "presence"
    EXPOSURE = "exposure"
    CASE = "case"
    TEST_RESULT = "test_result"
    QUARANTINE_ORDER = "quarantine_order"
    IDENTITY_CHECK = "identity_check"
    MANUAL_OVERRIDE = "manual_override"
    RELEASE = "release"


class Symptom(StrEnum):
    FEVER = "fever"
    COUGH = "cough"
    SORE_THROAT = "sore_throat"
    FATIGUE = "fatigue"
    LOSS_OF_SMELL_OR_TASTE = "loss_of_smell_or_taste"
    SHORTNESS_OF_BREATH = "shortness_of_breath"
    DIARRHOEA = "diarrhoea"
    NONE = "none"


FEVER_THRESHOLD_CELSIUS = 37.3


@dataclass(frozen=True, kw_only=True)
class Fact:
    """What every fact has. Subclasses add their own fields."""

    kind: ClassVar[FactKind]
    # keys that ``data()`` adds beyond "kind" and the fields (derived values such as "normal")
    derived_data_keys: ClassVar[tuple[str, ...]] = ()

    id: str
    subject: str
    at: datetime
    recorded_at: datetime
    supersedes: str | None = None
    retracted: bool = False

    def data(self) -> dict[str, object]:
        """The fact as plain JSON values (times as ISO 8601 strings): what conditions read."""
        out: dict[str, object] = {"kind": self.kind.value}
        for f in dataclasses.fields(self):
            out[f.name] = _plain(getattr(self, f.name))
        return out

    @cached_property
    def condition_data(self) -> Mapping[str, object]:
        """``data()`` computed once per fact (a fact never changes). Read it; never mutate it."""
        return self.data()

    def condition_value(self, name: str) -> object:
        """``condition_data.get(name)``, without building the whole mapping for one field (an
        assessment often reads one field of many facts)."""
        held: Mapping[str, object] | None = self.__dict__.get("condition_data")
        if held is not None:
            return held.get(name)
        if name in _field_names(type(self)):
            return _plain(getattr(self, name))
        if name == "kind":
            return self.kind.value
        return self.condition_data.get(name)

    @classmethod
    def data_keys(cls) -> frozenset[str]:
        """The keys of ``data()`` for this kind of fact: what a condition may read."""
        names = (f.name for f in dataclasses.fields(cls))
        return frozenset({"kind", *names, *cls.derived_data_keys})


_FIELD_NAMES: dict[type, frozenset[str]] = {}


def _field_names(cls: type[Fact]) -> frozenset[str]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = frozenset(f.name for f in dataclasses.fields(cls))
    return names


def _plain(value: object) -> object:
    if type(value) is str:  # most fields a condition reads: returned before four isinstances
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


@dataclass(frozen=True, kw_only=True)
class HealthDeclaration(Fact):
    """A daily self-declaration of temperature and symptoms."""

    kind: ClassVar[FactKind] = FactKind.HEALTH_DECLARATION
    derived_data_keys: ClassVar[tuple[str, ...]] = ("normal", "fever")
    temperature: float
    symptoms: tuple[Symptom, ...] = ()
    note: str = ""

    @property
    def normal(self) -> bool:
        """No fever and no symptom: counts towards a clearing streak of normal declarations."""
        has_symptom = any(s is not Symptom.NONE for s in self.symptoms)
        return self.temperature < FEVER_THRESHOLD_CELSIUS and not has_symptom

    @property
    def fever(self) -> bool:
        """A temperature at or above the fever threshold, or fever declared as a symptom.

        A condition reads it as a boolean: CertLogic compares integers only, not 37.3.
        """
        return self.temperature >= FEVER_THRESHOLD_CELSIUS or Symptom.FEVER in self.symptoms

    def data(self) -> dict[str, object]:
        return {**super().data(), "normal": self.normal, "fever": self.fever}


@dataclass(frozen=True, kw_only=True)
class TravelDeclaration(Fact):
    """A declared stay in a region (GB/T 2260 code) between two dates."""

    kind: ClassVar[FactKind] = FactKind.TRAVEL_DECLARATION
    place: str
    from_date: date
    to_date: date


@dataclass(frozen=True, kw_only=True)
class Arrival(Fact):
    """The person arrived in ``to_region`` from ``from_region`` at ``at``.

    A visitor's arrival with consent (source ``consent``) also carries what their home city
    answered: ``origin_colour`` (their colour there) and ``origin_risk_area`` (the highest level
    of the risk areas in force there: ``none``, ``low``, ``medium``, ``high``; None when the
    origin's answer did not say). Both are None for an arrival found from locations or declared.
    """

    kind: ClassVar[FactKind] = FactKind.ARRIVAL
    derived_data_keys: ClassVar[tuple[str, ...]] = ("from_province", "to_province")
    from_region: str
    to_region: str
    source: str = "declared"
    origin_colour: str | None = None
    origin_risk_area: str | None = None

    @property
    def from_province(self) -> str:
        """The province (first two digits) of ``from_region``: CertLogic has no substring."""
        return province_of(self.from_region)

    @property
    def to_province(self) -> str:
        """The province (first two digits) of ``to_region``."""
        return province_of(self.to_region)

    def data(self) -> dict[str, object]:
        return {
            **super().data(),
            "from_province": self.from_province,
            "to_province": self.to_province,
        }


@dataclass(frozen=True, kw_only=True)
class Presence(Fact):
    """The person was at a place from ``at`` until ``until``."""

    kind: ClassVar[FactKind] = FactKind.PRESENCE
    place_id: str
    place_kind: str
    until: datetime
    source: str
    cell: str | None = None


@dataclass(frozen=True, kw_only=True)
class Exposure(Fact):
    """The person was exposed to a case or a risk area; ``at`` is the end of the last contact."""

    kind: ClassVar[FactKind] = FactKind.EXPOSURE
    category: str  # close_contact | secondary_contact | companion | risk_area
    rule: str
    source_id: str  # the case or risk area behind it
    place_id: str | None = None
    overlap_minutes: float = 0.0
    level: str | None = None


@dataclass(frozen=True, kw_only=True)
class Case(Fact):
    """A confirmed case; ``at`` is the confirmation time."""

    kind: ClassVar[FactKind] = FactKind.CASE
    case_id: str
    classification: str  # confirmed | asymptomatic
    sampled_at: datetime
    onset_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class TestResult(Fact):
    """A test result; ``at`` is when the result was known, ``sampled_at`` when it was taken."""

    __test__: ClassVar[bool] = False  # not a pytest test class

    kind: ClassVar[FactKind] = FactKind.TEST_RESULT
    test_kind: str  # pcr | antigen
    result: str  # negative | positive
    sampled_at: datetime


@dataclass(frozen=True, kw_only=True)
class QuarantineOrder(Fact):
    """An order to quarantine from ``at`` until ``planned_end`` at home or in a central facility."""

    kind: ClassVar[FactKind] = FactKind.QUARANTINE_ORDER
    order_id: str
    setting: str  # home | central
    planned_end: datetime
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class IdentityCheck(Fact):
    """A channel vouched for the person after a face check at ``at``."""

    kind: ClassVar[FactKind] = FactKind.IDENTITY_CHECK
    channel: str
    method: str = "face"


@dataclass(frozen=True, kw_only=True)
class ManualOverride(Fact):
    """An approved manual colour with a health reason; it always expires."""

    kind: ClassVar[FactKind] = FactKind.MANUAL_OVERRIDE
    colour: Colour
    reason_category: str
    reason_text: str
    expires_at: datetime
    proposed_by: str = ""
    approved_by: str = ""


@dataclass(frozen=True, kw_only=True)
class Release(Fact):
    """An approved official release that clears the named rules (or every rule when empty)."""

    kind: ClassVar[FactKind] = FactKind.RELEASE
    rules: tuple[str, ...] = ()
    reason: str = ""
    approved_by: str = ""


FACT_TYPES: Mapping[FactKind, type[Fact]] = {
    cls.kind: cls
    for cls in (
        HealthDeclaration,
        TravelDeclaration,
        Arrival,
        Presence,
        Exposure,
        Case,
        TestResult,
        QuarantineOrder,
        IdentityCheck,
        ManualOverride,
        Release,
    )
}


_SUPERSEDES = attrgetter("supersedes")
_RETRACTED = attrgetter("retracted")
_TIME_ORDER = attrgetter("at", "id")


def effective(facts: Iterable[Fact]) -> list[Fact]:
    """The facts that still count: those no other fact supersedes, minus retractions."""
    facts = list(facts)
    superseded = set(map(_SUPERSEDES, facts))  # C-level loops: status assessment is hot
    superseded.discard(None)
    if not superseded:
        return list(filterfalse(_RETRACTED, facts))
    return [f for f in facts if f.id not in superseded and not f.retracted]


def ordered(facts: Iterable[Fact]) -> list[Fact]:
    """Facts in time order, ties broken by id so that the order never depends on input order."""
    return sorted(facts, key=_TIME_ORDER)
