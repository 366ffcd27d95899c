"""A merged card's new state row, built from its stored row and its merged answers in
numbers, equals the row of the state ``core.sync.continued_state`` gives."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mlstudy.core.replay import apply_grades
from mlstudy.core.sync import continued_state
from mlstudy.storage.study import ExamRule, state_row
from mlstudy.storage.sync_merge import continued_row

D0 = date(2026, 11, 1)
EXAM = date(2026, 12, 20)


def _before_the_exam(due: date, last: date, card_id: int) -> date | None:
    """An exam-aware due layer: a card due after the exam comes the day before it."""
    return EXAM - timedelta(days=1) if due >= EXAM and card_id % 2 else None


grades = st.lists(st.tuples(st.integers(0, 40), st.integers(0, 5)), max_size=8)
merged = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=1, max_size=8)
rules = st.sampled_from([None, _before_the_exam])


@given(grades, merged, st.integers(1, 4), rules)
def test_the_row_built_in_numbers_equals_the_continued_states_row(
    history: list[tuple[int, int]],
    answers: list[tuple[int, int]],
    card_id: int,
    rule: ExamRule | None,
) -> None:
    old = sorted(history)
    stored = apply_grades(None, [(D0 + timedelta(days=d), g) for d, g in old])
    last = old[-1][0] if old else -1
    new = [(D0 + timedelta(days=last + 1 + d), g) for d, g in sorted(answers)]
    previous = state_row(stored, card_id, rule) if stored else None
    expected = continued_state(stored, new)
    assert expected is not None
    assert continued_row(previous, new, card_id, rule) == state_row(expected, card_id, rule)
