"""The Anki-to-SM-2 mapping of an import with progress, and how replay honours it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from mlstudy.core.interop import AnkiAnswer, anki_grade, anki_history, imported_schedule
from mlstudy.core.models import ReviewKind
from mlstudy.core.replay import ReplayAnswer, apply_answer, replay_states
from mlstudy.core.sm2 import Sm2State

D0 = date(2026, 3, 1)
LEARN, REVIEW, RELEARN, MANUAL = 0, 1, 2, 4


def answer(days: int, ease: int, kind: int, interval: int = 1, ms: int = 5000) -> AnkiAnswer:
    moment = 1_770_000_000_000 + days * 86_400_000 + ease
    return AnkiAnswer(moment, D0 + timedelta(days=days), ease, interval, ms, kind)


def test_buttons_map_to_grades() -> None:
    assert [anki_grade(e) for e in (1, 2, 3, 4)] == [1, 3, 4, 5]
    with pytest.raises(ValueError, match=r"not 1\.\.4"):
        anki_grade(0)


def test_the_state_is_anki_interval_ease_and_due_day() -> None:
    schedule = imported_schedule(17, 2350, date(2026, 4, 2))
    assert schedule.state == Sm2State(1, 235, 17)
    assert schedule.last_day == date(2026, 3, 16)
    assert schedule.due_day == date(2026, 4, 2)


def test_ease_below_sm2s_minimum_is_raised_to_it_and_interval_is_at_least_one() -> None:
    assert imported_schedule(0, 1100, D0).state == Sm2State(1, 130, 1)


def test_repetitions_count_passed_reviews_since_the_last_lapse() -> None:
    history = [
        answer(0, 3, LEARN, -600),
        answer(0, 3, LEARN, 1),
        answer(1, 3, REVIEW, 3),  # n 2
        answer(4, 2, REVIEW, 5),  # n 3
        answer(9, 1, REVIEW, -600),  # a lapse: n back to 1
        answer(9, 3, RELEARN, 1),
        answer(10, 4, REVIEW, 4),  # n 2
        answer(12, 0, MANUAL, 30),  # a reschedule, not an answer
    ]
    assert imported_schedule(4, 2300, D0 + timedelta(days=14), history).state.repetitions == 2


def test_history_kinds_follow_sm2s_days() -> None:
    entries = anki_history(
        [
            answer(0, 1, LEARN, -60),
            answer(0, 3, LEARN, 1),
            answer(1, 4, REVIEW, 4),
            answer(3, 0, MANUAL, 9),
            answer(5, 3, REVIEW, 11, ms=0),
        ]
    )
    assert [(e.kind, e.grade, e.interval_before, e.interval_after) for e in entries] == [
        ("anki-new", 1, 0, 0),
        ("anki-drl", 4, 0, 1),
        ("anki-rev", 5, 1, 4),
        ("anki-rev", 4, 4, 11),
    ]
    assert [e.answer_ms for e in entries] == [5000, 5000, 5000, 0]


def test_replay_takes_the_imported_state_and_continues_sm2_from_it() -> None:
    imported = Sm2State(3, 180, 20)
    log = [
        ReplayAnswer(7, D0, 5, ReviewKind.NEW),
        ReplayAnswer(7, D0 + timedelta(days=1), 0, ReviewKind.REVIEW, imported),
        ReplayAnswer(7, D0 + timedelta(days=21), 4, ReviewKind.REVIEW),
    ]
    after_import = apply_answer(replay_states(log[:1])[7], log[1])
    assert after_import is not None
    assert (after_import.sm2, after_import.due_day) == (imported, D0 + timedelta(days=21))
    # mlstudy's counts of answers and lapses are its own.
    assert (after_import.reviews, after_import.lapses) == (1, 0)
    final = replay_states(log)[7]
    # n 4: I = ceil(20 x 1.80) = 36 (grade 4 leaves EF alone).
    assert final.sm2 == Sm2State(4, 180, 36)
    assert final.due_day == D0 + timedelta(days=21 + 36)
