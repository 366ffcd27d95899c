"""The Today page: what is due, the streak, the exam countdown and a Study button."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from mlstudy.errors import UserError
from mlstudy.gui.bus import ChangeBus
from mlstudy.gui.exam_picker import ExamPicker
from mlstudy.gui.richtext import rich
from mlstudy.gui.theme import domain_color
from mlstudy.gui.worker import run_in_background
from mlstudy.services import Changes, Library, TodayCounts
from mlstudy.services.sync import SyncResult

if TYPE_CHECKING:
    from mlstudy.core.planner import Plan
    from mlstudy.services.stats import MasterySummary


def countdown_text(today: date, exam_date: date | None) -> str:
    """ "Exam in 45 days (2027-01-13)", "Exam today", or a hint to set a date."""
    if exam_date is None:
        return "No exam date set: add one in Settings to get a countdown and a plan."
    days = (exam_date - today).days
    if days > 1:
        return f"Exam in {days} days ({exam_date.isoformat()})"
    if days == 1:
        return f"Exam tomorrow ({exam_date.isoformat()})"
    if days == 0:
        return "Exam today. Good luck!"
    return f"The exam date {exam_date.isoformat()} has passed: set a new one in Settings."


class _Number(QWidget):
    def __init__(self, caption: str) -> None:
        super().__init__()
        self.value = QLabel("–")
        self.value.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 2.4)
        font.setBold(True)
        self.value.setFont(font)
        self.caption = QLabel(caption)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)


class TodayPage(QWidget):
    """Enter or S starts studying."""

    def __init__(self, library: Library, bus: ChangeBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.bus = bus
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.exam_name = QLabel()
        self.exam_name.setWordWrap(True)
        font = self.exam_name.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.exam_name.setFont(font)
        self.exam_status = QLabel()
        self.exam_status.setWordWrap(True)
        self.countdown = QLabel()
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.due = _Number("due reviews")
        self.new = _Number("new cards")
        self.studied = _Number("studied today")
        self.streak = _Number("day streak")
        grid = QGridLayout()
        for column, widget in enumerate((self.due, self.new, self.studied, self.streak)):
            grid.addWidget(widget, 0, column)
        self.study_button = QPushButton("Study  (Enter)")
        self.study_button.setMinimumHeight(44)
        self.study_button.clicked.connect(self.start_study)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.readiness = QLabel("Readiness: computing…")
        self.readiness.setWordWrap(True)
        self.readiness.setTextFormat(Qt.TextFormat.RichText)
        self.practice_score = QLabel()
        self.practice_score.setWordWrap(True)
        self.focus_button = QPushButton()
        self.focus_button.setVisible(False)
        self.focus_button.clicked.connect(self.study_weakest)
        self._weakest: int | None = None
        self.computing = False
        self.exam_picker = self.make_exam_picker()
        self._shown_exam = ""
        layout = QVBoxLayout(self)
        layout.addWidget(self.exam_picker, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.exam_name)
        layout.addWidget(self.exam_status)
        layout.addWidget(self.countdown)
        layout.addWidget(self.verdict)
        layout.addSpacing(16)
        layout.addLayout(grid)
        layout.addSpacing(16)
        layout.addWidget(self.study_button)
        layout.addWidget(self.hint)
        layout.addSpacing(16)
        layout.addWidget(self.readiness)
        layout.addWidget(self.focus_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.practice_score)
        self.sync_status = QLabel()
        self.sync_status.setTextFormat(Qt.TextFormat.PlainText)  # problems quote file names
        self.sync_status.setWordWrap(True)
        layout.addWidget(self.sync_status)
        layout.addStretch(1)
        for key in ("Return", "Enter", "S"):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.start_study)
        self.refresh()

    def make_exam_picker(self) -> ExamPicker:
        """The exam pack switcher: a self-contained widget any layout can hold."""
        return ExamPicker(self.library, self.bus)

    def start_study(self) -> None:
        """Go to the Review page (all domains)."""
        if self.library.focus_domain() is not None:
            self.bus.publish(self.library.set_focus_domain(None))
        self.bus.navigate_requested.emit("review")

    def study_weakest(self) -> None:
        """Study only the weakest domain's cards now."""
        if self._weakest is None:
            return
        self.bus.publish(self.library.set_focus_domain(self._weakest))
        self.bus.navigate_requested.emit("review")

    def _update_readiness(self) -> None:
        self.computing = True
        run_in_background(
            self._summary, self._show_readiness, self._readiness_failed, self._readiness_settled
        )

    def _readiness_settled(self) -> None:
        self.computing = False

    def _readiness_failed(self, exc: UserError) -> None:
        self.readiness.setText(rich("Readiness unavailable: {exc}", exc=exc))

    def _summary(self) -> MasterySummary:
        # Runs on a worker thread; the import (numpy) stays off the start-up path too.
        from mlstudy.services.stats import mastery_summary

        return mastery_summary(self.library)

    def _show_readiness(self, summary: MasterySummary) -> None:
        exam = self.library.exam()
        parts = []
        for domain in exam.domains:
            color = domain_color(domain.number)
            parts.append(
                f"<span style='color:{color}'>■</span> {domain.number}. "
                f"{domain.name} {summary.mastery.get(domain.number, 0) * 100:.0f}%"
            )
        self.readiness.setText(
            f"<b>Readiness {summary.readiness * 100:.0f}%</b> (mastery weighted by exam "
            f"weight; not a pass chance)<br/>" + " &nbsp; ".join(parts)
        )
        self._weakest = summary.weakest if summary.reviewed_cards else None
        weakest = exam.domain(self._weakest) if self._weakest is not None else None
        self.focus_button.setVisible(weakest is not None)
        if weakest is not None:
            self.focus_button.setText(f"Study the weakest domain: {weakest.number}. {weakest.name}")

    def _show_practice_score(self) -> None:
        history = self.library.practice.history()
        if not history:
            self.practice_score.setText("No practice exam yet: try one on the Practice page.")
            return
        latest = history[-1]
        trend = ""
        if len(history) > 1:
            change = latest.score.percent - history[-2].score.percent
            trend = f", {change:+.0f} points on the one before"
        self.practice_score.setText(
            f"Latest practice score: {latest.score.percent:.0f}% ({latest.score.correct} of "
            f"{latest.score.questions}, {latest.mode} of {latest.day}{trend}). A raw "
            "percentage, not the exam's scaled score."
        )

    def show_sync_result(self, result: SyncResult | None) -> None:
        """One line on the last sync with the other computers (empty when not syncing)."""
        if result is None:
            self.sync_status.clear()
            return
        text = (
            f"Synced {result.at:%H:%M} UTC with {result.devices - 1} other computer(s)"
            f": {result.received} answer(s) and changes received."
        )
        if result.problems:
            text += f" {len(result.problems)} problem(s): see Settings."
        self.sync_status.setText(text)

    def refresh(self, changes: Changes | None = None) -> None:
        """Redraw from the library."""
        exam = self.library.exam()
        self.exam_picker.refresh(changes)
        if changes is None or changes.reviews or changes.content or exam.code != self._shown_exam:
            self._shown_exam = exam.code
            self._update_readiness()
            self._show_practice_score()
        settings = self.library.settings()
        counts: TodayCounts = self.library.counts()
        self.exam_name.setText(exam.display_name)
        self.exam_status.setText(exam.status_note)
        self.exam_status.setVisible(bool(exam.status_note))
        exam_date = date.fromisoformat(settings["exam_date"]) if settings["exam_date"] else None
        self.countdown.setText(countdown_text(counts.day, exam_date))
        self.due.value.setText(str(counts.due))
        if counts.new_planned is not None:
            self.new.value.setText(f"{counts.new_done} / {counts.new_planned}")
            self.new.caption.setText("new cards (done / planned)")
        else:
            self.new.value.setText(str(counts.new))
            self.new.caption.setText("new cards")
        plan = self.library.current_plan() if exam_date is not None else None
        self.verdict.setText(plan_summary(plan) if plan is not None else "")
        self.verdict.setVisible(plan is not None)
        self.studied.value.setText(str(counts.studied))
        self.streak.value.setText(str(counts.streak))
        left = counts.left
        self.study_button.setEnabled(True)
        self.study_button.setText("Study  (Enter)" if left else "Review summary  (Enter)")
        self.hint.setText(hint_text(left, exam_date is not None))


def plan_summary(plan: Plan) -> str:
    """The plan's verdict, and why when it does not fit, for Today and the first start."""
    return f"Plan: {plan.verdict}." + (f" {plan.reason}" if plan.reason else "")


def hint_text(left: int, has_exam_date: bool) -> str:
    """What to do next: with an exam date the plan sets the new cards, without one the
    new-cards-per-day setting does."""
    if left:
        return f"{left} cards left today."
    if has_exam_date:
        return (
            "Nothing left for today: the plan's new cards for today are done. Come back "
            "tomorrow, or give the plan more minutes per day on the Plan page."
        )
    return (
        "Nothing left for today. Come back tomorrow, or raise the new cards per day in "
        "Settings (or set an exam date to get a plan)."
    )
