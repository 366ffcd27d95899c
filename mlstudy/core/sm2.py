"""SM-2 as published by P. Wozniak (1990), with easiness kept in exact hundredths.

The state transition is pure: ``next_state(state, grade)`` returns a new state and
never looks at the clock. Due dates are the caller's business (study day + interval).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

MIN_GRADE = 0
MAX_GRADE = 5
PASS_GRADE = 3
"""Grades at or above this are a successful recall; below it a lapse."""
DRILL_UNTIL_GRADE = 4
"""A card graded below this comes back in the same session (SM-2's same-day drill)."""
INITIAL_EASINESS_HUNDREDTHS = 250
MIN_EASINESS_HUNDREDTHS = 130
FIRST_INTERVAL_DAYS = 1
SECOND_INTERVAL_DAYS = 6

GRADE_MEANINGS: dict[int, str] = {
    5: "Perfect",
    4: "Good",
    3: "Hard",
    2: "Almost",
    1: "Wrong",
    0: "Blackout",
}
"""One-word labels for the six grades (``GRADE_SM2_MEANINGS`` says what each means)."""

GRADE_SM2_MEANINGS: dict[int, str] = {
    5: "perfect response",
    4: "correct response after a hesitation",
    3: "correct response recalled with serious difficulty",
    2: "incorrect response; where the correct one seemed easy to recall",
    1: "incorrect response; the correct one remembered",
    0: "complete blackout",
}
"""The six grades as Wozniak (1990) defines them, for tooltips and help."""


@dataclass(frozen=True, slots=True)
class Sm2State:
    """A card's SM-2 state.

    Attributes:
        repetitions: n, successful reviews in a row (0 for a new card).
        easiness_hundredths: EF as an integer number of hundredths (250 = 2.5).
        interval_days: the last interval I in days (0 for a new card).
    """

    repetitions: int
    easiness_hundredths: int
    interval_days: int

    @property
    def easiness(self) -> Decimal:
        """EF as an exact two-decimal number."""
        return Decimal(self.easiness_hundredths) / 100


NEW_CARD = Sm2State(repetitions=0, easiness_hundredths=INITIAL_EASINESS_HUNDREDTHS, interval_days=0)
"""The state of a card that was never reviewed."""


def validate_grade(grade: object) -> int:
    """Return ``grade`` if it is an integer in 0..5, else raise ``ValueError``."""
    if isinstance(grade, bool) or not isinstance(grade, int):
        raise ValueError(f"grade must be an integer 0..5, got {grade!r}")
    if not MIN_GRADE <= grade <= MAX_GRADE:
        raise ValueError(f"grade must be between 0 and 5, got {grade}")
    return grade


def easiness_delta_hundredths(grade: int) -> int:
    """EF change for a grade, in hundredths: 100 * (0.1 - (5-q) * (0.08 + (5-q) * 0.02))."""
    miss = MAX_GRADE - grade
    # 100 * (0.1 - miss * (0.08 + 0.02 * miss)) = 10 - miss * (8 + 2 * miss), exact in ints.
    return 10 - miss * (8 + 2 * miss)


def next_state(state: Sm2State, grade: int) -> Sm2State:
    """Apply one SM-2 review with grade 0..5 and return the new state.

    A pass (q >= 3) updates EF (floor 1.3), increments n and sets I to 1, 6, then
    ceil(I * EF'). A lapse (q < 3) resets n to 1 and I to 1 and keeps EF.
    """
    return Sm2State(
        *sm2_step(state.repetitions, state.easiness_hundredths, state.interval_days, grade)
    )


def sm2_step(
    repetitions: int, easiness_hundredths: int, interval_days: int, grade: int
) -> tuple[int, int, int]:
    """``next_state`` in numbers: (n, EF in hundredths, I) after one review with grade
    0..5 (a merge folds tens of thousands without a state object for each)."""
    if grade.__class__ is not int or not MIN_GRADE <= grade <= MAX_GRADE:
        validate_grade(grade)  # raises (an int subclass, bool aside, is checked there)
    if grade < PASS_GRADE:
        return 1, easiness_hundredths, FIRST_INTERVAL_DAYS
    easiness = max(MIN_EASINESS_HUNDREDTHS, easiness_hundredths + easiness_delta_hundredths(grade))
    repetitions += 1
    if repetitions == 1:
        interval = FIRST_INTERVAL_DAYS
    elif repetitions == 2:
        interval = SECOND_INTERVAL_DAYS
    else:
        # ceil(I * EF / 100) in integers: no float rounding can add a spurious day.
        interval = -(-interval_days * easiness // 100)
    return repetitions, easiness, interval


def is_pass(grade: int) -> bool:
    """True when the grade counts as a successful recall (q >= 3)."""
    return grade >= PASS_GRADE


def needs_drill(grade: int) -> bool:
    """True when SM-2 wants the card again in the same session (q < 4)."""
    return grade < DRILL_UNTIL_GRADE


@dataclass(frozen=True, slots=True)
class GradeOutcome:
    """What a grade would do to a card now, for the grade buttons.

    Attributes:
        grade: 0..5.
        again_today: the card comes back in this session (SM-2's same-day drill).
        interval_days: the new interval in days; None for a drill answer, which leaves
            the card's schedule as the day's first answer set it.
    """

    grade: int
    again_today: bool
    interval_days: int | None


def grade_outcomes(state: Sm2State, drilling: bool) -> tuple[GradeOutcome, ...]:
    """The outcome of each grade 0..5 for a card in ``state``.

    ``drilling``: the card was already graded today, so only the drill rule applies
    (only the first grade of a study day changes the state).
    """
    return tuple(
        GradeOutcome(
            grade=grade,
            again_today=needs_drill(grade),
            interval_days=None if drilling else next_state(state, grade).interval_days,
        )
        for grade in range(MIN_GRADE, MAX_GRADE + 1)
    )
