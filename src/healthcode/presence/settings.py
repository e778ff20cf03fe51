"""The presence settings a jurisdiction's policy may carry, with their published defaults.

Read from ``Policy.settings`` (extra top-level sections of the policy YAML):

    entry:      {hospital: [green, yellow], default: [green]}   # colours that pass, per kind
    checkin:    {max_distance_m: 1000}                          # farther is flagged
    retention:  {presence_days: 21}                             # older is refused and purged

A section left out takes the defaults of ``healthcode.presence.venue_kinds``; a section
written wrong is refused by ``presence_problems`` when the policy is checked, proposed or
activated (a typo must not silently fall back to a default).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import TypeGuard

from healthcode.kernel.errors import Problem
from healthcode.kernel.facts import Colour
from healthcode.policy.model import Policy
from healthcode.presence.venue_kinds import (
    DEFAULT_CHECKIN_DISTANCE_METRES,
    DEFAULT_RETENTION_DAYS,
    VenueKind,
    entry_colours,
)


def _section(policy: Policy, name: str) -> Mapping[str, object]:
    return policy.settings.get(name) or {}


def _positive(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def _number(value: object, default: float) -> float:
    return float(value) if _positive(value) else default


def accepted_colours(policy: Policy, kind: VenueKind) -> frozenset[Colour]:
    """The colours that pass at a venue of this kind under the policy."""
    return entry_colours(kind, _section(policy, "entry"))


def checkin_max_distance(policy: Policy) -> float:
    """How far (metres) from its venue a check-in may be before it is flagged."""
    return _number(
        _section(policy, "checkin").get("max_distance_m"), DEFAULT_CHECKIN_DISTANCE_METRES
    )


def retention(policy: Policy) -> timedelta:
    """How long presence and location data is kept (and how old an upload may be)."""
    days = _number(_section(policy, "retention").get("presence_days"), DEFAULT_RETENTION_DAYS)
    return timedelta(days=days)


_COLOUR_VALUES = frozenset(c.value for c in Colour)
_COLOURS = ", ".join(c.value for c in Colour)
_ENTRY_KEYS = frozenset({*(k.value for k in VenueKind), "default"})
_NUMBERS = {"checkin": "max_distance_m", "retention": "presence_days"}


def presence_problems(policy: Policy) -> list[Problem]:
    """What is wrong with the policy's ``entry``, ``checkin`` and ``retention`` sections (empty:
    nothing), each named by its dotted path."""
    problems = _entry_problems(policy.settings.get("entry"))
    for name, key in _NUMBERS.items():
        problems += _number_problems(name, key, policy.settings.get(name))
    return problems


def _entry_problems(entry: object) -> list[Problem]:
    if entry is None:
        return []
    if not isinstance(entry, Mapping):
        return [Problem("entry", "must be a mapping of venue kind to colours")]
    problems: list[Problem] = []
    for key, value in entry.items():
        if key not in _ENTRY_KEYS:
            problems.append(
                Problem(f"entry.{key}", f"is not a venue kind (or default): {sorted(_ENTRY_KEYS)}")
            )
        elif not isinstance(value, list) or not value or not _COLOUR_VALUES.issuperset(value):
            problems.append(Problem(f"entry.{key}", f"must be a non-empty list of {_COLOURS}"))
    return problems


def _number_problems(name: str, key: str, section: object) -> list[Problem]:
    """What is wrong with a section holding one positive number ``key``."""
    if section is None:
        return []
    if not isinstance(section, Mapping):
        return [Problem(name, f"must be a mapping with {key}")]
    problems = [
        Problem(f"{name}.{extra}", f"is not a setting: only {key}")
        for extra in sorted(set(section) - {key})
    ]
    value = section.get(key)
    if value is not None and not _positive(value):
        problems.append(Problem(f"{name}.{key}", "must be a positive number"))
    return problems
