"""Keys that work wherever focus is: Review after Tab, Ctrl+F, and the F1 list."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPlainTextEdit
from pytestqt.qtbot import QtBot

from mlstudy.services import Library
from tests.gui.test_review_flow import key, open_window


def test_review_keys_work_after_tab_moved_focus_away(qtbot: QtBot, library: Library) -> None:
    window = open_window(qtbot, library)
    window.show_page("review")
    review = window.review_page
    first = review.card
    assert first is not None
    for _ in range(2):  # past the Show answer button, into the sidebar
        key(qtbot, window, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is window.nav
    key(qtbot, window, Qt.Key.Key_Space)
    assert review.answer_shown
    key(qtbot, window, Qt.Key.Key_Tab)
    key(qtbot, window, "5")
    assert review.card is not None and review.card.id != first.id
    assert library.card(first.id).repetitions == 1
    assert window.current_page_name() == "review"  # the sidebar did not take the keys


def test_review_keys_do_nothing_on_other_pages(qtbot: QtBot, library: Library) -> None:
    window = open_window(qtbot, library)
    window.show_page("review")
    window.show_page("plan")
    key(qtbot, window, Qt.Key.Key_Space)
    key(qtbot, window, "5")
    assert not window.review_page.answer_shown
    assert library.counts().studied == 0


def test_ctrl_f_opens_browse_with_the_search_field_focused(qtbot: QtBot, library: Library) -> None:
    window = open_window(qtbot, library)
    window.show_page("review")
    qtbot.keyClick(
        QApplication.focusWidget() or window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier
    )
    assert window.current_page_name() == "browse"
    assert QApplication.focusWidget() is window.browse_page.search_edit
    qtbot.keyClicks(window.browse_page.search_edit, "eta")
    assert window.browse_page.query() == "eta"
    assert window.windowTitle() == "Browse — mlstudy"


def test_f1_lists_the_keys_that_are_bound(qtbot: QtBot, library: Library) -> None:
    window = open_window(qtbot, library)
    window.show_shortcuts()
    text = window.shortcuts_dialog.findChild(QPlainTextEdit).toPlainText()
    for line in ("Search cards", "Reload decks", "Zoom in", "Show the answer", "Start studying"):
        assert line in text
    lines = text.splitlines()
    find = next(line for line in lines if "Search cards" in line)
    reload_line = next(line for line in lines if "Reload decks" in line)
    assert "Ctrl+F" in find and "F5" in reload_line
    # One column for the keys: every description starts at the same place.
    assert find.index("Search cards") == reload_line.index("Reload decks")


def test_zoom_scales_the_sidebar_and_is_remembered(qtbot: QtBot, library: Library) -> None:
    window = open_window(qtbot, library)
    before = window.nav.width()
    window.zoom_by(1)
    try:
        assert window.nav.width() > before
        assert library.view_state("ui_zoom") == 1.1
    finally:
        window.zoom_by(0)
    assert window.nav.width() == before


def test_the_summary_clock_stops_at_the_last_answer(qtbot: QtBot, library: Library) -> None:
    window = open_window(qtbot, library)
    review = window.review_page
    now = [1000.0]
    review.clock = lambda: now[0]
    window.show_page("review")
    while review.card is not None:
        now[0] += 10
        review.show_answer()
        review.grade(5)
    assert review.session_time() == timedelta(seconds=50)  # five new cards, ten seconds each
    assert "time 0:00:50" in review.summary.text()
    now[0] += 600  # the summary stays on screen; its clock does not move
    window.show_page("today")
    window.show_page("review")
    assert "time 0:00:50" in review.summary.text()
