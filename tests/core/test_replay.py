"""Rebuilding card state from the review log, against sequences computed by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlstudy.core.models import ReviewKind
from mlstudy.core.replay import ReplayAnswer, ReplayedState, apply_answer, replay_states

NEW, REVIEW, DRILL = ReviewKind.NEW, ReviewKind.REVIEW, ReviewKind.DRILL
D0 = date(2026, 1, 1)


def day(n: int) -> date:
    return D0 + timedelta(days=n)


def test_empty_log_has_no_states() -> None:
    assert replay_states([]) == {}


def test_a_card_through_passes_a_lapse_and_drills_interleaved_with_another() -> None:
    log = [
        ReplayAnswer(1, day(0), 5, NEW),  # n1 EF2.60 I1, due d1
        ReplayAnswer(2, day(0), 0, NEW),  # n1 EF2.50 I1, due d1, lapse
        ReplayAnswer(2, day(0), 2, DRILL),  # drills change nothing
        ReplayAnswer(2, day(0), 4, DRILL),
        ReplayAnswer(1, day(1), 4, REVIEW),  # n2 EF2.60 I6, due d7
        ReplayAnswer(2, day(1), 3, REVIEW),  # n2 EF2.36 I6, due d7
        ReplayAnswer(2, day(1), 5, DRILL),
        ReplayAnswer(1, day(7), 3, REVIEW),  # n3 EF2.46 I ceil(6*2.46=14.76)=15, due d22
        ReplayAnswer(1, day(22), 1, REVIEW),  # lapse: n1 EF2.46 I1, due d23
        ReplayAnswer(1, day(22), 3, DRILL),
        ReplayAnswer(1, day(22), 5, DRILL),
        ReplayAnswer(1, day(23), 5, REVIEW),  # n2 EF2.56 I6, due d29
    ]
    assert replay_states(log) == {
        1: ReplayedState(
            repetitions=2,
            easiness_hundredths=256,
            interval_days=6,
            due_day=day(29),
            last_day=day(23),
            reviews=5,
            lapses=1,
        ),
        2: ReplayedState(
            repetitions=2,
            easiness_hundredths=236,
            interval_days=6,
            due_day=day(7),
            last_day=day(1),
            reviews=2,
            lapses=1,
        ),
    }


def test_easiness_is_exact_so_no_spurious_day() -> None:
    # EF 2.6, 2.7, 2.8, 2.9, 3.0; I 1, 6, ceil(6*2.8=16.8)=17, ceil(17*2.9=49.3)=50,
    # 50*3.0 = 150 exactly (binary floats give 150.00000000000003 and ceil 151).
    days = [0, 1, 7, 24, 74]
    log = [ReplayAnswer(9, day(d), 5, NEW if i == 0 else REVIEW) for i, d in enumerate(days)]
    state = replay_states(log)[9]
    assert (state.repetitions, state.easiness_hundredths, state.interval_days) == (5, 300, 150)
    assert (state.last_day, state.due_day) == (day(74), day(224))
    assert (state.reviews, state.lapses) == (5, 0)


def test_easiness_floor_and_lapses_counted() -> None:
    # Grade 3 takes 0.14 off each time: 2.36, 2.22, 2.08, 1.94, 1.80, 1.66, 1.52, 1.38, 1.30.
    log = [ReplayAnswer(4, day(i), 3, NEW if i == 0 else REVIEW) for i in range(9)]
    log += [ReplayAnswer(4, day(9), 2, REVIEW), ReplayAnswer(4, day(10), 0, REVIEW)]
    state = replay_states(log)[4]
    assert (state.repetitions, state.easiness_hundredths, state.interval_days) == (1, 130, 1)
    assert (state.reviews, state.lapses, state.due_day) == (11, 2, day(11))


def test_a_later_study_day_is_taken_as_given_not_checked_against_due() -> None:
    # Answered late (day 10 although due day 1): due counts from the answer's day.
    log = [ReplayAnswer(3, day(0), 4, NEW), ReplayAnswer(3, day(10), 4, REVIEW)]
    assert replay_states(log)[3].due_day == day(16)


def test_a_card_with_only_drills_has_no_state() -> None:
    log = [ReplayAnswer(5, day(0), 1, DRILL), ReplayAnswer(6, day(0), 5, NEW)]
    assert set(replay_states(log)) == {6}
    assert apply_answer(None, ReplayAnswer(5, day(0), 1, DRILL)) is None


def test_bad_grade_raises() -> None:
    with pytest.raises(ValueError):
        replay_states([ReplayAnswer(1, day(0), 6, NEW)])


answer_lists = st.lists(
    st.tuples(
        st.integers(1, 4), st.integers(0, 30), st.integers(0, 5), st.sampled_from([REVIEW, DRILL])
    ),
    max_size=60,
)


@given(answer_lists)
def test_reviews_and_lapses_count_the_non_drill_answers(
    rows: list[tuple[int, int, int, ReviewKind]],
) -> None:
    log = [ReplayAnswer(card, day(d), grade, kind) for card, d, grade, kind in rows]
    states = replay_states(log)
    for card in {a.card_id for a in log}:
        mine = [a for a in log if a.card_id == card and a.kind != DRILL]
        if not mine:
            assert card not in states
            continue
        state = states[card]
        assert state.reviews == len(mine)
        assert state.lapses == sum(a.grade < 3 for a in mine)
        assert state.last_day == mine[-1].day
        assert state.due_day == mine[-1].day + timedelta(days=state.interval_days)
        assert state.repetitions >= 1 and state.easiness_hundredths >= 130
