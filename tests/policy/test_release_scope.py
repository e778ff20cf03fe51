"""What a release may clear: the policy's rules with ``clear: {release: true}``; a release that
names them all lifts a close contact's quarantine and contact rules together. Pure, no I/O."""

from __future__ import annotations

from datetime import timedelta

from engine_facts import exposure, quarantine, release, t

from healthcode.kernel.facts import Colour
from healthcode.policy.assess import assess
from healthcode.policy.bundled import bundled_policy


def test_releasable_lists_the_rules_a_release_can_clear() -> None:
    """Hangzhou lets a release clear all its rules but the override; Shanghai's timed ones not."""
    hangzhou = bundled_policy("330100")
    assert "manual-override" not in hangzhou.releasable()
    assert {"close-contact", "quarantine-central", "case"} <= set(hangzhou.releasable())
    shanghai = bundled_policy("310000")
    assert "close-contact-central" not in shanghai.releasable()
    assert "quarantine-central" in shanghai.releasable()


def test_a_release_naming_every_releasable_rule_turns_a_close_contact_green() -> None:
    """A close contact under central quarantine is green the second a full release is approved."""
    hangzhou = bundled_policy("330100")
    start = t("2020-03-01 10:00")
    facts = [
        exposure("e1", start, "close_contact"),
        quarantine("q1", start, "central", start + timedelta(days=14)),
    ]
    released_at = start + timedelta(days=3)
    only_quarantine = [*facts, release("r1", released_at, "quarantine-central")]
    after = released_at + timedelta(seconds=1)
    held = assess(only_quarantine, hangzhou, after).reasons
    assert [r.rule_id for r in held] == ["close-contact"]
    full = [*facts, release("r2", released_at, *hangzhou.releasable())]
    assert assess(full, hangzhou, released_at - timedelta(seconds=1)).colour is Colour.RED
    assert assess(full, hangzhou, released_at).colour is Colour.GREEN
