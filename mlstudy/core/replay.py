"""Rebuild card state from the review log (DESIGN.md §3: the log is the source of truth).

``replay_states`` folds the log, oldest answer first, into each card's state exactly
as ``card_states`` stores it: only the state-changing answers (kind ``new`` or
``review``) take an SM-2 step (``sm2.sm2_step``, the step of ``sm2.next_state``);
same-day drill answers are logged but change nothing. An imported state (a log entry
of kind ``import``, ``core.interop``) sets the state outright; Anki's review history is
not replay input at all. Pure: no I/O, no clock; the exam-aware due layer is not part
of it.

``apply_answer`` is the one answer transition: the live answer path
(``mlstudy/storage/study.py``) and every replay call it. Replay takes the live answers
only: the storage layer leaves out undone answers and their tombstones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from mlstudy.core.models import ReviewKind
from mlstudy.core.sm2 import NEW_CARD, Sm2State, is_pass, sm2_step


@dataclass(frozen=True, slots=True)
class ReplayAnswer:
    """One row of the review log, as far as the state depends on it.

    Attributes:
        card_id: database id of the card.
        day: the study day of the answer.
        grade: 0..5.
        kind: new, review or drill (drills never change state).
        imported: for an imported state (log kind ``import``): the state itself, which
            the card takes on ``day`` whatever it had; ``kind`` and ``grade`` are then unused.
    """

    card_id: int
    day: date
    grade: int
    kind: ReviewKind
    imported: Sm2State | None = None


@dataclass(frozen=True, slots=True)
class ReplayedState:
    """A card's state rebuilt from its answers, field for field like ``card_states``.

    Attributes:
        repetitions: SM-2 n.
        easiness_hundredths: SM-2 EF in hundredths (250 = 2.5).
        interval_days: SM-2 I in days.
        due_day: study day of the last state-changing answer + I.
        last_day: study day of the last state-changing answer.
        reviews: number of state-changing (non-drill) answers.
        lapses: number of state-changing answers graded below 3.
    """

    repetitions: int
    easiness_hundredths: int
    interval_days: int
    due_day: date
    last_day: date
    reviews: int
    lapses: int

    @property
    def sm2(self) -> Sm2State:
        """The SM-2 part of the state."""
        return Sm2State(self.repetitions, self.easiness_hundredths, self.interval_days)


def answer_kind(previous: ReplayedState | None, answered_today: bool) -> ReviewKind:
    """The kind of a new answer: ``new`` for a card never reviewed, ``drill`` for one that
    already had its state-changing answer today (SM-2's same-day drill), else ``review``."""
    if previous is None:
        return ReviewKind.NEW
    return ReviewKind.DRILL if answered_today else ReviewKind.REVIEW


def apply_answer(previous: ReplayedState | None, answer: ReplayAnswer) -> ReplayedState | None:
    """The state after one more answer (``previous`` is None for a never-reviewed card).

    A drill leaves the state as it is; an imported state replaces it (due on its day +
    its interval; the counts of answers and lapses are mlstudy's and stay); any other
    answer is one SM-2 step dated on the answer's study day. A grade outside 0..5 raises
    ``ValueError``.
    """
    if answer.imported is not None:
        return ReplayedState(
            repetitions=answer.imported.repetitions,
            easiness_hundredths=answer.imported.easiness_hundredths,
            interval_days=answer.imported.interval_days,
            due_day=answer.day + timedelta(days=answer.imported.interval_days),
            last_day=answer.day,
            reviews=previous.reviews if previous else 0,
            lapses=previous.lapses if previous else 0,
        )
    if answer.kind == ReviewKind.DRILL:
        return previous
    return apply_grades(previous, ((answer.day, answer.grade),))


def apply_grades(
    previous: ReplayedState | None, answers: Iterable[tuple[date, int]]
) -> ReplayedState | None:
    """The state after state-changing answers (study day, grade), oldest first: each is
    one SM-2 step dated on its day (``apply_answer`` for a run of them, with one state
    object built at the end instead of one per answer: a merge applies many)."""
    if previous is None:
        numbers = (NEW_CARD.repetitions, NEW_CARD.easiness_hundredths, NEW_CARD.interval_days)
        reviews, lapses = 0, 0
    else:
        numbers = (previous.repetitions, previous.easiness_hundredths, previous.interval_days)
        reviews, lapses = previous.reviews, previous.lapses
    numbers, reviews, lapses, last = fold_grades(numbers, reviews, lapses, answers)
    if last is None:
        return previous
    repetitions, easiness, interval = numbers
    return ReplayedState(
        repetitions,
        easiness,
        interval,
        last + timedelta(days=interval),
        last,
        reviews,
        lapses,
    )


def fold_grades(
    numbers: tuple[int, int, int],
    reviews: int,
    lapses: int,
    answers: Iterable[tuple[date, int]],
) -> tuple[tuple[int, int, int], int, int, date | None]:
    """``apply_grades`` in numbers: the SM-2 numbers (n, EF in hundredths, I), the counts
    of answers and lapses, and the day of the last answer (None: no answers) after
    state-changing answers."""
    repetitions, easiness, interval = numbers
    last: date | None = None
    for day, grade in answers:
        repetitions, easiness, interval = sm2_step(repetitions, easiness, interval, grade)
        last = day
        reviews += 1
        if not is_pass(grade):
            lapses += 1
    return (repetitions, easiness, interval), reviews, lapses, last


def replay_states(answers: Iterable[ReplayAnswer]) -> dict[int, ReplayedState]:
    """Every card's state after replaying the log in order (oldest answer first).

    A card whose log holds only drill answers has no state and is not in the result.
    """
    states: dict[int, ReplayedState] = {}
    for answer in answers:
        after = apply_answer(states.get(answer.card_id), answer)
        if after is not None:
            states[answer.card_id] = after
    return states
