"""Choosing and switching exam packs in the app: first start, Settings, Today, the menu."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from mlstudy.gui.dialogs import FirstRunDialog
from mlstudy.gui.main_window import MainWindow
from mlstudy.services import Changes, Library
from mlstudy.services.exams import select_exam
from tests.packs import two_pack_library

SHOTS = os.environ.get("MLSTUDY_TEST_SCREENSHOTS")
"""A folder to save pictures of the dialog and the page in (to look at them)."""


library = pytest.fixture(two_pack_library, name="library")


def test_first_start_lists_every_pack_with_its_status_and_picks_one_that_can_be_taken(
    qtbot: QtBot, library: Library
) -> None:
    dialog = FirstRunDialog(library)
    qtbot.addWidget(dialog)
    labels = [dialog.exam.itemText(i) for i in range(dialog.exam.count())]
    assert labels == [
        "MLA-C01 – AWS Certified Machine Learning Engineer – Associate",
        "MLS-C01 – AWS Certified Machine Learning – Specialty (retired 2026-03-31)",
    ]
    assert dialog.exam.currentData() == "MLA-C01"
    assert "succeeds MLS-C01" in dialog.status.text()
    dialog.exam.setCurrentIndex(1)
    assert "retired on 2026-03-31" in dialog.status.text()
    dialog.exam.setCurrentIndex(0)
    dialog.show()
    qtbot.waitExposed(dialog)
    if SHOTS:
        dialog.grab().save(str(Path(SHOTS) / "first-start.png"))
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.result() == FirstRunDialog.DialogCode.Accepted
    assert library.exam().code == "MLA-C01"
    assert library.settings()["first_run_done"] is True


def test_first_start_keeps_mls_for_a_library_that_studied_it(
    qtbot: QtBot, library: Library
) -> None:
    select_exam(library, "MLS-C01")
    dialog = FirstRunDialog(library)
    qtbot.addWidget(dialog)
    assert dialog.exam.currentData() == "MLS-C01"
    dialog.exam.setCurrentIndex(dialog.exam.findData("MLA-C01"))
    dialog.has_date.setChecked(True)
    dialog.accept()
    assert library.exam().code == "MLA-C01"
    assert library.settings()["exam_date"] == "2027-01-01"  # saved as MLA-C01's own
    select_exam(library, "MLS-C01")
    assert library.settings()["exam_date"] is None


def test_settings_switches_exams_and_every_page_follows(qtbot: QtBot, library: Library) -> None:
    window = MainWindow(library)
    qtbot.addWidget(window)
    library.update_settings(exam_date="2027-03-01")  # MLA-C01's
    window.bus.publish(Changes(settings=True))
    window.show_page("settings")
    page = window.settings_page
    assert page.exam.currentData() == "MLA-C01"
    assert page.has_date.isChecked()
    published: list[Changes] = []
    window.bus.changes_made.connect(published.append)
    page.exam.setCurrentIndex(page.exam.findData("MLS-C01"))
    page.exam.activated.emit(page.exam.currentIndex())
    assert library.exam().code == "MLS-C01"
    assert published and published[-1].settings and published[-1].queue
    assert window.statusBar().currentMessage().startswith("Now studying MLS-C01")
    assert not page.has_date.isChecked()  # MLS-C01 has no exam date of its own
    assert window.today_page.exam_picker.currentData() == "MLS-C01"
    assert "Specialty" in window.today_page.exam_name.text()
    assert window.today_page.new.value.text() == "5"  # MLS-C01's five cards
    checked = [a.data() for a in window.exam_menu.actions() if a.isChecked()]
    window.exam_menu.aboutToShow.emit()
    checked = [a.data() for a in window.exam_menu.actions() if a.isChecked()]
    assert checked == ["MLS-C01"]
    if SHOTS:
        window.resize(1100, 800)
        window.show()
        qtbot.waitExposed(window)
        window.grab().save(str(Path(SHOTS) / "settings-exam.png"))
    # Back through the Exam menu: MLA-C01's date comes back.
    [mla] = [a for a in window.exam_menu.actions() if a.data() == "MLA-C01"]
    mla.trigger()
    assert library.exam().code == "MLA-C01"
    assert page.has_date.isChecked() and page.exam_date.date().toString("yyyy-MM-dd") == (
        "2027-03-01"
    )

    def shows_mla_counts() -> bool:
        # With MLA-C01's exam date, today's plan (worked out in the background, so
        # perhaps not yet) turns the count into "done / planned".
        counts = library.counts()
        planned = counts.new_planned
        want = str(counts.new) if planned is None else f"{counts.new_done} / {planned}"
        return bool(window.today_page.new.value.text() == want)

    qtbot.waitUntil(shows_mla_counts)


def test_today_picker_switches(qtbot: QtBot, library: Library) -> None:
    window = MainWindow(library)
    qtbot.addWidget(window)
    picker = window.today_page.exam_picker
    assert [picker.itemData(i) for i in range(picker.count())] == ["MLA-C01", "MLS-C01"]
    assert picker.itemText(1).endswith("(retired 2026-03-31) · 5 cards")
    picker.setCurrentIndex(1)
    picker.activated.emit(1)
    assert library.exam().code == "MLS-C01"
    assert window.settings_page.exam.currentData() == "MLS-C01"
    if SHOTS:
        window.resize(1100, 800)
        window.show()
        qtbot.waitExposed(window)
        window.grab().save(str(Path(SHOTS) / "today-exam.png"))
