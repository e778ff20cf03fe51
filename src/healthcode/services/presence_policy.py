"""The presence settings a jurisdiction's policy may carry, with their published defaults.

Read from ``Policy.settings`` (extra top-level sections of the policy YAML):

    entry:      {hospital: [green, yellow], default: [green]}   # colours that pass, per kind
    checkin:    {max_distance_m: 1000}                          # farther is flagged
    retention:  {presence_days: 21}                             # older is refused and purged

A section the loader does not (yet) accept is simply absent, and the defaults of
``healthcode.domain.venues`` apply.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from healthcode.domain.facts import Colour
from healthcode.domain.venues import (
    DEFAULT_CHECKIN_DISTANCE_METRES,
    DEFAULT_RETENTION_DAYS,
    VenueKind,
    entry_colours,
)
from healthcode.policy.model import Policy


def _section(policy: Policy, name: str) -> Mapping[str, object]:
    return policy.settings.get(name) or {}


def _number(value: object, default: float) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    return default


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
