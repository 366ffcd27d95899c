"""What each grade button promises: SM-2's interval and its same-day drill."""

from __future__ import annotations

from mlstudy.core.sm2 import NEW_CARD, Sm2State, grade_outcomes


def test_a_new_card_is_drilled_today_below_four_and_due_in_a_day() -> None:
    outcomes = grade_outcomes(NEW_CARD, drilling=False)
    assert [o.again_today for o in outcomes] == [True, True, True, True, False, False]
    assert [o.interval_days for o in outcomes] == [1, 1, 1, 1, 1, 1]


def test_a_mature_card_grows_by_its_easiness_and_lapses_to_one_day() -> None:
    state = Sm2State(repetitions=2, easiness_hundredths=250, interval_days=6)
    outcomes = grade_outcomes(state, drilling=False)
    # 3: EF 2.36, ceil(6 * 2.36) = 15; 4: EF 2.5, 15; 5: EF 2.6, ceil(15.6) = 16.
    assert [o.interval_days for o in outcomes] == [1, 1, 1, 15, 15, 16]
    assert outcomes[3].again_today and not outcomes[4].again_today


def test_a_drill_answer_leaves_the_schedule_alone() -> None:
    state = Sm2State(repetitions=1, easiness_hundredths=250, interval_days=1)
    outcomes = grade_outcomes(state, drilling=True)
    assert {o.interval_days for o in outcomes} == {None}
    assert [o.again_today for o in outcomes] == [True, True, True, True, False, False]
