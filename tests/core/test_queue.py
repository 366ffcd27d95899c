"""Today's queue policy: drills by SM-2's rule, new cards by plan, focus or weight."""

from __future__ import annotations

from mlstudy.core.models import DayAnswer, ReviewKind
from mlstudy.core.queue import drill_cards, new_by_domain, new_card_domains, new_left

NEW, REVIEW, DRILL = ReviewKind.NEW, ReviewKind.REVIEW, ReviewKind.DRILL


def test_cards_whose_latest_grade_is_below_4_are_drilled_longest_waiting_first() -> None:
    answers = [
        DayAnswer(card_id=1, grade=3, kind=NEW, review_id=10, domain=1),
        DayAnswer(card_id=2, grade=1, kind=REVIEW, review_id=11, domain=2),
        DayAnswer(card_id=3, grade=4, kind=NEW, review_id=12, domain=1),
        DayAnswer(card_id=2, grade=2, kind=DRILL, review_id=13, domain=2),
        DayAnswer(card_id=1, grade=4, kind=DRILL, review_id=14, domain=1),
    ]
    assert drill_cards(answers) == [2]
    assert drill_cards(answers[:3]) == [1, 2]
    assert drill_cards(answers[:3], domain=1) == [1]


def test_new_cards_follow_the_plan_then_the_exam_weights() -> None:
    available = {1: 5, 2: 5, 3: 0}
    weights = {1: 20.0, 2: 30.0, 3: 50.0}
    assert new_card_domains(available, {}, weights, 20, None) == [2, 1]
    assert new_card_domains(available, {2: 2}, weights, 20, None) == [1, 2]
    assert new_card_domains(available, {2: 20}, weights, 20, None) == []
    assert new_card_domains(available, {}, weights, 20, {1: 3, 2: 1, 3: 4}) == [1, 2]
    assert new_card_domains(available, {1: 2}, weights, 20, None, focus=3) == [3]
    assert new_left(available, {1: 2}, 20, None) == 10
    assert new_left(available, {}, 20, {1: 3, 3: 4}) == 3
    assert new_by_domain([DayAnswer(1, 5, NEW, 1, 2), DayAnswer(1, 5, DRILL, 2, 2)]) == {2: 1}
