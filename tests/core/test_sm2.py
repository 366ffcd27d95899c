"""SM-2 against sequences computed by hand and against its invariants."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlstudy.core.sm2 import NEW_CARD, Sm2State, easiness_delta_hundredths, next_state


def run(grades: list[int], state: Sm2State = NEW_CARD) -> list[tuple[int, Decimal, int]]:
    out = []
    for grade in grades:
        state = next_state(state, grade)
        out.append((state.repetitions, state.easiness, state.interval_days))
    return out


def test_new_card_is_as_published() -> None:
    assert (NEW_CARD.repetitions, NEW_CARD.easiness, NEW_CARD.interval_days) == (
        0,
        Decimal("2.5"),
        0,
    )


def test_easiness_deltas_per_grade() -> None:
    # 0.1 - (5-q)(0.08 + (5-q)0.02): q=5 +0.10, 4 0.00, 3 -0.14, 2 -0.32, 1 -0.54, 0 -0.80
    assert [easiness_delta_hundredths(q) for q in range(5, -1, -1)] == [10, 0, -14, -32, -54, -80]


def test_perfect_streak() -> None:
    # EF 2.6, 2.7, 2.8, 2.9, 3.0; I = 1, 6, ceil(6*2.8)=17, ceil(17*2.9)=50, 50*3.0=150
    assert run([5, 5, 5, 5, 5]) == [
        (1, Decimal("2.6"), 1),
        (2, Decimal("2.7"), 6),
        (3, Decimal("2.8"), 17),
        (4, Decimal("2.9"), 50),
        (5, Decimal("3.0"), 150),
    ]


def test_exact_easiness_avoids_spurious_day() -> None:
    # 2.5 + 5 * 0.1 = 3.0 exactly; 10 * 3.0 must stay 30, not ceil(30.000000000004) = 31.
    state = Sm2State(repetitions=5, easiness_hundredths=290, interval_days=10)
    assert next_state(state, 5).interval_days == 30


def test_grade_three_walks_down_to_floor() -> None:
    # 2.5 -0.14 each pass: 2.36, 2.22, 2.08, 1.94, 1.80, 1.66, 1.52, 1.38, then floor 1.3
    result = run([3] * 10)
    assert [r[1] for r in result] == [
        Decimal(x)
        for x in ("2.36", "2.22", "2.08", "1.94", "1.80", "1.66", "1.52", "1.38", "1.30", "1.30")
    ]
    # intervals: 1, 6, ceil(6*2.08)=13, ceil(13*1.94)=26, ceil(26*1.8)=47, ceil(47*1.66)=79
    assert [r[2] for r in result[:6]] == [1, 6, 13, 26, 47, 79]


def test_lapse_on_new_card() -> None:
    assert run([0]) == [(1, Decimal("2.5"), 1)]


def test_lapse_early_keeps_easiness() -> None:
    # 5 -> (1, 2.6, 1); lapse -> (1, 2.6, 1); 4 -> (2, 2.6, 6)
    assert run([5, 2, 4]) == [
        (1, Decimal("2.6"), 1),
        (1, Decimal("2.6"), 1),
        (2, Decimal("2.6"), 6),
    ]


def test_lapse_late_resets_repetitions_and_interval() -> None:
    result = run([5, 5, 5, 5, 1, 4, 4])
    assert result[3] == (4, Decimal("2.9"), 50)
    assert result[4] == (1, Decimal("2.9"), 1)
    assert result[5] == (2, Decimal("2.9"), 6)
    assert result[6] == (3, Decimal("2.9"), 18)  # ceil(6 * 2.9) = ceil(17.4)


def test_lapse_at_floor_stays_at_floor() -> None:
    state = Sm2State(repetitions=6, easiness_hundredths=130, interval_days=20)
    after = next_state(state, 0)
    assert (after.repetitions, after.easiness, after.interval_days) == (1, Decimal("1.3"), 1)
    assert next_state(after, 3).easiness == Decimal("1.3")


@pytest.mark.parametrize("grade", [-1, 6, 3.5, "4", None, True])
def test_invalid_grades_are_rejected(grade: object) -> None:
    with pytest.raises(ValueError):
        next_state(NEW_CARD, grade)  # type: ignore[arg-type]


grades = st.lists(st.integers(min_value=0, max_value=5), max_size=40)


@given(grades)
def test_easiness_floor_and_two_decimals(sequence: list[int]) -> None:
    state = NEW_CARD
    for grade in sequence:
        state = next_state(state, grade)
        assert state.easiness >= Decimal("1.3")
        assert state.easiness == state.easiness.quantize(Decimal("0.01"))
        assert state.interval_days >= 1


@given(grades, st.integers(min_value=0, max_value=2))
def test_lapse_never_changes_easiness(sequence: list[int], lapse: int) -> None:
    state = NEW_CARD
    for grade in sequence:
        state = next_state(state, grade)
    after = next_state(state, lapse)
    assert after.easiness_hundredths == state.easiness_hundredths
    assert (after.repetitions, after.interval_days) == (1, 1)
