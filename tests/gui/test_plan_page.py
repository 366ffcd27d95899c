"""The Plan page on a real library: save, recompute off the UI thread, export."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot

from mlstudy.core.models import CardSnapshot
from mlstudy.core.planner import PlanInputs, plan_for_exam
from mlstudy.core.sm2 import Sm2State
from mlstudy.gui.main_window import MainWindow
from mlstudy.gui.plan_page import OVER_BUDGET_COLOR
from mlstudy.services import Library


def test_plan_page_saves_and_shows_the_plan(qtbot: QtBot, library: Library, tmp_path: Path) -> None:
    window = MainWindow(library)
    qtbot.addWidget(window)
    page = window.plan_page
    assert "exam date" in page.verdict.text()
    page.exam_date.setDate(QDate(2026, 12, 24))
    page.minutes.setValue(20)
    page.weekday_boxes[6].setChecked(True)
    page.apply()
    # The plan of these settings, not one computed while they were being typed.
    qtbot.waitUntil(
        lambda: (
            not page.computing
            and page.plan is not None
            and page.plan.exam_date.isoformat() == "2026-12-24"
            and page.plan.minutes_per_day == 20
        ),
        timeout=10000,
    )
    assert page.verdict.text().startswith("Feasible")
    assert page.table.rowCount() == 52  # 2026-11-02 .. 2026-12-23
    sundays = [
        r for r in range(page.table.rowCount()) if page.table.item(r, 0).text().startswith("Sun")
    ]
    assert sundays and all(page.table.item(r, 1).text() == "day off" for r in sundays)
    assert library.settings()["weekdays_off"] == [6]
    assert library.current_plan() is page.plan
    new_column = len(library.exam().domains) + 1
    counts = library.counts()
    assert counts.new_planned is not None and counts.new_planned > 0
    assert page.table.item(0, new_column).text() == f"0 / {counts.new_planned}"
    assert window.today_page.new.value.text() == f"0 / {counts.new_planned}"
    out = tmp_path / "plan.ics"
    page.export_to(out)
    assert out.read_bytes().startswith(b"BEGIN:VCALENDAR")


def test_plan_page_refuses_a_past_date(qtbot: QtBot, library: Library) -> None:
    window = MainWindow(library)
    qtbot.addWidget(window)
    page = window.plan_page
    page.exam_date.setDate(QDate(2026, 10, 1))
    page.apply()
    assert "must be after today" in page.error.text()
    assert library.settings()["exam_date"] is None


def test_every_weekday_off_is_refused(qtbot: QtBot, library: Library) -> None:
    window = MainWindow(library)
    qtbot.addWidget(window)
    page = window.plan_page
    page.exam_date.setDate(QDate(2026, 12, 24))
    for box in page.weekday_boxes:
        box.setChecked(True)
    page.apply()
    assert "at least one weekday" in page.error.text()
    assert library.settings()["exam_date"] is None


def test_over_budget_days_are_highlighted_and_the_reason_shown(
    qtbot: QtBot, library: Library
) -> None:
    today = library.today()
    state = Sm2State(repetitions=3, easiness_hundredths=250, interval_days=10)
    cards = tuple(
        CardSnapshot(n, 1, state, today - timedelta(days=1), today - timedelta(days=11))
        for n in range(60)
    )
    inputs = PlanInputs(
        today=today, exam_date=today + timedelta(days=30), minutes_per_day=2, cards=cards
    )
    plan = plan_for_exam(inputs)
    assert not plan.feasible and plan.over_budget_days
    window = MainWindow(library)
    qtbot.addWidget(window)
    page = window.plan_page
    page.show_plan(plan)
    assert page.reason.text() == plan.reason and "over budget" in plan.reason
    for row, day in enumerate(plan.days):
        color = page.table.item(row, 0).background().color().name()
        assert (color == OVER_BUDGET_COLOR) == day.over_budget


def test_edits_recalculate_live_without_saving(qtbot: QtBot, library: Library) -> None:
    window = MainWindow(library)
    qtbot.addWidget(window)
    page = window.plan_page
    assert not page.export_button.isEnabled()  # no plan yet
    page.exam_date.setDate(QDate(2026, 12, 24))
    assert page.verdict.text() == "Recalculating…"
    qtbot.waitUntil(lambda: page.plan is not None and not page.computing, timeout=10000)
    assert page.previewing and "not saved" in page.verdict.text()
    assert page.plan is not None and page.plan.exam_date.isoformat() == "2026-12-24"
    assert page.export_button.isEnabled()
    assert library.settings()["exam_date"] is None  # live, but not saved
    page.minutes.setValue(7)
    page.weekday_boxes[6].setChecked(True)
    qtbot.waitUntil(
        lambda: page.plan is not None and page.plan.minutes_per_day == 7 and not page.computing,
        timeout=10000,
    )
    assert all(d.is_off for d in page.plan.days if d.day.weekday() == 6)
    assert library.settings()["minutes_per_day"] == 30


def test_use_the_needed_minutes_button(qtbot: QtBot, library: Library) -> None:
    library.update_settings(exam_date="2026-11-10", minutes_per_day=1)
    window = MainWindow(library)
    qtbot.addWidget(window)
    page = window.plan_page
    qtbot.waitUntil(lambda: page.plan is not None and not page.computing, timeout=10000)
    assert page.plan is not None and not page.plan.feasible
    needed = page.plan.required_minutes_per_day
    assert needed is not None and page.use_button.isVisibleTo(page)
    assert page.use_button.text() == f"Use {needed} min/day"
    # Today computes its own copy of the plan in the background: wait for it.
    verdict = window.today_page.verdict
    qtbot.waitUntil(lambda: f"Plan: Needs {needed} min/day" in verdict.text(), timeout=10000)
    page.use_button.click()
    assert library.settings()["minutes_per_day"] == needed
    # The plan at the new minutes (the old one stands until the recomputation starts).
    qtbot.waitUntil(
        lambda: (
            page.plan is not None and page.plan.minutes_per_day == needed and not page.computing
        ),
        timeout=10000,
    )
    assert page.plan is not None and page.plan.feasible
    assert not page.use_button.isVisibleTo(page)
    qtbot.waitUntil(lambda: verdict.text().startswith("Plan: Feasible"), timeout=10000)
