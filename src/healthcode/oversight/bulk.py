"""Bulk actions: a proposal touching more people than the policy's threshold needs a second
approver. The threshold a jurisdiction's policy may carry, with its published default:

    oversight: {bulk_threshold: 50}     # people a proposal may touch before it is bulk

What "touching" means is each kind's to say, counted when the proposal is made and kept on it
(docs/access-and-audit.md#bulk-actions): a risk area counts the people with a presence in it so
far; a colour override touches one person, so an official's overrides are counted together,
the official's own in the last ``OVERRIDE_WINDOW`` this one included. A section left out takes
the default; one written wrong is refused by ``oversight_problems`` when the policy is checked,
proposed or activated."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from healthcode.kernel.errors import Problem
from healthcode.policy.model import Policy
from healthcode.policy.sections import OneKeySection

SECTION = "oversight"
KEY = "bulk_threshold"
DEFAULT_BULK_THRESHOLD = 50
MAX_BULK_THRESHOLD = 1_000_000
OVERRIDE_WINDOW = timedelta(hours=24)


def _threshold(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_BULK_THRESHOLD:
        return value
    return None


SETTING: Final = OneKeySection(
    SECTION, KEY, _threshold, f"must be a whole number from 1 to {MAX_BULK_THRESHOLD}"
)


def bulk_threshold(policy: Policy) -> int:
    """How many people a proposal may touch under ``policy`` before it is a bulk action."""
    return SETTING.value(policy, DEFAULT_BULK_THRESHOLD)


def is_bulk(people: int, policy: Policy) -> bool:
    """Whether touching ``people`` people is a bulk action under ``policy``."""
    return people > bulk_threshold(policy)


def oversight_problems(policy: Policy) -> list[Problem]:
    """What is wrong with the policy's ``oversight`` section (empty: nothing)."""
    return SETTING.problems(policy)
