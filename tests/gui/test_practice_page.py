"""Practice exams in the app: a whole exam by keyboard, and resuming after a kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from mlstudy.core.practice import LETTERS, ItemType
from mlstudy.gui import dialogs
from mlstudy.gui.main_window import MainWindow
from mlstudy.services import Library
from tests.conftest import FakeClock
from tests.practice import add_questions, card_state

WORKER = Path(__file__).resolve().parents[1] / "practice_worker.py"
REPO = WORKER.parents[1]


def right_keys(item: object) -> list[str]:
    question = item.question  # type: ignore[attr-defined]
    order = item.order  # type: ignore[attr-defined]
    shown = {index: LETTERS[i] for i, index in enumerate(order)}
    if question.type == ItemType.MATCHING:
        return [k for n in range(len(order)) for k in (str(n + 1), shown[n])]
    return [shown[i] for i in question.correct_answer]


def wrong_key(item: object) -> str:
    question = item.question  # type: ignore[attr-defined]
    order = item.order  # type: ignore[attr-defined]
    wrong = next(i for i, o in enumerate(question.options) if not o.correct)
    return LETTERS[order.index(wrong)]


@pytest.fixture
def studied(tmp_path: Path, pack: Path, clock: FakeClock) -> Library:
    """A library whose five cards were reviewed on two days (due six days out)."""
    add_questions(pack)
    library = Library.open(tmp_path / "data", clock=clock, tz=UTC, content_root=pack)
    for _day in range(2):
        while (card := library.next_card()) is not None:
            library.answer(card.id, 5)
        clock.advance(days=1)
    yield library
    library.close()


def press(qtbot: QtBot, widget: object, key: Qt.Key | str, ctrl: bool = False) -> None:
    modifier = Qt.KeyboardModifier.ControlModifier if ctrl else Qt.KeyboardModifier.NoModifier
    qtbot.keyClick(widget, key, modifier)  # type: ignore[arg-type]


def test_a_whole_exam_by_keyboard(qtbot: QtBot, studied: Library, clock: FakeClock) -> None:
    window = MainWindow(studied)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.watcher._running)
    window.show_page("practice")
    page = window.practice_page
    assert "6 questions for MLS-C01" in page.bank_label.text()
    press(qtbot, page, Qt.Key.Key_Return)  # a full exam: every question of this small bank
    assert page.attempt is not None and len(page.attempt.items) == 6
    assert page.countdown.isVisible() and page.countdown.text() == "Time left 17:00"
    for _ in page.attempt.items:
        item = page.current()
        key = item.question.key
        if key == "q-fx-parquet":
            press(qtbot, page, wrong_key(item))
            press(qtbot, page, "f")
        elif key != "q-fx-order":  # left unanswered
            for k in right_keys(item):
                press(qtbot, page, k)
        assert not page.feedback_view.isVisible()  # no feedback in exam mode
        press(qtbot, page, "n")
    press(qtbot, page, "p")
    press(qtbot, page, "r")
    assert page.review_summary.text().startswith("5 answered, 1 unanswered, 1 flagged")
    rows = [page.review_list.item(i).text() for i in range(page.review_list.count())]
    assert sum("unanswered" in r for r in rows) == 1 and sum("flagged" in r for r in rows) == 1
    press(qtbot, page, Qt.Key.Key_Escape)
    assert page.stack.currentIndex() == 1
    dialogs.headless_answers.extend([False])
    press(qtbot, page, Qt.Key.Key_Return, ctrl=True)  # asks first; "no" keeps the exam open
    assert "1 of 6 questions are unanswered" in dialogs.shown_messages[-1]
    assert page.results is None
    press(qtbot, page, Qt.Key.Key_Return, ctrl=True)
    results = page.results
    assert results is not None
    assert (results.score.questions, results.score.correct) == (6, 4)
    assert results.score.by_domain[1].correct == 1  # the parquet question was missed
    text = page.results_view.text()
    assert "4 of 6 correct: 67 %" in text
    assert "raw percentage" in text and "not a prediction of passing" in text
    assert "Amazon Data Firehose with record format conversion." in text  # every question shown
    assert set(results.rescheduled_cards) == {"t-firehose", "t-kds", "t-eta"}
    tomorrow = (studied.today()).toordinal() + 1
    for card_key in ("t-firehose", "t-kds", "t-eta"):
        card_id = studied.practice.linked_card_ids([card_key])[card_key]
        state = card_state(studied, card_id)
        assert state is not None and state.exam_due_day is not None
        assert state.exam_due_day != state.due_day
        assert date.fromisoformat(state.exam_due_day).toordinal() == tomorrow
        assert studied.practice.card_reason(card_id) == (
            f"missed in the practice exam of {studied.today().isoformat()}"
        )
    press(qtbot, page, Qt.Key.Key_Escape)
    assert page.stack.currentIndex() == 0
    assert page.history_list.count() == 1
    assert window.today_page.practice_score.text().startswith("Latest practice score: 67% (4 of 6")
    # Next study day: the missed questions' cards are due, each saying why.
    clock.advance(days=1)
    window.show_page("review")
    review = window.review_page
    shown = set()
    while review.card is not None and review.card.key not in shown:
        shown.add(review.card.key)
        assert "missed in the practice exam of" in review.meta.text()
        review.show_answer()
        review.grade(5)
    assert shown == {"t-firehose", "t-kds", "t-eta"}


def test_practice_mode_explains_every_option(qtbot: QtBot, studied: Library) -> None:
    window = MainWindow(studied)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.watcher._running)
    window.show_page("practice")
    page = window.practice_page
    page.mode_box.setCurrentIndex(1)
    press(qtbot, page, Qt.Key.Key_Return)
    assert page.attempt is not None and not page.countdown.isVisible()
    item = page.current()
    for k in right_keys(item):
        press(qtbot, page, k)
    press(qtbot, page, Qt.Key.Key_Return)
    assert page.feedback_view.isVisible()
    feedback = page.feedback_view.toPlainText()
    assert feedback.startswith("Right")
    for option in item.question.options:
        assert option.explanation.split(":")[-1].strip()[:10] in feedback
    assert "Sources: https://" in feedback
    # Every item type by keyboard: letters, Space in multiple response, ordering, matching.
    kinds = {item.question.type}
    for _ in range(len(page.attempt.items) - 1):
        press(qtbot, page, "n")
        item = page.current()
        kinds.add(item.question.type)
        keys = right_keys(item)
        if item.question.type == ItemType.MULTIPLE:
            press(qtbot, page, keys[0])
            press(qtbot, page, keys[1])
            press(qtbot, page, Qt.Key.Key_Space)  # toggles the current option off ...
            press(qtbot, page, Qt.Key.Key_Space)  # ... and on again
        elif item.question.type == ItemType.ORDERING:
            press(qtbot, page, keys[1])
            press(qtbot, page, Qt.Key.Key_Backspace)  # takes the wrong first step back
            for k in keys:
                press(qtbot, page, k)
        else:
            for k in keys:
                press(qtbot, page, k)
        press(qtbot, page, Qt.Key.Key_Return)
        assert page.feedback_view.toPlainText().startswith("Right"), item.question.key
    assert kinds == {ItemType.SINGLE, ItemType.MULTIPLE, ItemType.ORDERING, ItemType.MATCHING}


def test_resume_after_the_app_is_killed_mid_exam(qtbot: QtBot, tmp_path: Path, pack: Path) -> None:
    add_questions(pack)
    data = tmp_path / "data"
    env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"}
    worker = subprocess.Popen(
        [sys.executable, str(WORKER), str(data), str(pack)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )
    try:
        assert worker.stdout is not None
        line = worker.stdout.readline()
        assert line.strip() == "ANSWERED"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.communicate(timeout=30)  # reaps it and closes the pipes
    library = Library.open(data, tz=UTC, content_root=pack)
    try:
        window = MainWindow(library)
        qtbot.addWidget(window)
        window.show_page("practice")
        page = window.practice_page
        assert not page.resume_button.isHidden()
        assert "(2/6 answered" in page.resume_button.text()
        page.resume()
        assert page.position == 2
        assert page.elapsed_ms() >= 1200
        done = [page.status_of(i) for i in range(6)]
        assert done[:2] == [(True, False), (True, True)]
        assert not any(answered for answered, _flag in done[2:])
        results = page.submit(confirm_unanswered=False)
        assert results is not None and results.score.correct == 2
        assert results.attempt.elapsed_ms >= 1200
        window.close()
    finally:
        library.close()


def test_progress_charts_practice_scores_overall_and_per_domain(
    qtbot: QtBot, studied: Library
) -> None:
    from mlstudy.gui.charts.practice import PracticeScores
    from mlstudy.services.progress import compute_progress

    for correct_keys in ({"q-fx-parquet"}, {"q-fx-parquet", "q-fx-order", "q-fx-match"}):
        attempt = studied.practice.start("exam", count=6, seed=1)
        for item in attempt.items:
            if item.question.key in correct_keys:
                studied.practice.answer(attempt, item.position, item.question.correct_answer, 0)
        studied.practice.submit(attempt.id)
    data = compute_progress(studied)
    assert [round(p.percent) for p in data.practice_scores] == [17, 50]
    assert data.practice_scores[1].by_domain == {1: 50.0, 3: 50.0}
    chart = PracticeScores()
    qtbot.addWidget(chart)
    chart.set_progress(data)
    assert not chart.is_empty
    assert chart.series == {1: [50.0, 50.0], 3: [0.0, 50.0]}
    assert "Overall, latest 50%" in chart.legend.text()
    assert chart.show_hover(1.0, 50.0)
    assert "3. Modeling: 50%" in chart.hover_shown()


def test_time_running_out_submits_and_a_linked_card_opens_in_browse(
    qtbot: QtBot, studied: Library
) -> None:
    from PySide6.QtCore import QUrl

    window = MainWindow(studied)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.watcher._running)
    window.show_page("practice")
    page = window.practice_page
    page.size_box.setCurrentIndex(page.size_box.findData(10))
    press(qtbot, page, Qt.Key.Key_Return)
    attempt = page.attempt
    assert attempt is not None and attempt.time_limit_s == 17 * 60  # the 6 questions drawn
    for k in right_keys(page.current()):
        press(qtbot, page, k)
    asked = len(dialogs.shown_messages)
    page._base_ms = attempt.time_limit_s * 1000  # the clock has run out
    page.tick()
    assert len(dialogs.shown_messages) == asked  # no question asked: time is up
    results = page.results
    assert results is not None and results.attempt.elapsed_ms == attempt.time_limit_s * 1000
    assert results.score.correct == 1 and results.score.questions == 6
    card_id = studied.practice.linked_card_ids(["t-kds"])["t-kds"]
    page.results_view.open_link(QUrl(f"card:{card_id}"))  # a card link in the report
    assert window.current_page_name() == "browse"
    assert window.browse_page.query() == '"t-kds"'


def test_space_toggles_the_current_option_in_multiple_response(qtbot: QtBot) -> None:
    from mlstudy.core.practice import Option, Question
    from mlstudy.gui.practice_options import OptionsPanel
    from mlstudy.services.practice import ItemView

    options = tuple(Option(f"o{i}", "why", i in (1, 3)) for i in range(5))
    question = Question("q", "t", ItemType.MULTIPLE, 1, None, "Choose two.", options, (), ())
    panel = OptionsPanel()
    qtbot.addWidget(panel)
    panel.show_item(ItemView(0, question, (4, 3, 2, 1, 0), None, None, False), None, False)
    assert panel.press(Qt.Key.Key_B, "b")  # displayed B is option 3
    assert panel.answer() == (3,)
    assert panel.press(Qt.Key.Key_Space, " ")
    assert panel.answer() is None
    assert panel.press(Qt.Key.Key_Down, "")
    assert panel.press(Qt.Key.Key_Space, " ")  # displayed C is option 2
    assert panel.press(Qt.Key.Key_4, "4")  # displayed D is option 1
    assert panel.answer() == (1, 2)
