"""A secondary contact's exposures at one place, merged into one at the last contact, give the
colour the separate exposures gave, under every bundled policy, from the moment it is recorded."""

from __future__ import annotations

from datetime import timedelta

from engine_facts import declaration, exposure, fever, t
from hypothesis import given, settings
from hypothesis import strategies as st

from healthcode.kernel.facts import Exposure, Fact
from healthcode.policy.assess import assess
from healthcode.policy.bundled import bundled_policies

POLICIES = bundled_policies()
T0 = t("2026-03-02 08:00")


def _secondary(fact_id: str, minutes: int) -> Exposure:
    """A secondary contact's exposure ``minutes`` after T0 (the bundled rules read its category)."""
    return exposure(fact_id, T0 + timedelta(minutes=minutes), "secondary_contact")


@settings(max_examples=100, deadline=None)
@given(
    contacts=st.lists(st.integers(0, 3 * 24 * 60), min_size=2, max_size=6),
    normal_days=st.sets(st.integers(0, 20), max_size=21),
    fever_days=st.sets(st.integers(0, 20), max_size=3),
    later=st.integers(0, 24 * 24 * 60),
)
def test_one_exposure_at_the_last_contact_colours_as_all_of_them(
    contacts: list[int], normal_days: set[int], fever_days: set[int], later: int
) -> None:
    """Whatever the contacts' times and the declarations after, the colour is the same."""
    declarations: list[Fact] = [
        declaration(f"d{day}", T0 + timedelta(days=day, hours=2)) for day in sorted(normal_days)
    ]
    declarations += [fever(f"f{day}", T0 + timedelta(days=day, hours=20)) for day in fever_days]
    apart = [_secondary(f"e{n}", minutes) for n, minutes in enumerate(contacts)]
    merged = _secondary("merged", max(contacts))
    now = merged.at + timedelta(minutes=later)
    for policy in POLICIES:
        separate = assess([*apart, *declarations], policy, now, subject="p1")
        together = assess([merged, *declarations], policy, now, subject="p1")
        # the reasons (and when they next change) may differ: an earlier contact's window
        # can end first; what the code shows does not
        assert together.colour is separate.colour, policy.version
