"""The measures of a run on hand-made flags, colours and ground truth (no I/O)."""

from __future__ import annotations

from collections import Counter

from healthcode.simulator.model.disease import DAY
from healthcode.simulator.model.epidemic import Infection
from healthcode.simulator.model.measures import (
    Flag,
    Truth,
    false_reds,
    flagged_per_case,
    infections_per_day,
    measures,
    percentile,
    precision,
    recall,
    restricted_days,
    rule_precision,
    time_to_flag,
)
from healthcode.simulator.model.places import ContactClass

HOUSE, CASUAL = ContactClass.HOUSEHOLD, ContactClass.CASUAL


def _infection(person: int, at: int, infector: int | None) -> Infection:
    return Infection(person=person, at=at, infector=infector, place=None, contact_class=None)


def _truth() -> Truth:
    """Case 0 (sampled at day 2) met 1 at home for hours, 2 for 10 minutes in two shops
    (5 + 5), 3 for 20 minutes; it infected 1 (day 1) and 4 (day 1, unseen by tracing)."""
    contacts = {0: Counter({(1, HOUSE): 600, (2, CASUAL): 5, (3, CASUAL): 20})}
    contacts[0][(2, HOUSE)] += 5
    return Truth(
        infections=[_infection(0, -DAY, None), _infection(1, DAY, 0), _infection(4, DAY, 0)],
        contacts=contacts,
        sampled={0: 2 * DAY},
    )


def _flag(person: int, rule: str, at: int) -> Flag:
    return Flag(person=person, case=0, rule=rule, kind="exposure", at=at)


def test_infections_are_counted_on_their_day_and_early_ones_on_day_zero() -> None:
    """Seeded infections before the run count on day 0; later ones on their own day."""
    truth = _truth()
    assert infections_per_day(truth.infections, 3) == [1, 2, 0]


def test_person_days_restricted_add_up_each_colour_but_green() -> None:
    """Restricted person-days sum the non-green colours over the days."""
    days = [{"green": 10, "yellow": 2}, {"green": 8, "yellow": 3, "red": 1}]
    assert restricted_days(days) == {"red": 1, "yellow": 5}


def test_precision_counts_flags_truly_exposed_and_infected_by_the_case() -> None:
    """A rule's precision: flagged pairs with 15+ minutes shared, and those the case infected."""
    flags = [
        _flag(1, "close", 2 * DAY + 60),
        _flag(2, "venue", 2 * DAY + 60),
        _flag(3, "venue", 2 * DAY + 90),
        _flag(5, "venue", 2 * DAY + 90),
        _flag(5, "venue", 2 * DAY + 120),
    ]
    rules = rule_precision(flags, _truth())
    assert rules["close"] == {
        "flagged": 1,
        "truly_exposed": 1,
        "infected_by_case": 1,
        "precision_exposed": 1.0,
        "precision_infected": 1.0,
    }
    assert rules["venue"]["flagged"] == 3
    assert rules["venue"]["truly_exposed"] == 1  # 2 shared 10 min in all, 5 none
    assert rules["venue"]["precision_exposed"] == round(1 / 3, 4)
    assert rules["venue"]["infected_by_case"] == 0


def test_overall_precision_counts_each_flagged_pair_once() -> None:
    """Overall precision counts a pair flagged by two rules once."""
    flags = [_flag(1, "close", 0), _flag(1, "venue", 0), _flag(2, "venue", 0)]
    assert precision(flags, _truth()) == {"flagged": 2, "truly_exposed": 1, "precision": 0.5}


def test_recall_counts_infections_flagged_before_they_became_infectious() -> None:
    """Recall: the case's infections flagged within two days of infection, per rule or any."""
    truth = _truth()
    early = [_flag(1, "close", 2 * DAY + 60)]
    late = [_flag(1, "close", 3 * DAY + 1)]
    assert recall(early, truth) == {"infections": 2, "caught": 1, "recall": 0.5}
    assert recall(late, truth)["caught"] == 0
    assert recall(early, truth, rule="venue")["caught"] == 0


def test_recall_ignores_infections_by_unconfirmed_cases() -> None:
    """An infection whose infector was never confirmed is not in recall's denominator."""
    truth = Truth(infections=[_infection(7, DAY, 6)], contacts={}, sampled={})
    assert recall([], truth) == {"infections": 0, "caught": 0, "recall": None}


def test_time_to_flag_is_from_the_sample_to_each_contacts_first_flag() -> None:
    """Hours from the sample to each contact's first flag: median and nearest-rank p95."""
    flags = [_flag(1, "a", 2 * DAY + 60), _flag(1, "b", 2 * DAY + 600), _flag(2, "a", 3 * DAY)]
    assert time_to_flag(flags, {0: 2 * DAY}) == {
        "count": 2,
        "median_hours": 12.5,
        "p95_hours": 24.0,
    }
    assert time_to_flag([], {0: 0})["median_hours"] is None


def test_nearest_rank_percentile() -> None:
    """The 95th percentile of 1..20 is 19; of one value, that value."""
    assert percentile([float(i) for i in range(1, 21)], 95) == 19.0
    assert percentile([4.0], 95) == 4.0


def test_flagged_per_case_counts_distinct_people_per_case() -> None:
    """Flagged per case counts each (case, person) once; no cases gives None."""
    flags = [_flag(1, "a", 0), _flag(1, "b", 0), _flag(2, "a", 0)]
    assert flagged_per_case(flags, 2) == 1.0
    assert flagged_per_case(flags, 0) is None


def test_false_reds_are_red_people_never_infected_nor_exposed() -> None:
    """Red residents who were neither infected nor a 15-minute contact are false reds."""
    assert false_reds([0, 1, 2, 3, 9], _truth()) == {"ever_red": 5, "false_reds": 2}


def test_measures_gather_every_measure_with_per_rule_recall() -> None:
    """The whole set names every measure and adds each rule's recall."""
    flags = [_flag(1, "close", 2 * DAY + 60), _flag(3, "venue", 2 * DAY + 90)]
    got = measures(
        flags=flags, truth=_truth(), colours=[{"green": 5}, {"red": 1}], red=[1], cases=1
    )
    assert got["rules"]["close"]["recall"] == 0.5
    assert got["rules"]["venue"]["recall"] == 0.0
    assert got["infections_per_day"] == [1, 2]
    assert got["person_days_restricted"] == {"red": 1}
    assert got["flagged_per_case"] == 2.0
    assert got["false_reds"] == {"ever_red": 1, "false_reds": 0}
