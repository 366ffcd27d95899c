"""The Today page: a dashboard of the day, the next two weeks, recent weeks and readiness."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from mlstudy.core.queue import LEARN_MORE_COUNT
from mlstudy.errors import UserError
from mlstudy.gui.bus import ChangeBus
from mlstudy.gui.dashboard import CalendarStrip, DomainBars, ForecastChart
from mlstudy.gui.exam_picker import ExamPicker
from mlstudy.gui.richtext import rich
from mlstudy.gui.shortcuts import bind
from mlstudy.gui.theme import domain_color, set_role
from mlstudy.gui.worker import run_in_background
from mlstudy.services import Changes, Library, TodayCounts
from mlstudy.services.sync import SyncResult

if TYPE_CHECKING:
    from mlstudy.core.planner import Plan, PlanDay
    from mlstudy.services.stats import Dashboard

WIDE_MIN = 800
"""The page width from which the dashboard has two columns."""
DASHBOARD_DAYS = 14
"""Days of the review forecast (``services.stats.DASHBOARD_DAYS``; not imported here, so
numpy stays off the start-up path)."""


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
        set_role(self.value, "number")
        self.caption = QLabel(caption)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption.setWordWrap(True)
        set_role(self.caption, "muted")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(0)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)


def _panel(title: str) -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setObjectName("panel")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(14, 10, 14, 12)
    layout.setSpacing(6)
    if title:
        heading = QLabel(title)
        set_role(heading, "heading")
        layout.addWidget(heading)
    return frame, layout


def weakest_rule(weight_percent: float, mastery: float) -> str:
    """Why the plan puts a domain first: the rule, with its two numbers."""
    return (
        f"The plan's first domain: the largest weighted gap, {weight_percent:.0f} % of the "
        f"exam × {100 - mastery * 100:.0f} % still to learn."
    )


class TodayPage(QWidget):
    """A dashboard on one screen: today's plan and the Study button, the next two weeks,
    recent weeks, readiness per domain, the countdown. Enter or S starts studying."""

    def __init__(self, library: Library, bus: ChangeBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.bus = bus
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._weakest: int | None = None
        self._plan_day: PlanDay | None = None
        self.computing = False
        self._shown_exam = ""
        self._build()
        for key in ("Return", "Enter", "S"):
            bind(self, key, self.start_study, "Start studying")
        self.refresh()

    # ----- layout ----------------------------------------------------------------------

    def _build(self) -> None:
        self.exam_name = QLabel()
        self.exam_name.setWordWrap(True)
        set_role(self.exam_name, "title")
        self.countdown = QLabel()
        set_role(self.countdown, "heading")
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.countdown.setWordWrap(True)  # "No exam date set: …" must not widen the page
        self.exam_status = QLabel()
        self.exam_status.setWordWrap(True)
        set_role(self.exam_status, "muted")
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.exam_picker = self.make_exam_picker()
        header = QGridLayout()
        header.addWidget(self.exam_picker, 0, 0, Qt.AlignmentFlag.AlignLeft)
        header.addWidget(self.exam_name, 1, 0)
        header.addWidget(self.countdown, 1, 1)
        header.addWidget(self.exam_status, 2, 0, 1, 2)
        header.addWidget(self.verdict, 3, 0, 1, 2)
        header.setColumnStretch(0, 3)
        header.setColumnStretch(1, 2)

        # Today's plan and the Study button.
        plan_panel, plan = _panel("Today")
        self.due = _Number("due reviews")
        self.new = _Number("new cards")
        self.studied = _Number("studied today")
        self.minutes = _Number("minutes planned")
        numbers = QHBoxLayout()
        for widget in (self.due, self.new, self.studied, self.minutes):
            numbers.addWidget(widget, 1)
        plan.addLayout(numbers)
        self.plan_lines = QLabel()
        self.plan_lines.setTextFormat(Qt.TextFormat.RichText)
        self.plan_lines.setWordWrap(True)
        plan.addWidget(self.plan_lines)
        self.study_button = QPushButton("Study  (Enter)")
        self.study_button.setProperty("primary", True)
        self.study_button.setMinimumHeight(40)
        self.study_button.clicked.connect(self.start_study)
        plan.addWidget(self.study_button)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        set_role(self.hint, "muted")
        plan.addWidget(self.hint)
        self.more = QWidget()
        more = QHBoxLayout(self.more)
        more.setContentsMargins(0, 0, 0, 0)
        self.learn_more_button = QPushButton(f"Learn {LEARN_MORE_COUNT} more")
        self.learn_more_button.setToolTip("Add new cards to today, beyond the plan or the limit")
        self.learn_more_button.clicked.connect(self.learn_more)
        self.learn_more_domain = QComboBox()
        self.learn_more_domain.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.learn_more_domain.setMinimumContentsLength(14)
        self.learn_more_domain.setToolTip("Which domain's new cards")
        self.review_ahead_button = QPushButton("Review ahead")
        self.review_ahead_button.setToolTip(
            "Review the cards due tomorrow now (SM-2 schedules them from today)"
        )
        self.review_ahead_button.clicked.connect(self.review_ahead)
        more.addWidget(self.learn_more_button)
        more.addWidget(self.learn_more_domain, 1)
        more.addWidget(self.review_ahead_button)
        plan.addWidget(self.more)

        # The next two weeks and recent weeks.
        ahead_panel, ahead = _panel(f"Reviews due in the next {DASHBOARD_DAYS} days")
        self.forecast = ForecastChart()
        ahead.addWidget(self.forecast)
        calendar_panel, calendar = _panel("Recent weeks")
        self.calendar = CalendarStrip()
        self.streak = QLabel()
        calendar_row = QHBoxLayout()
        calendar_row.addWidget(self.calendar)
        calendar_row.addWidget(self.streak, 1, Qt.AlignmentFlag.AlignTop)
        calendar.addLayout(calendar_row)

        # Readiness per domain.
        ready_panel, ready = _panel("")
        self.readiness = QLabel("Readiness: computing…")
        self.readiness.setWordWrap(True)
        self.readiness.setTextFormat(Qt.TextFormat.RichText)
        set_role(self.readiness, "heading")
        ready.addWidget(self.readiness)
        self.bars = DomainBars()
        ready.addWidget(self.bars)
        self.focus_button = QPushButton()
        self.focus_button.setVisible(False)
        self.focus_button.clicked.connect(self.study_weakest)
        self.focus_rule = QLabel()
        self.focus_rule.setWordWrap(True)
        self.focus_rule.setVisible(False)
        set_role(self.focus_rule, "muted")
        focus_row = QHBoxLayout()
        focus_row.addWidget(self.focus_button)
        focus_row.addWidget(self.focus_rule, 1)
        ready.addLayout(focus_row)
        self.practice_score = QLabel()
        self.practice_score.setWordWrap(True)
        set_role(self.practice_score, "muted")
        ready.addWidget(self.practice_score)
        self.sync_status = QLabel()
        self.sync_status.setTextFormat(Qt.TextFormat.PlainText)  # problems quote file names
        self.sync_status.setWordWrap(True)
        set_role(self.sync_status, "muted")
        ready.addWidget(self.sync_status)

        self._panels = (plan_panel, ready_panel, ahead_panel, calendar_panel)
        self._wide: bool | None = None
        grid = QGridLayout()
        grid.setSpacing(10)
        self._grid = grid
        self._arrange(wide=True)

        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(12, 8, 12, 8)
        column.addLayout(header)
        column.addSpacing(6)
        column.addLayout(grid, 1)
        scroll = QScrollArea()  # only at small sizes: 1100 x 760 shows it all
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def _arrange(self, wide: bool) -> None:
        """Two columns (plan and readiness; forecast and calendar), or one when narrow."""
        if wide == self._wide:
            return
        self._wide = wide
        grid = self._grid
        for panel in self._panels:
            grid.removeWidget(panel)
        plan_panel, ready_panel, ahead_panel, calendar_panel = self._panels
        spots: list[tuple[QFrame, int, int]] = (
            [(plan_panel, 0, 0), (ready_panel, 1, 0), (ahead_panel, 0, 1), (calendar_panel, 1, 1)]
            if wide
            else [
                (plan_panel, 0, 0),
                (ahead_panel, 1, 0),
                (ready_panel, 2, 0),
                (calendar_panel, 3, 0),
            ]
        )
        for panel, row, column in spots:
            grid.addWidget(panel, row, column, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2 if wide else 0)
        grid.setRowStretch(4, 1)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """One column below ``WIDE_MIN`` pixels, two above."""
        self._arrange(event.size().width() >= WIDE_MIN)
        super().resizeEvent(event)

    # ----- actions ---------------------------------------------------------------------

    def make_exam_picker(self) -> ExamPicker:
        """The exam pack switcher: a self-contained widget any layout can hold."""
        return ExamPicker(self.library, self.bus)

    def start_study(self) -> None:
        """Go to the Review page (all domains)."""
        if self.library.focus_domain() is not None:
            self.bus.publish(self.library.set_focus_domain(None))
        self.bus.navigate_requested.emit("review")

    def study_weakest(self) -> None:
        """Study the plan's first domain now; on a finished day, with new cards of it."""
        if self._weakest is None:
            return
        self.bus.publish(self.library.set_focus_domain(self._weakest))
        if not self.library.counts().left:
            self.bus.publish(self.library.learn_more(LEARN_MORE_COUNT, self._weakest))
        self.bus.navigate_requested.emit("review")

    def learn_more(self) -> None:
        """Add ten new cards (of the chosen domain, or of all) and start studying."""
        domain = self.learn_more_domain.currentData()
        if self.library.focus_domain() is not None:
            self.bus.publish(self.library.set_focus_domain(None))
        self.bus.publish(self.library.learn_more(LEARN_MORE_COUNT, domain))
        added = self.library.counts().new
        if not added:
            self.bus.status_message.emit("No new cards left there: every card has been seen")
            return
        where = self.learn_more_domain.currentText() if domain is not None else "all domains"
        self.bus.status_message.emit(f"{added} more new cards today, from {where}")
        self.bus.navigate_requested.emit("review")

    def review_ahead(self) -> None:
        """Take tomorrow's due cards now."""
        if self.library.focus_domain() is not None:
            self.bus.publish(self.library.set_focus_domain(None))
        self.bus.publish(self.library.review_ahead(1))
        ahead = self.library.counts().ahead
        if not ahead:
            self.bus.status_message.emit("Nothing is due tomorrow that you have not seen today")
            return
        self.bus.status_message.emit(f"Reviewing ahead: {ahead} cards due tomorrow")
        self.bus.navigate_requested.emit("review")

    # ----- background numbers ----------------------------------------------------------

    def _update_dashboard(self) -> None:
        self.computing = True
        run_in_background(
            self._dashboard, self._show_dashboard, self._dashboard_failed, self._settled
        )

    def _settled(self) -> None:
        self.computing = False

    def _dashboard_failed(self, exc: UserError) -> None:
        self.readiness.setText(rich("Readiness unavailable: {exc}", exc=exc))

    def _dashboard(self) -> Dashboard:
        # Runs on a worker thread; the import (numpy) stays off the start-up path too.
        from mlstudy.services.stats import today_dashboard

        return today_dashboard(self.library)

    def _show_dashboard(self, board: Dashboard) -> None:
        exam = self.library.exam()
        summary = board.summary
        self.readiness.setText(
            f"Readiness {summary.readiness * 100:.0f} %"
            "<span style='font-weight:400; font-size:small'> · mastery weighted by exam "
            "weight; not a pass chance</span>"
        )
        self.bars.set_mastery(exam, summary.mastery)
        self._weakest = summary.weakest if summary.reviewed_cards else None
        weakest = exam.domain(self._weakest) if self._weakest is not None else None
        self.focus_button.setVisible(weakest is not None)
        self.focus_rule.setVisible(weakest is not None)
        if weakest is not None:
            self.focus_button.setText(f"Study {weakest.number}. {weakest.name}")
            self.focus_button.setToolTip(
                "The plan's order everywhere: exam weight × (1 − mastery), so a heavy "
                "domain at 60 % comes before a light one at 50 %"
            )
            self.focus_rule.setText(
                weakest_rule(weakest.weight, summary.mastery.get(weakest.number, 0.0))
            )
        self.forecast.set_points(board.due_next)
        self.calendar.set_days(board.calendar, self.library.today())
        self._plan_day = board.plan_today
        plan = self.library.current_plan() or board.plan
        if plan is not None and self.library.settings()["exam_date"]:
            self.verdict.setText(plan_summary(plan))
            self.verdict.setVisible(True)
        self._show_plan_lines(self.library.counts())

    def _show_plan_lines(self, counts: TodayCounts) -> None:
        exam = self.library.exam()
        planned = counts.new_planned_by_domain
        if planned is None:
            limit = self.library.settings()["new_per_day"]
            self.plan_lines.setText(
                rich("No plan without an exam date: up to {n} new cards a day.", n=limit)
            )
            self.minutes.value.setText("–")
            return
        rows = []
        for domain in exam.domains:
            total = planned.get(domain.number, 0)
            done = counts.new_done_by_domain.get(domain.number, 0)
            if total or done:
                rows.append(
                    str(
                        rich(
                            "<tr><td><span style='color:{color}'>■</span> {number}. {name}</td>"
                            "<td align='right'>&nbsp;&nbsp;{done} of {total} new</td></tr>",
                            color=domain_color(domain.number),
                            number=domain.number,
                            name=domain.name,
                            done=done,
                            total=max(total, done),
                        )
                    )
                )
        day = self._plan_day
        if day is not None:
            rows.append(
                f"<tr><td>Reviews</td><td align='right'>about "
                f"{round(day.expected_reviews)}</td></tr>"
            )
            self.minutes.value.setText(f"{day.expected_minutes:.0f}")
        self.plan_lines.setText(
            "<table cellspacing='0' cellpadding='1'>" + "".join(rows) + "</table>"
            if rows
            else "No new cards planned today."
        )

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
            f"Synced {result.at.astimezone():%H:%M} with {result.devices - 1} other computer(s)"
            f": {result.received} answer(s) and changes received."
        )
        if result.problems:
            text += f" {len(result.problems)} problem(s): see Settings."
        self.sync_status.setText(text)

    # ----- the live numbers ------------------------------------------------------------

    def refresh(self, changes: Changes | None = None) -> None:
        """Redraw from the library."""
        exam = self.library.exam()
        self.exam_picker.refresh(changes)
        switched = exam.code != self._shown_exam
        if changes is None or changes.reviews or changes.content or changes.plan or switched:
            self._shown_exam = exam.code
            self._update_dashboard()
            self._show_practice_score()
        settings = self.library.settings()
        counts: TodayCounts = self.library.counts()
        # The name without its lifecycle: the status note below says it once.
        self.exam_name.setText(f"{exam.name} ({exam.code})")
        self.exam_status.setText(exam.status_note)
        self.exam_status.setVisible(bool(exam.status_note))
        exam_date = date.fromisoformat(settings["exam_date"]) if settings["exam_date"] else None
        self.countdown.setText(countdown_text(counts.day, exam_date))
        self.due.value.setText(str(counts.due + counts.ahead))
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
        self._show_plan_lines(counts)
        self.streak.setText(
            f"<b>{counts.streak}</b>-day streak" if counts.streak else "No streak yet: study today"
        )
        left = counts.left
        self.study_button.setText("Study  (Enter)" if left else "Review summary  (Enter)")
        self.hint.setText(hint_text(left, exam_date is not None))
        self.more.setVisible(not left)
        if not left:
            self._fill_domains()

    def _fill_domains(self) -> None:
        chosen = self.learn_more_domain.currentData()
        self.learn_more_domain.clear()
        self.learn_more_domain.addItem("All domains (by exam weight)", None)
        for domain in self.library.exam().domains:
            self.learn_more_domain.addItem(f"{domain.number}. {domain.name}", domain.number)
        self.learn_more_domain.setCurrentIndex(max(0, self.learn_more_domain.findData(chosen)))


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
            "Nothing left for today: the plan's new cards for today are done. Learn more "
            "or review ahead below, or give the plan more minutes on the Plan page."
        )
    return (
        "Nothing left for today. Learn more or review ahead below, or raise the new cards "
        "per day in Settings (or set an exam date to get a plan)."
    )
