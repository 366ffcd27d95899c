"""Recall, domain mastery, readiness and the weakest domain, against hand-computed values."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from mlstudy.core.mastery import domain_mastery, readiness, recall, recall_array, weakest_domain
from mlstudy.core.models import CardSnapshot
from mlstudy.core.planner import domain_priorities
from mlstudy.core.sm2 import Sm2State

TODAY = date(2026, 3, 1)


def reviewed(
    card_id: int, domain: int, interval: int, days_ago: int, repetitions: int = 3
) -> CardSnapshot:
    """A reviewed card whose last review was ``days_ago`` days before TODAY."""
    last = TODAY - timedelta(days=days_ago)
    return CardSnapshot(
        card_id=card_id,
        domain=domain,
        state=Sm2State(repetitions=repetitions, easiness_hundredths=250, interval_days=interval),
        due=last + timedelta(days=interval),
        last_review=last,
    )


def test_recall_is_zero_for_a_card_never_reviewed() -> None:
    assert recall(CardSnapshot(card_id=1, domain=1), TODAY) == 0.0


def test_recall_is_zero_when_a_state_has_no_review_day() -> None:
    card = CardSnapshot(card_id=1, domain=1, state=Sm2State(1, 250, 1))
    assert recall(card, TODAY) == 0.0


@pytest.mark.parametrize(
    ("interval", "days_ago", "expected"),
    [
        (6, 0, 1.0),
        (6, 6, 0.9),
        (6, 12, 0.81),
        (6, 3, 0.9**0.5),
        (15, 45, 0.729),
        (1, 10, 0.9**10),
    ],
)
def test_recall_is_ninety_percent_per_interval(
    interval: int, days_ago: int, expected: float
) -> None:
    assert recall(reviewed(1, 1, interval, days_ago), TODAY) == pytest.approx(expected)


def test_recall_reads_an_interval_of_zero_as_one_day() -> None:
    assert recall(reviewed(1, 1, interval=0, days_ago=2), TODAY) == pytest.approx(0.81)


def test_recall_of_a_review_after_today_is_full() -> None:
    assert recall(reviewed(1, 1, interval=6, days_ago=-3), TODAY) == 1.0


def test_domain_mastery_is_the_mean_recall_over_all_cards_of_the_domain() -> None:
    cards = [
        reviewed(1, 1, interval=6, days_ago=6),  # 0.9
        reviewed(2, 1, interval=6, days_ago=0),  # 1.0
        CardSnapshot(card_id=3, domain=1),  # new: 0
        reviewed(4, 2, interval=10, days_ago=20),  # 0.81
        reviewed(5, 9, interval=1, days_ago=0),  # a domain not asked for
    ]
    mastery = domain_mastery(cards, TODAY, [1, 2, 3])
    assert list(mastery) == [1, 2, 3]
    assert mastery[1] == pytest.approx((0.9 + 1.0 + 0.0) / 3)
    assert mastery[2] == pytest.approx(0.81)
    assert mastery[3] == 0.0


def test_domain_mastery_of_no_cards_is_zero_everywhere() -> None:
    assert domain_mastery([], TODAY, [1, 2]) == {1: 0.0, 2: 0.0}
    assert domain_mastery([reviewed(1, 1, 6, 0)], TODAY, []) == {}


def test_readiness_weighs_mastery_by_exam_weight() -> None:
    weights = {1: 0.2, 2: 0.24, 3: 0.36, 4: 0.2}
    mastery = {1: 0.5, 2: 1.0, 3: 0.25, 4: 0.0}
    assert readiness(mastery, weights) == pytest.approx(0.1 + 0.24 + 0.09 + 0.0)


def test_readiness_counts_a_domain_without_mastery_as_zero() -> None:
    assert readiness({1: 1.0}, {1: 0.5, 2: 0.5}) == pytest.approx(0.5)
    assert readiness({}, {}) == 0.0


def test_weakest_domain_is_the_one_the_planner_puts_first() -> None:
    # Domain 1 has the lowest mastery, but domain 3 weighs more: 0.36 * 0.5 > 0.2 * 0.6.
    weights = {1: 0.2, 2: 0.24, 3: 0.36, 4: 0.2}
    mastery = {1: 0.5, 2: 0.9, 3: 0.6, 4: 0.8}
    assert weakest_domain(mastery, weights) == 3
    priorities = domain_priorities(list(weights), weights, mastery)
    assert weakest_domain(mastery, weights) == max(priorities, key=priorities.__getitem__)


def test_weakest_domain_breaks_ties_by_lower_mastery_then_number() -> None:
    # Domains outside the exam weigh 0: the same priority of 0 for both.
    assert weakest_domain({1: 0.7, 2: 0.3}, {1: 0.0, 2: 0.0}) == 2
    assert weakest_domain({1: 0.5, 2: 0.5}, {1: 0.5, 2: 0.5}) == 1


def test_weakest_domain_without_weights_is_the_lowest_mastery() -> None:
    assert weakest_domain({1: 0.8, 2: 0.3, 3: 0.5}, {}) == 2


def test_weakest_domain_counts_missing_mastery_as_zero_and_none_without_domains() -> None:
    assert weakest_domain({1: 0.1}, {1: 0.5, 2: 0.5}) == 2
    assert weakest_domain({}, {}) is None


def test_recall_array_applies_the_same_rule_and_guards_as_recall() -> None:
    cards = [
        reviewed(n, 1, interval, days_ago)
        for n, (interval, days_ago) in enumerate(
            [(6, 0), (6, 6), (15, 45), (0, 2), (6, -3), (1, 400)]
        )
    ]
    elapsed = np.array([(TODAY - c.last_review).days for c in cards if c.last_review])
    intervals = np.array([c.state.interval_days for c in cards if c.state])
    assert recall_array(elapsed, intervals).tolist() == pytest.approx(
        [recall(c, TODAY) for c in cards]
    )


def test_domain_mastery_accepts_a_one_shot_iterable() -> None:
    cards = [reviewed(1, 1, interval=6, days_ago=6), CardSnapshot(card_id=2, domain=1)]
    assert domain_mastery(iter(cards), TODAY, [1]) == pytest.approx({1: 0.45})
