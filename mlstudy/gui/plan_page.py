"""The Plan page: exam date, daily minutes, days off, the day-by-day plan and its verdict."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import shiboken6
from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mlstudy.core.planner import Plan
from mlstudy.errors import UserError
from mlstudy.gui.bus import ChangeBus
from mlstudy.gui.theme import domain_text_color, set_role
from mlstudy.gui.worker import run_in_background
from mlstudy.services import Changes, Library
from mlstudy.services.planning import write_ics
from mlstudy.services.settings import SETTING_RANGES

PREVIEW_DELAY_MS = 300
"""Edits wait this long for the next keystroke before the plan is recalculated."""
OVER_BUDGET_COLOR = "#f8d7da"
"""Background of the days whose due work does not fit the budget."""
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


class PlanPage(QWidget):
    """Edits recalculate the plan live (debounced, off the UI thread) without saving it;
    Save validates and saves them, and the saved plan then drives today's queue."""

    def __init__(self, library: Library, bus: ChangeBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.bus = bus
        self.plan: Plan | None = None
        self._loading = False
        self.computing = False
        self._generation = 0
        self.previewing = False
        """The plan shown is for edits not saved yet."""
        self.preview_timer = QTimer(self)
        self.preview_timer.setSingleShot(True)
        self.preview_timer.setInterval(PREVIEW_DELAY_MS)
        self.preview_timer.timeout.connect(self.preview)
        self.exam_date = QDateEdit()
        self.exam_date.setCalendarPopup(True)
        self.exam_date.setDisplayFormat("yyyy-MM-dd")
        self.minutes = QSpinBox()
        self.minutes.setRange(*SETTING_RANGES["minutes_per_day"])
        self.minutes.setSuffix(" min per day")
        self.weekday_boxes = [QCheckBox(name) for name in WEEKDAYS]
        weekdays = QHBoxLayout()
        for box in self.weekday_boxes:
            weekdays.addWidget(box)
        weekdays.addStretch(1)
        self.exam_date.setMaximumWidth(160)
        self.minutes.setMaximumWidth(200)
        self.dates_off = QListWidget()
        self.dates_off.setMaximumHeight(70)
        self.dates_off.setMaximumWidth(260)
        self.date_off_edit = QDateEdit()
        self.date_off_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_off_edit.setCalendarPopup(True)
        add_off = QPushButton("Add day off")
        add_off.clicked.connect(self._add_date_off)
        remove_off = QPushButton("Remove")
        remove_off.clicked.connect(self._remove_date_off)
        off_row = QHBoxLayout()
        off_row.addWidget(self.date_off_edit)
        off_row.addWidget(add_off)
        off_row.addWidget(remove_off)
        off_row.addStretch(1)
        self.apply_button = QPushButton("Save and update plan")
        self.apply_button.clicked.connect(self.apply)
        self.export_button = QPushButton("Export to calendar (.ics)…")
        self.export_button.clicked.connect(self._export)
        self.export_button.setEnabled(False)
        self.use_button = QPushButton()
        self.use_button.setVisible(False)
        self.use_button.clicked.connect(self.use_required_minutes)
        self.verdict = QLabel("Set an exam date to get a plan.")
        self.verdict.setWordWrap(True)
        font = self.verdict.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.verdict.setFont(font)
        set_role(self.verdict, "heading")  # the stylesheet's size, which follows the zoom
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)  # messages quote deck text
        self.error.setStyleSheet("color: #d1242f")
        self.error.setWordWrap(True)
        self.table = QTableWidget(0, 0)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)

        form = QFormLayout()
        form.addRow("Exam date", self.exam_date)
        form.addRow("Daily time", self.minutes)
        form.addRow("Weekdays off", weekdays)
        form.addRow("Dates off", self.dates_off)
        form.addRow("", off_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.use_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        layout.addWidget(self.verdict)
        layout.addWidget(self.reason)
        layout.addWidget(self.table, 1)
        self.exam_date.dateChanged.connect(self._edited)
        self.minutes.valueChanged.connect(self._edited)
        for box in self.weekday_boxes:
            box.toggled.connect(self._edited)
        self.refresh()

    # ----- settings ------------------------------------------------------------------

    def refresh(self, changes: Changes | None = None) -> None:
        """Show the saved settings and the current plan (recomputed when settings changed)."""
        self._loading = True
        try:
            s = self.library.settings()
            today = self.library.today()
            exam = date.fromisoformat(s["exam_date"]) if s["exam_date"] else None
            self.exam_date.setDate(_qdate(exam or today + timedelta(days=60)))
            self.minutes.setValue(int(s["minutes_per_day"]))
            for number, box in enumerate(self.weekday_boxes):
                box.setChecked(number in s["weekdays_off"])
            self.dates_off.clear()
            self.dates_off.addItems(list(s["dates_off"]))
            self.date_off_edit.setDate(_qdate(today))
        finally:
            self._loading = False
        plan = self.library.current_plan()
        if plan is not None:
            self.show_plan(plan)
        elif changes is None or changes.settings or changes.content:
            self.recompute()

    def apply(self) -> None:
        """Validate and save the exam date, minutes and days off; then recompute."""
        self.preview_timer.stop()
        weekdays_off = [n for n, box in enumerate(self.weekday_boxes) if box.isChecked()]
        exam = _pydate(self.exam_date.date())
        try:
            changes = self.library.update_settings(
                exam_date=exam.isoformat(),
                minutes_per_day=self.minutes.value(),
                weekdays_off=weekdays_off,
                dates_off=[self.dates_off.item(i).text() for i in range(self.dates_off.count())],
            )
        except UserError as exc:
            self.error.setText(f"{str(exc).rstrip('.')}; nothing was saved.")
            return
        self.error.clear()
        self.bus.publish(changes)
        self.recompute()

    def _add_date_off(self) -> None:
        text = _pydate(self.date_off_edit.date()).isoformat()
        existing = {self.dates_off.item(i).text() for i in range(self.dates_off.count())}
        if text not in existing:
            self.dates_off.addItem(text)
            self.dates_off.sortItems()
            self._edited()

    def _remove_date_off(self) -> None:
        row = self.dates_off.currentRow()
        if row >= 0:
            self.dates_off.takeItem(row)
            self._edited()

    def use_required_minutes(self) -> None:
        """Apply the budget the verdict names ("Use N min/day") and save it."""
        if self.plan is None or self.plan.required_minutes_per_day is None:
            return
        self.minutes.setValue(self.plan.required_minutes_per_day)
        self.apply()

    # ----- live recalculation --------------------------------------------------------

    def _edited(self) -> None:
        if self._loading:
            return
        self.verdict.setText("Recalculating…")
        self.preview_timer.start()

    def _edits(self) -> tuple[date, int, frozenset[int], frozenset[date]]:
        weekdays_off = frozenset(n for n, box in enumerate(self.weekday_boxes) if box.isChecked())
        dates_off = frozenset(
            date.fromisoformat(self.dates_off.item(i).text()) for i in range(self.dates_off.count())
        )
        return _pydate(self.exam_date.date()), self.minutes.value(), weekdays_off, dates_off

    def _saved(self) -> tuple[date | None, int, frozenset[int], frozenset[date]]:
        s = self.library.settings()
        return (
            date.fromisoformat(s["exam_date"]) if s["exam_date"] else None,
            int(s["minutes_per_day"]),
            frozenset(int(w) for w in s["weekdays_off"]),
            frozenset(date.fromisoformat(d) for d in s["dates_off"]),
        )

    def preview(self) -> None:
        """Recalculate the plan for the edited values, off the UI thread, unsaved."""
        edits = self._edits()
        if edits == self._saved():
            self.previewing = False
            self.recompute()
            return
        exam, minutes, weekdays_off, dates_off = edits
        self._generation += 1
        generation = self._generation
        self.computing = True
        self.error.clear()

        def work() -> Plan:
            return self.library.preview_plan(exam, minutes, weekdays_off, dates_off)

        def done(plan: Plan) -> None:
            if not shiboken6.isValid(self) or generation != self._generation:
                return  # the page is gone, or an older edit's plan: a newer one is coming
            self.computing = False
            self.previewing = True
            self.show_plan(plan)

        def failed(exc: UserError) -> None:
            if not shiboken6.isValid(self) or generation != self._generation:
                return
            self.verdict.setText("No plan for these values.")
            self.reason.clear()
            self.error.setText(str(exc))

        def settled() -> None:
            if shiboken6.isValid(self) and generation == self._generation:
                self.computing = False

        run_in_background(work, done, failed, settled)

    # ----- the plan ------------------------------------------------------------------

    def recompute(self) -> None:
        """Compute the plan in the background."""
        self._generation += 1
        self.preview_timer.stop()
        self.previewing = False
        if not self.library.settings()["exam_date"]:
            self._clear_plan("Set an exam date to get a plan.")
            return
        self.computing = True
        self.verdict.setText("Computing the plan…")
        generation = self._generation

        def computed(plan: Plan | None) -> None:
            if shiboken6.isValid(self) and generation == self._generation:
                self._computed(plan)

        run_in_background(self.library.refresh_plan, computed, self._failed, self._settled)

    def _settled(self) -> None:
        self.computing = False

    def _clear_plan(self, message: str) -> None:
        self.plan = None
        self.verdict.setText(message)
        self.reason.clear()
        self.use_button.setVisible(False)
        self.export_button.setEnabled(False)
        self.table.setRowCount(0)

    def _computed(self, plan: Plan | None) -> None:
        if plan is None:
            self._clear_plan("The saved exam date has passed: set a new one.")
            return
        self.show_plan(plan)
        if self.library.plans.replanned_today:
            self.bus.status_message.emit(
                "The plan inputs changed: today's new cards were planned again."
            )
        self.bus.changes_made.emit(Changes(plan=True))

    def _failed(self, exc: UserError) -> None:
        self.error.setText(str(exc))

    def show_plan(self, plan: Plan) -> None:
        """Fill the verdict and the table."""
        self.plan = plan
        unsaved = "  (not saved: press Save to use it)" if self.previewing else ""
        self.verdict.setText(plan.verdict + unsaved)
        self.reason.setText(plan.reason)
        needed = plan.required_minutes_per_day
        self.use_button.setVisible(needed is not None)
        if needed is not None:
            self.use_button.setText(f"Use {needed} min/day")
        self.export_button.setEnabled(True)
        domains = self.library.exam().domains
        headers = [
            "Date",
            *[f"D{d.number}" for d in domains],
            "New",
            "Reviews",
            "Minutes",
        ]
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        for column, domain in enumerate(domains, start=1):
            item = self.table.horizontalHeaderItem(column)
            if item is not None:
                item.setForeground(QBrush(QColor(domain_text_color(domain.number))))
                item.setToolTip(f"New cards of domain {domain.number}: {domain.name}")
        self.table.setRowCount(len(plan.days))
        grey = QBrush(QColor("#8b949e"))
        over = QBrush(QColor(OVER_BUDGET_COLOR))
        for row, day in enumerate(plan.days):
            label = day.day.strftime("%a %Y-%m-%d")
            if day.day == plan.final_window_start:
                label += "  · final week"
            values = [label]
            if day.is_off:
                values += ["day off"] + [""] * (len(headers) - 2)
            else:
                values += [str(day.new_by_domain.get(d.number, 0) or "") for d in domains]
                new = str(day.new_total or "")
                if row == 0 and day.day == self.library.today():
                    new = f"{day.new_done} / {day.new_done + day.new_total}"
                values += [
                    new,
                    f"{day.expected_reviews:.0f}",
                    f"{day.expected_minutes:.0f}",
                ]
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if day.is_off:
                    item.setForeground(grey)
                if day.over_budget:
                    item.setBackground(over)
                    item.setToolTip("Over budget: the reviews due here do not fit the day")
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

    def _export(self) -> None:
        if self.plan is None:
            self.error.setText("There is no plan to export yet.")
            return
        name, _filter = QFileDialog.getSaveFileName(
            self, "Export the plan", "mlstudy-plan.ics", "iCalendar (*.ics)"
        )
        if name:
            self.export_to(Path(name))

    def export_to(self, path: Path) -> None:
        """Write the plan as an .ics file."""
        if self.plan is None:
            return
        names = {d.number: d.name for d in self.library.exam().domains}
        try:
            count = write_ics(self.plan, path, self.library.exam().name, names, self.library.now())
        except UserError as exc:
            self.error.setText(str(exc))
            return
        self.bus.status_message.emit(f"Exported {count} study days to {path}")
