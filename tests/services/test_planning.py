"""The plan as the library uses it: inputs, today's queue, exam-aware due days, output."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from icalendar import Calendar

from mlstudy.core.planner import new_cards_for_day
from mlstudy.errors import UserError
from mlstudy.services import Library
from mlstudy.services.planning import (
    answer_habits,
    make_plan,
    plan_document,
    write_ics,
)
from tests.conftest import FakeClock


@pytest.mark.parametrize(
    ("exam_date", "minutes", "message"),
    [
        ("2026-11-02", 30, "must be after today"),
        ("2026-10-01", 30, "must be after today"),
        ("next week", 30, "is not a date"),
        ("2026-12-24", 0, "at least 1"),
        ("2026-12-24", -5, "at least 1"),
        ("2026-12-24", "lots", "not a whole number"),
    ],
)
def test_bad_plan_input_is_a_clear_error_and_saves_nothing(
    library: Library, exam_date: str, minutes: object, message: str
) -> None:
    with pytest.raises(UserError, match=message):
        make_plan(library, exam_date, minutes)  # type: ignore[arg-type]
    assert library.settings()["exam_date"] is None


def test_every_weekday_off_is_refused(library: Library) -> None:
    with pytest.raises(UserError, match="weekday"):
        library.update_settings(weekdays_off=list(range(7)))
    assert library.settings()["weekdays_off"] == []


def test_plan_for_the_small_pack(library: Library) -> None:
    library.update_settings(exam_date="2026-12-24", minutes_per_day=20, weekdays_off=[5, 6])
    plan = make_plan(library)
    assert plan.feasible and plan.verdict.startswith("Feasible")
    assert sum(d.new_total for d in plan.days) == 5
    assert all(d.new_total == 0 and d.expected_minutes == 0 for d in plan.days if d.is_off)
    assert all(d.day.weekday() >= 5 for d in plan.days if d.is_off)
    assert max(d.expected_minutes for d in plan.days) <= 20
    doc = plan_document(plan, {d.number: d.name for d in library.exam().domains})
    assert doc["exam_date"] == "2026-12-24" and doc["feasible"] is True
    assert doc["days"][0]["date"] == "2026-11-02"
    assert set(doc["days"][0]) == {
        "date",
        "off",
        "new_cards",
        "new_total",
        "new_done",
        "expected_reviews",
        "expected_minutes",
        "over_budget",
    }
    assert doc["failing_rules"] == [] and doc["reason"] == "" and doc["over_budget_days"] == []


def test_todays_queue_follows_the_plan(library: Library) -> None:
    library.update_settings(exam_date="2026-11-20", minutes_per_day=30, new_per_day=1)
    plan = library.refresh_plan()
    assert plan is not None
    planned = new_cards_for_day(plan, library.today())
    assert library.counts().new == sum(planned.values())
    seen: dict[int, int] = {}
    while (card := library.next_card()) is not None:
        if card.kind == "new":
            seen[card.domain] = seen.get(card.domain, 0) + 1
        library.answer(card.id, 5)
    assert seen == {d: n for d, n in planned.items() if n}


def test_exam_aware_due_is_stored_beside_sm2(library: Library, clock: FakeClock) -> None:
    library.update_settings(exam_date="2026-11-20")
    card = library.next_card()
    assert card is not None
    for _ in range(2):
        library.answer(card.id, 5)
        clock.advance(days=library.card(card.id).interval_days)
    view = library.card(card.id)
    # SM-2: interval 6 after two perfect answers on 11-02 and 11-03: due 11-09, before the
    # window (11-13 .. 11-19), so no adjustment yet.
    assert (view.interval_days, view.due, view.exam_due) == (6, date(2026, 11, 9), None)
    library.answer(card.id, 5)  # on 11-09: ceil(6 * 2.8) = 17 days -> 11-26, after the exam
    view = library.card(card.id)
    assert (view.interval_days, view.due) == (17, date(2026, 11, 26))
    assert view.exam_due is not None and date(2026, 11, 13) <= view.exam_due < date(2026, 11, 20)
    library.update_settings(exam_date=None)
    assert library.card(card.id).exam_due is None  # the adjustment goes with the exam date
    assert library.card(card.id).due == date(2026, 11, 26)


def test_answer_times_come_from_the_users_log(library: Library) -> None:
    assert answer_habits(library).seconds_per_new == 60.0
    with library.engine.begin() as conn:
        for n in range(25):
            conn.exec_driver_sql(
                "INSERT INTO reviews (card_id, reviewed_at, study_day, grade, kind, "
                "interval_before, interval_after, easiness_before, easiness_after, "
                "repetitions_before, repetitions_after, answer_ms) VALUES "
                f"(1, '2026-11-01T10:00:00', '2026-11-01', 4, 'new', 0, 1, 250, 250, 0, 1, "
                f"{30000 + n * 100})"
            )
    habits = answer_habits(library)
    assert habits.seconds_per_new == 31.2  # median of 30.0 .. 32.4 s
    assert habits.seconds_per_review == 20.0  # not enough reviews yet: the default


def test_answer_habits_are_frozen_for_the_study_day(library: Library, clock: FakeClock) -> None:
    """Today's answers count from tomorrow on: the estimates do not drift mid-day."""
    before = answer_habits(library)
    with library.engine.begin() as conn:
        for n in range(25):
            conn.exec_driver_sql(
                "INSERT INTO reviews (card_id, reviewed_at, study_day, grade, kind, "
                "interval_before, interval_after, easiness_before, easiness_after, "
                "repetitions_before, repetitions_after, answer_ms) VALUES "
                f"(1, '2026-11-02T10:00:00', '{library.today().isoformat()}', 0, 'review', "
                f"6, 1, 250, 230, 2, 0, {5000 + n})"
            )
    assert answer_habits(library) == before
    clock.advance(days=1)
    after = answer_habits(library)
    assert after.seconds_per_review == 5.012 and after.grade_mix == {0: 1.0}


def test_ics_is_valid_rfc5545(library: Library, tmp_path: Path) -> None:
    library.update_settings(exam_date="2026-12-24", weekdays_off=[6])
    plan = make_plan(library)
    path = tmp_path / "plan.ics"
    names = {d.number: d.name for d in library.exam().domains}
    count = write_ics(plan, path, library.exam().name, names, library.now())
    calendar = Calendar.from_ical(path.read_bytes())
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == count + 1  # study days plus the exam itself
    study_days = {e.decoded("dtstart").date() for e in events[:-1]}
    assert all(day.weekday() != 6 for day in study_days)
    assert all("UID" in e and "DTSTAMP" in e for e in events)
    assert events[-1].decoded("dtstart") == date(2026, 12, 24)
    assert path.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
