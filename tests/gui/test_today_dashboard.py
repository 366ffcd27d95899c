"""Today as a dashboard: learn more on a finished day, review ahead, the weakest domain."""

from __future__ import annotations

from PySide6.QtWidgets import QScrollArea
from pytestqt.qtbot import QtBot

from mlstudy.gui.bus import ChangeBus
from mlstudy.gui.main_window import MainWindow
from mlstudy.gui.today_page import TodayPage
from mlstudy.gui.worker import wait_for_background
from mlstudy.services import Library
from tests.conftest import FakeClock
from tests.gui.test_review_flow import open_window


def finish_day(library: Library) -> None:
    while (card := library.next_card()) is not None:
        library.answer(card.id, 5)


def settle(qtbot: QtBot, window: MainWindow) -> None:
    wait_for_background()
    qtbot.waitUntil(lambda: not window.today_page.computing)


def test_learn_ten_more_on_a_finished_day(qtbot: QtBot, library: Library) -> None:
    library.update_settings(new_per_day=1)
    finish_day(library)
    window = open_window(qtbot, library)
    today = window.today_page
    settle(qtbot, window)
    assert today.more.isVisible()
    assert "Learn 10 more" in today.learn_more_button.text()
    today.learn_more_button.click()
    assert window.current_page_name() == "review"
    review = window.review_page
    assert review.card is not None and review.card.kind == "new"
    seen = 0
    while review.card is not None:
        review.show_answer()
        review.grade(5)
        seen += 1
    assert seen == 4  # the pack's five cards less the one of the day: fewer than ten left
    assert library.counts().new_done == 5


def test_learn_more_of_one_domain(qtbot: QtBot, library: Library) -> None:
    library.update_settings(new_per_day=1)
    finish_day(library)
    window = open_window(qtbot, library)
    today = window.today_page
    settle(qtbot, window)
    today.learn_more_domain.setCurrentIndex(today.learn_more_domain.findData(1))
    today.learn_more_button.click()
    review = window.review_page
    domains = set()
    while review.card is not None:
        domains.add(review.card.domain)
        review.show_answer()
        review.grade(5)
    assert domains == {1}


def test_the_more_row_is_hidden_while_cards_are_left(qtbot: QtBot, library: Library) -> None:
    window = open_window(qtbot, library)
    settle(qtbot, window)
    assert library.counts().left
    assert not window.today_page.more.isVisible()


def test_review_ahead_takes_tomorrows_cards(
    qtbot: QtBot, library: Library, clock: FakeClock
) -> None:
    library.update_settings(new_per_day=2)
    finish_day(library)  # two new cards, due tomorrow
    clock.advance(days=1)
    library.update_settings(new_per_day=0)
    first = library.next_card()
    assert first is not None
    library.answer(first.id, 1)  # a lapse, due tomorrow again
    library.answer(first.id, 5)  # its drill
    second = library.next_card()
    assert second is not None
    library.answer(second.id, 5)  # due in 6 days
    window = open_window(qtbot, library)
    settle(qtbot, window)
    window.today_page.review_ahead_button.click()
    # Both were answered today: nothing new to review ahead, and Today says so.
    assert window.current_page_name() == "today"
    assert window.statusBar().currentMessage().startswith("Nothing is due tomorrow")


def test_the_domain_button_names_its_rule_and_studies_on_a_finished_day(
    qtbot: QtBot, library: Library
) -> None:
    library.update_settings(new_per_day=1)
    finish_day(library)
    window = open_window(qtbot, library)
    today = window.today_page
    settle(qtbot, window)
    assert today.focus_button.isVisible()
    assert "largest weighted gap" in today.focus_rule.text()
    assert "% of the exam" in today.focus_rule.text()
    today.focus_button.click()
    review = window.review_page
    assert review.card is not None  # not "All done for today"
    assert review.card.domain == library.focus_domain()


def test_the_dashboard_fits_1100_by_760_without_an_exam_date(
    qtbot: QtBot, library: Library
) -> None:
    # The long "No exam date set: …" countdown once widened the page past the window.
    library.update_settings(exam_date=None)
    page = TodayPage(library, ChangeBus())
    qtbot.addWidget(page)
    page.resize(1100 - 180, 760)  # the window less the sidebar
    page.show()
    page.refresh()
    qtbot.waitUntil(lambda: page.countdown.text().startswith("No exam date"), timeout=5000)
    scroll = page.findChild(QScrollArea)
    assert scroll is not None
    content = scroll.widget()
    assert content.minimumSizeHint().width() <= page.width()
    assert content.width() <= page.width()
