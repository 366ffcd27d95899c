"""The window around the pages: a steady status area, titles, sidebar counts, undo text."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from mlstudy.gui.main_window import COUNT_ROLE
from mlstudy.services import Library
from tests.gui.test_review_flow import open_window


def test_a_status_message_never_shifts_the_page(qtbot: QtBot, library: Library) -> None:
    window = open_window(qtbot, library)
    window.show_page("review")
    qtbot.wait(10)
    before = window.review_page.geometry()
    window.bus.status_message.emit("Saved: card font size")
    qtbot.wait(10)
    assert window.statusBar().currentMessage() == "Saved: card font size"
    assert window.review_page.geometry() == before


def test_window_titles_name_the_page(qtbot: QtBot, library: Library) -> None:
    window = open_window(qtbot, library)
    for name, title in (("today", "Today"), ("plan", "Plan"), ("settings", "Settings")):
        window.show_page(name)
        assert window.windowTitle() == f"{title} — mlstudy"


def test_the_sidebar_counts_what_is_left_and_follows_answers(
    qtbot: QtBot, library: Library
) -> None:
    window = open_window(qtbot, library)
    review_item = window.nav.item(1)
    assert review_item.data(COUNT_ROLE) == 5
    assert not window.nav.item(0).icon().isNull()
    window.show_page("review")
    window.review_page.show_answer()
    window.review_page.grade(5)
    assert review_item.data(COUNT_ROLE) == 4


def test_undo_says_which_answer_it_undid(qtbot: QtBot, library: Library) -> None:
    window = open_window(qtbot, library)
    window.show_page("review")
    review = window.review_page
    card = review.card
    assert card is not None
    review.show_answer()
    review.grade(4)
    review.undo()
    message = window.statusBar().currentMessage()
    assert message.startswith("Undone: 4 · Good on “")
    assert " ".join(card.question.split())[:30] in message
