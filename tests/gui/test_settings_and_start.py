"""Settings that persist, the first-start dialog, deck errors shown readably, backups."""

from __future__ import annotations

from datetime import UTC, date
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from mlstudy.gui import dialogs
from mlstudy.gui.dialogs import FirstRunDialog
from mlstudy.gui.main_window import MainWindow
from mlstudy.gui.settings_page import SettingsPage
from mlstudy.gui.today_page import countdown_text, hint_text
from mlstudy.gui.worker import wait_for_background
from mlstudy.services import Library
from tests.conftest import FakeClock


def test_first_start_dialog_enter_accepts_defaults(qtbot: QtBot, library: Library) -> None:
    dialog = FirstRunDialog(library)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.result() == FirstRunDialog.DialogCode.Accepted
    settings = library.settings()
    assert settings["first_run_done"] is True
    assert settings["exam"] == "MLS-C01" and settings["exam_date"] is None
    assert settings["minutes_per_day"] == 30


def test_first_start_dialog_with_an_exam_date(qtbot: QtBot, library: Library) -> None:
    dialog = FirstRunDialog(library)
    qtbot.addWidget(dialog)
    dialog.has_date.setChecked(True)
    dialog.minutes.setValue(45)
    dialog.accept()
    assert library.settings()["exam_date"] == "2027-01-01"  # 60 days after 2026-11-02
    assert library.settings()["minutes_per_day"] == 45


def test_settings_persist_across_restarts(
    qtbot: QtBot, tmp_path: Path, pack: Path, clock: FakeClock
) -> None:
    data = tmp_path / "persist"
    with Library.open(data, clock=clock, tz=UTC, content_root=pack) as library:
        page = SettingsPage(library, MainWindow(library).bus)
        qtbot.addWidget(page)
        page.new_per_day.setValue(3)
        page.font_size.setValue(19)
        page.day_start.setValue(5)
        page.theme.setCurrentIndex(page.theme.findData("dark"))
        page.has_date.setChecked(True)
        wait_for_background()
    with Library.open(data, clock=clock, tz=UTC, content_root=pack) as library:
        page = SettingsPage(library, MainWindow(library).bus)
        qtbot.addWidget(page)
        assert (page.new_per_day.value(), page.font_size.value(), page.day_start.value()) == (
            3,
            19,
            5,
        )
        assert page.theme.currentData() == "dark"
        assert page.has_date.isChecked()
        wait_for_background()


def test_exam_date_in_the_past_is_refused(qtbot: QtBot, library: Library) -> None:
    window = MainWindow(library)
    qtbot.addWidget(window)
    page = window.settings_page
    page.has_date.setChecked(True)
    page.exam_date.setDate(page.exam_date.date().addDays(-400))
    assert "must be after today" in page.error.text()
    assert library.settings()["exam_date"] == "2027-01-01"


def test_malformed_deck_is_reported_with_path_and_line(
    qtbot: QtBot, library: Library, tmp_path: Path
) -> None:
    window = MainWindow(library)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.watcher._running)
    deck = library.deck_folders()[0] / "mine.md"
    deck.write_text("---\ndomain: 2\n---\n## Good? {#mine-good}\n\nyes\n\n## Broken {#mine-x}\n")
    with qtbot.waitSignal(window.watcher.synced, timeout=10000):
        window.watcher.sync_now()
    assert f"{deck}:8: error: card 'mine-x' has no answer" in (
        window.settings_page.problems.toPlainText()
    )
    assert "1 problem" in window.statusBar().currentMessage()
    assert library.counts().new == 6  # the good card of the broken file still loaded


def test_edits_to_deck_files_are_picked_up(qtbot: QtBot, library: Library) -> None:
    window = MainWindow(library)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.watcher._running)
    deck = library.deck_folders()[0] / "watched.md"
    with qtbot.waitSignal(window.watcher.synced, timeout=15000):
        deck.write_text("---\ndomain: 4\n---\n## New card? {#watched-one}\n\nYes.\n")
    qtbot.waitUntil(lambda: library.counts().new == 6, timeout=5000)


def test_backup_and_restore_from_settings(qtbot: QtBot, library: Library) -> None:
    window = MainWindow(library)
    qtbot.addWidget(window)
    card = library.next_card()
    assert card is not None
    library.answer(card.id, 5)
    window.settings_page.backup_now()
    assert window.settings_page.backups.count() == 1
    second = library.next_card()
    assert second is not None
    library.answer(second.id, 5)
    window.settings_page.backups.setCurrentRow(0)
    dialogs.headless_answers.append(False)
    window.settings_page.restore_selected()
    assert library.counts().studied == 2
    dialogs.headless_answers.append(True)
    window.settings_page.restore_selected()
    assert library.counts().studied == 1
    assert window.settings_page.backups.count() == 2  # the pre-restore backup is listed


def test_countdown_text() -> None:
    today = date(2026, 11, 2)
    assert countdown_text(today, date(2026, 12, 2)) == "Exam in 30 days (2026-12-02)"
    assert countdown_text(today, date(2026, 11, 3)) == "Exam tomorrow (2026-11-03)"
    assert "passed" in countdown_text(today, date(2026, 11, 1))
    assert "No exam date" in countdown_text(today, None)


def test_first_start_dialog_says_whether_the_time_is_enough(qtbot: QtBot, library: Library) -> None:
    dialog = FirstRunDialog(library)
    qtbot.addWidget(dialog)
    assert "exam date" in dialog.verdict.text()
    dialog.has_date.setChecked(True)
    dialog.exam_date.setDate(QDate(2026, 11, 10))
    dialog.minutes.setValue(5)
    qtbot.waitUntil(lambda: dialog.verdict.text().startswith("Plan: "), timeout=10000)
    assert dialog.verdict.text().startswith("Plan: Feasible")
    dialog.exam_date.setDate(QDate(2026, 11, 4))
    qtbot.waitUntil(lambda: dialog.verdict.text().startswith("Plan: Needs"), timeout=10000)
    assert "At 5 min/day: " in dialog.verdict.text()
    dialog.has_date.setChecked(False)
    assert "exam date" in dialog.verdict.text()
    assert library.settings()["exam_date"] is None  # nothing saved before OK


def test_todays_hint_speaks_of_the_plan_only_with_an_exam_date() -> None:
    assert hint_text(3, True) == hint_text(3, False) == "3 cards left today."
    without = hint_text(0, False)
    assert "new cards per day" in without and "Settings" in without
    with_date = hint_text(0, True)
    assert "plan" in with_date and "Plan page" in with_date and "Settings" not in with_date
