"""Secondary attack rates measured on a run's ground truth, the way contact studies measure them:
among the contacts of tested cases in their tracing window (two days before onset to isolation),
the share each case infected, by contact class. A contact is someone the case spent at least
15 minutes with in all, in the closest class of the places they shared."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Final

from healthcode.simulator.model.disease import DAY
from healthcode.simulator.model.epidemic import Outbreak
from healthcode.simulator.model.places import CLOSENESS, ContactClass

CONTACT_MINUTES: Final = 15
"""A contact spent at least 15 minutes with the case in all (the WHO and US CDC close-contact
duration, REFERENCE.md); shorter encounters can infect but are not counted as contacts."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AttackRate:
    """Of ``contacts`` (case, contact) pairs of one class, ``infected`` were infected by that
    case; ``cases`` tested cases contributed."""

    contact_class: ContactClass
    cases: int
    contacts: int
    infected: int

    @property
    def rate(self) -> float:
        return self.infected / self.contacts if self.contacts else math.nan

    def standard_error(self) -> float:
        """The binomial standard error of the rate (contacts taken as independent)."""
        if not self.contacts:
            return math.nan
        return math.sqrt(self.rate * (1 - self.rate) / self.contacts)


def contact_classes(
    minutes: Counter[tuple[int, ContactClass]], threshold: int = CONTACT_MINUTES
) -> dict[int, ContactClass]:
    """The contacts among the people a case shared places with: those it spent at least
    ``threshold`` minutes with in all, each in the closest class of the places they shared."""
    total: Counter[int] = Counter()
    closest: dict[int, ContactClass] = {}
    for (person, kind), shared in minutes.items():
        total[person] += shared
        known = closest.get(person)
        if known is None or CLOSENESS[kind] > CLOSENESS[known]:
            closest[person] = kind
    return {p: closest[p] for p, shared in total.items() if shared >= threshold}


def attack_rates(outbreak: Outbreak) -> dict[ContactClass, AttackRate]:
    """The secondary attack rate of each contact class over the tested cases whose isolation fell
    within the run (so their contacts were followed to the end of their infectiousness)."""
    infector = {i.person: i.infector for i in outbreak.infections}
    end = outbreak.days * DAY
    cases: dict[ContactClass, set[int]] = {c: set() for c in ContactClass}
    contacts = dict.fromkeys(ContactClass, 0)
    infected = dict.fromkeys(ContactClass, 0)
    for case, minutes in outbreak.contacts.items():
        sampled = outbreak.courses[case].sampled_at
        if sampled is None or sampled > end:
            continue
        for person, kind in contact_classes(minutes).items():
            cases[kind].add(case)
            contacts[kind] += 1
            infected[kind] += infector.get(person) == case
    return {
        c: AttackRate(
            contact_class=c, cases=len(cases[c]), contacts=contacts[c], infected=infected[c]
        )
        for c in ContactClass
    }
