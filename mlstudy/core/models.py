"""Plain value types shared by the layers: card snapshots and review-log events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from mlstudy.core.sm2 import Sm2State


class ReviewKind(StrEnum):
    """Why a card was shown: first time ever, a scheduled review, or a same-day drill."""

    NEW = "new"
    REVIEW = "review"
    DRILL = "drill"


@dataclass(frozen=True, slots=True)
class CardSnapshot:
    """What the planner and the mastery series need to know about one card.

    Attributes:
        card_id: database id.
        domain: the exam domain number.
        state: SM-2 state; None for a card never reviewed.
        due: the SM-2 due study day (None for a new card).
        last_review: the study day of the last state-changing review (None if new).
    """

    card_id: int
    domain: int
    state: Sm2State | None = None
    due: date | None = None
    last_review: date | None = None

    @property
    def is_new(self) -> bool:
        """True for a card never reviewed."""
        return self.state is None


@dataclass(frozen=True, slots=True)
class ReviewEvent:
    """One row of the review log, as the series in ``core`` read it.

    Attributes:
        card_id: database id.
        domain: the card's domain number.
        day: the study day of the answer.
        grade: 0..5.
        kind: new, review or drill.
        interval_before: SM-2 interval before the answer (0 for a new card).
        interval_after: SM-2 interval after the answer.
        answer_ms: time from showing the question to the grade, in milliseconds.
    """

    card_id: int
    domain: int
    day: date
    grade: int
    kind: ReviewKind
    interval_before: int
    interval_after: int
    answer_ms: int = 0


@dataclass(frozen=True, slots=True)
class DayAnswer:
    """One live answer of a study day, as today's queue and counters read it.

    Attributes:
        card_id: database id.
        grade: 0..5.
        kind: new, review or drill.
        review_id: the log entry's id (log order).
        domain: the card's domain number.
    """

    card_id: int
    grade: int
    kind: ReviewKind
    review_id: int
    domain: int
