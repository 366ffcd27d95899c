"""The daily workflow driven by the keyboard alone, on a real library."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from mlstudy.gui.main_window import MainWindow
from mlstudy.services import Library
from mlstudy.storage.schema import Review
from mlstudy.storage.study import LIVE
from tests.conftest import FakeClock


def open_window(qtbot: QtBot, library: Library) -> MainWindow:
    window = MainWindow(library)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.waitUntil(lambda: not window.watcher._running)
    return window


def key(qtbot: QtBot, window: MainWindow, k: Qt.Key | str) -> None:
    target = QApplication.focusWidget() or window
    qtbot.keyClick(target, k)


def grades_in_log(library: Library) -> list[tuple[int, int, str]]:
    with library.engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(  # type: ignore[misc]
                select(Review.card_id, Review.grade, Review.kind).where(LIVE).order_by(Review.id)
            )
        ]


def test_whole_session_by_keyboard(qtbot: QtBot, library: Library) -> None:
    window = open_window(qtbot, library)
    assert window.current_page_name() == "today"
    assert window.today_page.new.value.text() == "5"
    key(qtbot, window, Qt.Key.Key_Return)
    assert window.current_page_name() == "review"
    review = window.review_page
    first = review.card
    assert first is not None and not review.answer_shown
    key(qtbot, window, Qt.Key.Key_Space)
    assert review.answer_shown
    labels = [button.text() for button in review.grade_buttons]
    # A new card: below 4 it is drilled today, then due in a day; 4 and 5 give a day.
    assert labels == [
        "0 · Blackout\ntoday · 1 d",
        "1 · Wrong\ntoday · 1 d",
        "2 · Almost\ntoday · 1 d",
        "3 · Hard\ntoday · 1 d",
        "4 · Good\n1 d",
        "5 · Perfect\n1 d",
    ]
    key(qtbot, window, "2")  # below 4: comes back in this session
    for _ in range(4):
        key(qtbot, window, Qt.Key.Key_Space)
        key(qtbot, window, "5")
    assert review.card is not None and review.card.id == first.id
    assert review.card.kind == "drill"
    key(qtbot, window, Qt.Key.Key_Space)
    assert review.grade_buttons[3].text().endswith("again today")  # a drill answer
    assert review.grade_buttons[5].text().endswith("done for today")
    key(qtbot, window, "4")
    assert review.card is None
    assert review.stack.currentIndex() == 1
    assert "5 cards, 6 answers" in review.summary.text()
    log = grades_in_log(library)
    assert [g for _c, g, _k in log] == [2, 5, 5, 5, 5, 4]
    assert log[-1] == (first.id, 4, "drill")
    key(qtbot, window, Qt.Key.Key_Escape)
    assert window.current_page_name() == "today"
    assert window.today_page.studied.value.text() == "5"


def test_undo_restores_the_card_and_redo_puts_it_back(qtbot: QtBot, library: Library) -> None:
    window = open_window(qtbot, library)
    window.show_page("review")
    review = window.review_page
    first = review.card
    assert first is not None
    key(qtbot, window, Qt.Key.Key_Space)
    key(qtbot, window, "3")
    assert review.card is not None and review.card.id != first.id
    qtbot.keyClick(review, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert review.card is not None and review.card.id == first.id
    assert not review.answer_shown
    assert grades_in_log(library) == []
    assert library.card(first.id).repetitions == 0
    qtbot.keyClick(
        review,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert grades_in_log(library) == [(first.id, 3, "new")]


def test_the_session_summary_counts_what_undo_and_redo_left_in_the_log(
    qtbot: QtBot, library: Library
) -> None:
    window = open_window(qtbot, library)
    window.show_page("review")
    review = window.review_page
    key(qtbot, window, Qt.Key.Key_Space)
    key(qtbot, window, "5")  # a pass ...
    qtbot.keyClick(review, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "0 answered this session" in review.progress.text()
    key(qtbot, window, Qt.Key.Key_Space)
    key(qtbot, window, "1")  # ... replaced by a fail
    key(qtbot, window, Qt.Key.Key_Space)
    key(qtbot, window, "5")
    qtbot.keyClick(review, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(review, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)  # redo
    assert "2 answered this session" in review.progress.text()
    for _ in range(3):  # the three other new cards, then the failed one as a drill
        key(qtbot, window, Qt.Key.Key_Space)
        key(qtbot, window, "4")
    key(qtbot, window, Qt.Key.Key_Space)
    key(qtbot, window, "5")
    assert review.card is None
    assert [g for _c, g, _k in grades_in_log(library)] == [1, 5, 4, 4, 4, 5]
    assert "5 cards, 6 answers · pass rate 83 %" in review.summary.text()


def test_counts_survive_a_restart(
    qtbot: QtBot, tmp_path: Path, pack: Path, clock: FakeClock
) -> None:
    from datetime import UTC

    data = tmp_path / "restart"
    with Library.open(data, clock=clock, tz=UTC, content_root=pack) as library:
        window = open_window(qtbot, library)
        window.show_page("review")
        for _ in range(3):
            key(qtbot, window, Qt.Key.Key_Space)
            key(qtbot, window, "5")
        before = library.counts()
        window.close()
    with Library.open(data, clock=clock, tz=UTC, content_root=pack) as library:
        window = open_window(qtbot, library)
        assert library.counts() == before
        assert window.today_page.studied.value.text() == "3"
        assert window.today_page.new.value.text() == "2"
        window.close()


def test_keyboard_quit(qtbot: QtBot, library: Library) -> None:
    window = open_window(qtbot, library)
    window.show_page("browse")
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert not window.isVisible()


def test_study_the_weakest_domain_in_one_click(qtbot: QtBot, library: Library) -> None:
    library.set_focus_domain(3)
    for _ in range(3):  # the three Modeling cards, all answered well
        card = library.next_card()
        assert card is not None and card.domain == 3
        library.answer(card.id, 5)
    library.set_focus_domain(None)
    window = open_window(qtbot, library)
    today = window.today_page
    today.refresh()
    qtbot.waitUntil(lambda: not today.computing)
    assert "Readiness" in today.readiness.text()
    assert today.focus_button.isVisible()
    assert "1. Data Engineering" in today.focus_button.text()
    qtbot.mouseClick(today.focus_button, Qt.MouseButton.LeftButton)
    assert window.current_page_name() == "review"
    assert window.review_page.card is not None and window.review_page.card.domain == 1
    assert window.review_page.progress.text().startswith("Domain 1 only")
