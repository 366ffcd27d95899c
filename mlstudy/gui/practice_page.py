"""The Practice page: the exam list, a question at a time, the review screen, results.

Exam mode is timed and gives no feedback until the end; practice mode is untimed and
shows the explanation of every option after each question. Every answer is saved as
it is given; an attempt left open (closed, crashed) is offered for resuming.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QElapsedTimer, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from mlstudy.core.practice import EXAM_SIZES, is_correct
from mlstudy.errors import UserError
from mlstudy.gui.bus import ChangeBus
from mlstudy.gui.dialogs import confirm, show_error
from mlstudy.gui.practice_options import OptionsPanel
from mlstudy.gui.practice_results import ResultsView
from mlstudy.gui.review_page import CardBrowser
from mlstudy.gui.theme import is_dark, set_role
from mlstudy.services import Changes, Library
from mlstudy.services.practice import EXAM, PRACTICE, AttemptView, ItemView, Results
from mlstudy.services.practice_render import (
    CARD_SCHEME,
    feedback_html,
    page,
    stem_html,
)

SAVE_EVERY_MS = 15_000
"""The time used is saved this often, with every answer, and a second after a move."""


def clock_text(ms: int) -> str:
    """``1:02:03`` or ``2:03``."""
    seconds = max(0, ms) // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _button(text: str) -> QPushButton:
    button = QPushButton(text)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return button


class PracticePage(QWidget):
    """Start, take, review and score practice exams and sets."""

    results_shown = Signal(object)
    """Emitted with the ``Results`` of a submitted attempt."""

    def __init__(self, library: Library, bus: ChangeBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.bus = bus
        self.attempt: AttemptView | None = None
        self.position = 0
        self.results: Results | None = None
        self._answers: dict[int, tuple[int, ...] | None] = {}
        self._flags: set[int] = set()
        self._checked: set[int] = set()
        self._base_ms = 0
        self._clock = QElapsedTimer()
        self._last_save = 0
        self._saved_position = 0
        self._card_ids: dict[str, int] = {}
        self._stale = False
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.stack = QStackedWidget()
        self.stack.addWidget(self._build_start())
        self.stack.addWidget(self._build_question())
        self.stack.addWidget(self._build_review())
        self.stack.addWidget(self._build_results())
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.tick)
        self.refresh()

    # ----- views ---------------------------------------------------------------------

    def _build_start(self) -> QWidget:
        view = QWidget()
        layout = QVBoxLayout(view)
        title = QLabel("<h2>Practice questions</h2>")
        layout.addWidget(title)
        self.bank_label = QLabel()
        self.bank_label.setWordWrap(True)
        layout.addWidget(self.bank_label)
        form = QFormLayout()
        self.mode_box = QComboBox()
        self.mode_box.addItem("Exam: timed, results at the end", EXAM)
        self.mode_box.addItem("Practice: untimed, feedback after each question", PRACTICE)
        self.size_box = QComboBox()
        self.count_spin = QSpinBox()
        self.count_spin.setRange(1, 500)
        self.count_spin.setValue(30)
        self.domain_box = QComboBox()
        self.task_box = QComboBox()
        self.unseen_box = QCheckBox("Only questions never seen")
        self.missed_box = QCheckBox("Only questions missed before")
        form.addRow("Mode", self.mode_box)
        form.addRow("Questions", self.size_box)
        form.addRow("Custom count", self.count_spin)
        form.addRow("Domain", self.domain_box)
        form.addRow("Task", self.task_box)
        form.addRow("", self.unseen_box)
        form.addRow("", self.missed_box)
        layout.addLayout(form)
        row = QHBoxLayout()
        self.start_button = _button("Start")
        self.start_button.clicked.connect(self.start)
        self.resume_button = _button("Resume")
        self.resume_button.clicked.connect(self.resume)
        row.addWidget(self.start_button)
        row.addWidget(self.resume_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(QLabel("Finished attempts (double-click for the report)"))
        self.history_list = QListWidget()
        self.history_list.itemActivated.connect(self._open_history)
        self.history_empty = QLabel(
            "No finished attempt yet: your scores, overall and per domain, appear here "
            "once you submit a practice set or an exam."
        )
        self.history_empty.setWordWrap(True)
        set_role(self.history_empty, "muted")
        layout.addWidget(self.history_empty)
        layout.addWidget(self.history_list, 1)
        self.domain_box.currentIndexChanged.connect(self._fill_tasks)
        return view

    def _build_question(self) -> QWidget:
        view = QWidget()
        layout = QVBoxLayout(view)
        top = QHBoxLayout()
        self.header = QLabel()
        self.flag_label = QLabel()
        self.countdown = QLabel()
        self.countdown.setObjectName("countdown")
        top.addWidget(self.header, 1)
        top.addWidget(self.flag_label)
        top.addWidget(self.countdown)
        layout.addLayout(top)
        self.stem_view = CardBrowser()
        self.stem_view.anchorClicked.connect(self._link)
        layout.addWidget(self.stem_view, 3)
        self.options = OptionsPanel()
        self.options.answer_changed.connect(self._answer_changed)
        layout.addWidget(self.options)
        self.feedback_view = CardBrowser()
        self.feedback_view.anchorClicked.connect(self._link)
        layout.addWidget(self.feedback_view, 3)
        buttons = QHBoxLayout()
        self.prev_button = _button("Previous (P)")
        self.prev_button.clicked.connect(lambda: self.go(self.position - 1))
        self.flag_button = _button("Flag (F)")
        self.flag_button.clicked.connect(self.toggle_flag)
        self.check_button = _button("Check (Enter)")
        self.check_button.clicked.connect(self.check)
        self.next_button = _button("Next (N)")
        self.next_button.clicked.connect(lambda: self.go(self.position + 1))
        self.review_button = _button("Review (R)")
        self.review_button.clicked.connect(self.show_review)
        self.submit_button = _button("Submit (Ctrl+Enter)")
        self.submit_button.clicked.connect(lambda: self.submit())
        for button in (
            self.prev_button,
            self.flag_button,
            self.check_button,
            self.next_button,
            self.review_button,
            self.submit_button,
        ):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        return view

    def _build_review(self) -> QWidget:
        view = QWidget()
        layout = QVBoxLayout(view)
        self.review_summary = QLabel()
        layout.addWidget(self.review_summary)
        self.review_list = QListWidget()
        self.review_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.review_list.itemActivated.connect(lambda it: self.go(self.review_list.row(it)))
        self.review_list.itemDoubleClicked.connect(lambda it: self.go(self.review_list.row(it)))
        layout.addWidget(self.review_list, 1)
        row = QHBoxLayout()
        back = _button("Back to the question (Esc)")
        back.clicked.connect(lambda: self.go(self.position))
        submit = _button("Submit (Ctrl+Enter)")
        submit.clicked.connect(lambda: self.submit())
        row.addWidget(back)
        row.addWidget(submit)
        layout.addLayout(row)
        return view

    def _build_results(self) -> QWidget:
        self.results_view = ResultsView()
        self.results_view.back_requested.connect(self.show_start)
        self.results_view.card_requested.connect(self.bus.card_requested.emit)
        return self.results_view

    # ----- the exam list -------------------------------------------------------------

    def refresh(self, changes: Changes | None = None) -> None:
        """Fill the exam list: bank size, filters, the open attempt, past attempts.

        A change while the page is hidden (an answer in Review) only marks it stale.
        """
        if changes is not None and (self.stack.currentIndex() != 0 or not self.isVisible()):
            self._stale = True
            return
        self._stale = False
        try:
            counts = self.library.practice.bank_counts()
            exam = self.library.exam()
            questions, minutes = self.library.practice.exam_size()
            history = self.library.practice.history()
            open_attempt = self.library.practice.unfinished()
        except UserError as exc:
            self.bank_label.setText(str(exc))
            return
        self.bank_label.setText(
            f"{counts['total']} questions for {exam.code}. A full exam has {questions} "
            f"questions in {minutes} minutes. Scores are raw percentages, not the exam's "
            "scaled score and not a pass prediction."
        )
        self.size_box.blockSignals(True)
        self.size_box.clear()
        self.size_box.addItem(f"Full exam ({questions})", questions)
        for size in EXAM_SIZES:
            self.size_box.addItem(str(size), size)
        self.size_box.addItem("Custom", 0)
        self.size_box.blockSignals(False)
        current = self.domain_box.currentData()
        self.domain_box.blockSignals(True)
        self.domain_box.clear()
        self.domain_box.addItem("All domains", None)
        for domain in exam.domains:
            self.domain_box.addItem(f"{domain.number}. {domain.name}", domain.number)
        index = self.domain_box.findData(current)
        self.domain_box.setCurrentIndex(max(index, 0))
        self.domain_box.blockSignals(False)
        self._fill_tasks()
        self.resume_button.setVisible(open_attempt is not None)
        if open_attempt is not None:
            done = sum(1 for i in open_attempt.items if i.answered)
            left = f", {clock_text(open_attempt.remaining_ms())} left" if open_attempt.timed else ""
            self.resume_button.setText(
                f"Resume the {open_attempt.mode} of {open_attempt.day} "
                f"({done}/{len(open_attempt.items)} answered{left})"
            )
        self.history_list.clear()
        for summary in reversed(history):
            item = QListWidgetItem(
                f"{summary.day}  {summary.mode:<8}  {summary.score.correct}/"
                f"{summary.score.questions}  {summary.score.percent:.0f} %"
            )
            item.setData(Qt.ItemDataRole.UserRole, summary.id)
            self.history_list.addItem(item)
        self.history_empty.setVisible(not history)

    def showEvent(self, event: QShowEvent) -> None:
        """Catch up with changes made while hidden."""
        super().showEvent(event)
        if self._stale and self.stack.currentIndex() == 0:
            self.refresh()

    def _fill_tasks(self) -> None:
        domain = self.domain_box.currentData()
        self.task_box.clear()
        self.task_box.addItem("All tasks", None)
        for d in self.library.exam().domains:
            if domain is None or d.number == domain:
                for task in d.tasks:
                    self.task_box.addItem(f"{task.id} {task.title}", task.id)

    def show_start(self) -> None:
        """Back to the exam list (an open attempt stays resumable)."""
        self._pause()
        self.stack.setCurrentIndex(0)
        self.refresh()
        self.setFocus()

    def start(self) -> None:
        """Start a new attempt with the chosen mode, size and filters."""
        size = self.size_box.currentData()
        count = int(size) if size else self.count_spin.value()
        try:
            attempt = self.library.practice.start(
                self.mode_box.currentData(),
                count=count,
                domain=self.domain_box.currentData(),
                task=self.task_box.currentData(),
                unseen=self.unseen_box.isChecked(),
                missed=self.missed_box.isChecked(),
            )
        except UserError as exc:
            show_error(self, str(exc))
            return
        self.open_attempt(attempt)

    def resume(self) -> None:
        """Resume the interrupted attempt with its answers and time used."""
        attempt = self.library.practice.unfinished()
        if attempt is not None:
            self.open_attempt(attempt)

    def open_attempt(self, attempt: AttemptView) -> None:
        """Take an attempt from where it stopped."""
        self.attempt = attempt
        self._answers = {i.position: i.answer for i in attempt.items}
        self._flags = {i.position for i in attempt.items if i.flagged}
        self._checked = (
            {i.position for i in attempt.items if i.answer is not None}
            if attempt.mode == PRACTICE
            else set()
        )
        keys = sorted({c for i in attempt.items for c in i.question.cards})
        self._card_ids = self.library.practice.linked_card_ids(keys)
        self._base_ms = attempt.elapsed_ms
        self._clock.start()
        self._last_save = self._base_ms
        exam_mode = attempt.mode == EXAM
        self.check_button.setVisible(not exam_mode)
        self.countdown.setVisible(attempt.timed)
        self.timer.start()
        self.go(min(attempt.position, len(attempt.items) - 1))

    def _dark(self) -> bool:
        return is_dark(str(self.library.settings()["theme"]))

    # ----- time ----------------------------------------------------------------------

    def elapsed_ms(self) -> int:
        """Time used on the attempt so far, across resumes."""
        return self._base_ms + (int(self._clock.elapsed()) if self._clock.isValid() else 0)

    def tick(self) -> None:
        """Update the countdown (submitting at zero); save the time used and position."""
        if self.attempt is None or self._show_countdown():
            return
        used = self.elapsed_ms()
        if used - self._last_save >= SAVE_EVERY_MS or self.position != self._saved_position:
            self._save_progress()

    def _show_countdown(self) -> bool:
        """Show the time left; True when time ran out and the attempt was submitted."""
        attempt = self.attempt
        if attempt is None or not attempt.timed:
            return False
        left = attempt.remaining_ms(self.elapsed_ms())
        self.countdown.setText(f"Time left {clock_text(left + 999)}")  # whole seconds up
        if left <= 0:
            self.submit(confirm_unanswered=False)
            return True
        return False

    def _save_progress(self) -> None:
        if self.attempt is None:
            return
        used = self.elapsed_ms()
        self.library.practice.save_progress(self.attempt.id, self.position, used)
        self._last_save = used
        self._saved_position = self.position

    def suspend(self) -> None:
        """Save the time used of an open attempt (the window is closing)."""
        self._pause()

    def _pause(self) -> None:
        if self.attempt is not None and self.attempt.finished_at is None:
            self._save_progress()
        self.timer.stop()
        self._base_ms = self.elapsed_ms()
        self._clock.invalidate()
        self.attempt = None

    # ----- one question --------------------------------------------------------------

    def current(self) -> ItemView:
        """The item on screen, with its answer and flag as they are now."""
        assert self.attempt is not None
        item = self.attempt.items[self.position]
        answer = self._answers.get(self.position)
        correct = None
        if answer is not None:
            correct = is_correct(item.question, answer)
        return replace(item, answer=answer, correct=correct, flagged=self.position in self._flags)

    def go(self, position: int) -> None:
        """Show the question at ``position`` (clamped to the attempt)."""
        attempt = self.attempt
        if attempt is None:
            return
        self.position = max(0, min(position, len(attempt.items) - 1))
        item = self.current()
        total = len(attempt.items)
        dark = self._dark()
        self.header.setText(
            f"Question {self.position + 1} of {total} · domain {item.question.domain}"
            + (f" · task {item.question.task}" if item.question.task else "")
        )
        self.stem_view.setHtml(page(stem_html(item), dark=dark))
        checked = self.position in self._checked
        self.options.show_item(item, item.answer, locked=checked)
        self._show_feedback()
        self._show_flag()
        self.prev_button.setEnabled(self.position > 0)
        self.next_button.setEnabled(self.position < total - 1)
        self.stack.setCurrentIndex(1)
        self.setFocus()
        self._show_countdown()  # the position is saved by the next tick, within a second

    def _show_feedback(self) -> None:
        checked = self.position in self._checked
        self.feedback_view.setVisible(checked)
        if checked:
            html = feedback_html(self.current(), self._card_ids)
            self.feedback_view.setHtml(page(html, dark=self._dark()))

    def _show_flag(self) -> None:
        self.flag_label.setText("⚑ flagged" if self.position in self._flags else "")

    def _answer_changed(self) -> None:
        attempt = self.attempt
        if attempt is None:
            return
        answer = self.options.answer()
        self._answers[self.position] = answer
        self.library.practice.answer(attempt, self.position, answer, self.elapsed_ms())
        self._last_save = self.elapsed_ms()

    def check(self) -> None:
        """Practice mode: lock the answer and show the explanations."""
        if self.attempt is None or self.attempt.mode != PRACTICE:
            return
        if self._answers.get(self.position) is None:
            self.bus.status_message.emit("Choose an answer first.")
            return
        self._checked.add(self.position)
        self.options.show_item(self.current(), self._answers[self.position], locked=True)
        self._show_feedback()

    def toggle_flag(self) -> None:
        """Flag or unflag the question on screen."""
        if self.attempt is None:
            return
        flagged = self.position not in self._flags
        if flagged:
            self._flags.add(self.position)
        else:
            self._flags.discard(self.position)
        self.library.practice.flag(self.attempt.id, self.position, flagged)
        self._show_flag()

    # ----- review and submit ---------------------------------------------------------

    def status_of(self, position: int) -> tuple[bool, bool]:
        """(answered, flagged) of an item."""
        assert self.attempt is not None
        item = replace(self.attempt.items[position], answer=self._answers.get(position))
        return item.answered, position in self._flags

    def show_review(self) -> None:
        """The review screen: every question answered, unanswered or flagged."""
        attempt = self.attempt
        if attempt is None:
            return
        self.review_list.clear()
        answered = flagged = 0
        for item in attempt.items:
            done, flag = self.status_of(item.position)
            answered += done
            flagged += flag
            text = (
                f"{item.position + 1:>3}. {item.question.title}  —  "
                f"{'answered' if done else 'unanswered'}{'  ⚑ flagged' if flag else ''}"
            )
            self.review_list.addItem(text)
        self.review_list.setCurrentRow(self.position)
        total = len(attempt.items)
        self.review_summary.setText(
            f"{answered} answered, {total - answered} unanswered, {flagged} flagged. "
            "Enter or double-click opens a question."
        )
        self.stack.setCurrentIndex(2)
        self.setFocus()

    def submit(self, confirm_unanswered: bool = True) -> Results | None:
        """Submit the attempt (asking first when questions are unanswered)."""
        attempt = self.attempt
        if attempt is None:
            return None
        unanswered = sum(not self.status_of(i.position)[0] for i in attempt.items)
        ask = confirm_unanswered and unanswered and attempt.mode == EXAM
        if ask and not confirm(
            self,
            f"{unanswered} of {len(attempt.items)} questions are unanswered and will "
            "count as wrong. Submit anyway?",
        ):
            return None
        used = self.elapsed_ms()
        self.timer.stop()
        try:
            results = self.library.practice.submit(attempt.id, used)
        except UserError as exc:
            show_error(self, str(exc))
            return None
        self.attempt = None
        self._clock.invalidate()
        self.show_results(results)
        self.bus.publish(results.changes)
        self.results_shown.emit(results)
        return results

    def show_results(self, results: Results) -> None:
        """The report of a finished attempt."""
        self.results = results
        keys = sorted({c for i in results.attempt.items for c in i.question.cards})
        self._card_ids = self.library.practice.linked_card_ids(keys)
        self.results_view.show_results(results, self._card_ids, self._dark())
        self.stack.setCurrentIndex(3)
        self.setFocus()

    def _open_history(self, item: QListWidgetItem) -> None:
        attempt_id = int(item.data(Qt.ItemDataRole.UserRole))
        self.show_results(self.library.practice.results(attempt_id))

    def _link(self, url: QUrl) -> None:
        """A linked card (``card:<id>``) opens in Browse; web links open by themselves."""
        if url.scheme() != CARD_SCHEME:
            return
        key = next((k for k, v in self._card_ids.items() if str(v) == url.path()), None)
        if key is not None:
            self.bus.card_requested.emit(key)

    # ----- keys ----------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Keys: options by letter or number, Space, N/P, F, R, Enter, Ctrl+Enter, Esc."""
        key = event.key()
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        view = self.stack.currentIndex()
        enter = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if view in (1, 2) and ctrl and enter:
            self.submit()
        elif view == 0 and enter:
            self.start()
        elif view == 3 and key == Qt.Key.Key_Escape:
            self.show_start()
        elif view == 2:
            self._review_key(key, enter)
        elif view == 1:
            self._question_key(event, enter)
        else:
            super().keyPressEvent(event)

    def _review_key(self, key: int, enter: bool) -> None:
        if key == Qt.Key.Key_Escape:
            self.go(self.position)
        elif enter:
            self.go(max(0, self.review_list.currentRow()))
        elif key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            step = 1 if key == Qt.Key.Key_Down else -1
            row = self.review_list.currentRow() + step
            self.review_list.setCurrentRow(max(0, min(row, self.review_list.count() - 1)))

    def _question_key(self, event: QKeyEvent, enter: bool) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.show_start()
        elif key in (Qt.Key.Key_N, Qt.Key.Key_Right):
            self.go(self.position + 1)
        elif key in (Qt.Key.Key_P, Qt.Key.Key_Left):
            self.go(self.position - 1)
        elif key == Qt.Key.Key_F:
            self.toggle_flag()
        elif key == Qt.Key.Key_R:
            self.show_review()
        elif enter:
            self.check() if self.attempt and self.attempt.mode == PRACTICE else self.go(
                self.position + 1
            )
        elif not self.options.press(key, event.text()):
            super().keyPressEvent(event)
