"""Settings save when editing finishes, in one range everywhere; backups and restore."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QDateTimeEdit
from pytestqt.qtbot import QtBot

from mlstudy.gui import dialogs
from mlstudy.gui.dialogs import FirstRunDialog
from mlstudy.gui.main_window import MainWindow
from mlstudy.gui.settings_page import SettingsPage, local_time
from mlstudy.services import Library
from mlstudy.services.settings import SETTING_RANGES


def settings_page(qtbot: QtBot, library: Library) -> SettingsPage:
    window = MainWindow(library)
    qtbot.addWidget(window)
    window.show()
    window.show_page("settings")
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window.settings_page


def type_into(qtbot: QtBot, spin: object, text: str) -> None:
    editor = spin.lineEdit()  # type: ignore[attr-defined]
    spin.setFocus()  # type: ignore[attr-defined]
    editor.selectAll()
    qtbot.keyClicks(editor, text)


def test_typing_saves_once_when_editing_finishes(qtbot: QtBot, library: Library) -> None:
    page = settings_page(qtbot, library)
    type_into(qtbot, page.font_size, "22")
    assert library.settings()["font_size"] == 15  # nothing saved per keystroke
    qtbot.keyClick(page.font_size.lineEdit(), Qt.Key.Key_Return)
    assert library.settings()["font_size"] == 22


def test_a_typed_value_out_of_range_is_clamped_not_cut(qtbot: QtBot, library: Library) -> None:
    page = settings_page(qtbot, library)
    type_into(qtbot, page.font_size, "99")
    qtbot.keyClick(page.font_size.lineEdit(), Qt.Key.Key_Return)
    assert library.settings()["font_size"] == 40  # clamped, not the 9 typed on the way
    type_into(qtbot, page.minutes, "5000")
    page.new_per_day.setFocus()  # leaving the field finishes the edit too
    QApplication.processEvents()
    assert library.settings()["minutes_per_day"] == SETTING_RANGES["minutes_per_day"][1]


def test_minutes_have_one_range_in_the_first_dialog_and_settings(
    qtbot: QtBot, library: Library
) -> None:
    page = settings_page(qtbot, library)
    dialog = FirstRunDialog(library)
    qtbot.addWidget(dialog)
    ranges = {
        (page.minutes.minimum(), page.minutes.maximum()),
        (dialog.minutes.minimum(), dialog.minutes.maximum()),
        SETTING_RANGES["minutes_per_day"],
    }
    assert len(ranges) == 1


def test_unticking_the_exam_date_keeps_it(qtbot: QtBot, library: Library) -> None:
    page = settings_page(qtbot, library)
    page.has_date.setChecked(True)
    page.exam_date.setDate(QDate(2027, 3, 14))
    assert library.settings()["exam_date"] == "2027-03-14"
    page.has_date.setChecked(False)
    assert library.settings()["exam_date"] is None
    assert page.exam_date.date() == QDate(2027, 3, 14)
    again = SettingsPage(library, page.bus)  # a restart shows it too
    qtbot.addWidget(again)
    assert again.exam_date.date() == QDate(2027, 3, 14)
    again.has_date.setChecked(True)
    assert library.settings()["exam_date"] == "2027-03-14"


def test_restore_needs_a_selection_and_names_the_backup(qtbot: QtBot, library: Library) -> None:
    page = settings_page(qtbot, library)
    assert "No backup yet" in page.backups.item(0).text()  # the empty state
    page.backups.setCurrentRow(0)
    assert not page.restore_button.isEnabled()
    card = library.next_card()
    assert card is not None
    page.backup_now()
    library.answer(card.id, 5)  # after the backup
    page.refresh()
    assert page.backups.count() == 1
    assert not page.restore_button.isEnabled()
    page.backups.setCurrentRow(0)
    assert page.restore_button.isEnabled()
    taken = library.backups()[0].taken_at
    assert page.backups.item(0).text().startswith(local_time(taken))
    dialogs.headless_answers.append(False)  # Cancel
    page.restore_selected()
    question = dialogs.shown_messages[-1]
    assert f"Restore the backup of {local_time(taken)}?" in question
    assert "replaced" in question
    assert library.counts().studied == 1  # nothing restored
    dialogs.headless_answers.append(True)
    page.restore_selected()
    assert library.counts().studied == 0


def test_local_time_is_not_utc() -> None:
    moment = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
    assert local_time(moment) == f"{moment.astimezone():%Y-%m-%d %H:%M}"


def test_a_typed_exam_date_takes_when_editing_finishes(qtbot: QtBot, library: Library) -> None:
    page = settings_page(qtbot, library)
    page.has_date.setChecked(True)
    saved = library.settings()["exam_date"]
    assert saved == "2027-01-01"
    page.exam_date.setFocus()
    page.exam_date.setSelectedSection(QDateTimeEdit.Section.YearSection)
    qtbot.keyClicks(page.exam_date, "2028")
    assert page.exam_date.text() == "2028-01-01"
    assert library.settings()["exam_date"] == saved  # not a save per digit
    qtbot.keyClick(page.exam_date, Qt.Key.Key_Return)
    assert library.settings()["exam_date"] == "2028-01-01"
