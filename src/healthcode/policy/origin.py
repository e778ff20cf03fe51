"""An arrival rule's reading of what the visitor's home city answered: ``origin_colour`` and
``origin_risk_area`` (docs/policies.md, "What conditions can read").

```yaml
- id: arrival-from-risk-area
  fact: arrival
  origin_risk_area: [medium, high]      # the origin had a medium- or high-risk area in force
  origin_colour: [yellow, red]          # (optional) and the visitor was yellow or red there
```

Each key lists the values that match; given both, both must match, and with the rule's ``when``
too. They are a checked shorthand: the loader refuses an unknown colour or level by name
(``rules[x].origin_colour[1]: "amber" is not a colour (green, yellow, red)``) and a key on a rule
that does not read ``arrival`` facts, then joins them to ``when`` as CertLogic
(``{"in": [{"var": "origin_colour"}, ["yellow", "red"]]}``), so the assessment is unchanged.
An arrival found from locations or declared has neither value: such rules never match it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from healthcode.kernel.facts import Colour, FactKind
from healthcode.policy.reading import Fields

ORIGIN_KEYS: Final = ("origin_colour", "origin_risk_area")
_ALLOWED: Final[Mapping[str, tuple[str, ...]]] = {
    "origin_colour": tuple(c.value for c in Colour),
    "origin_risk_area": ("none", "low", "medium", "high"),
}
_WHAT: Final[Mapping[str, tuple[str, str]]] = {
    "origin_colour": ("a colour", "colours"),
    "origin_risk_area": ("a level", "risk levels"),
}


def origin_clauses(
    reader: Fields, raw: Mapping[str, object], fact: FactKind | None, path: str
) -> list[object] | None:
    """The CertLogic clauses the rule's origin keys stand for (none given: ``[]``); None when
    one is written wrong (the problem reported on ``reader``, the key named)."""
    clauses: list[object] = []
    sound = True
    for key in (k for k in ORIGIN_KEYS if k in raw):
        where = f"{path}.{key}"
        if fact is not None and fact is not FactKind.ARRIVAL:
            reader.problem(where, "only a rule on arrival facts reads the origin's answer")
            sound = False
            continue
        values = raw[key]
        if not isinstance(values, list) or not values:
            reader.problem(where, f"must be a non-empty list of {_WHAT[key][1]}")
            sound = False
            continue
        allowed = _ALLOWED[key]
        for index, value in enumerate(values):
            if value not in allowed:
                reader.problem(
                    f"{where}[{index}]", f"{value!r} is not {_WHAT[key][0]} ({', '.join(allowed)})"
                )
                sound = False
        clauses.append({"in": [{"var": key}, [str(v) for v in values]]})
    return clauses if sound else None


def joined(when: object, clauses: list[object]) -> object:
    """``when`` and the origin's clauses, all to hold."""
    parts = clauses if when is True else [when, *clauses]
    if not parts:
        return when
    return parts[0] if len(parts) == 1 else {"and": parts}
