"""Dialogs: first start, errors and the crash report. Headless-safe for tests."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import shiboken6
from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from mlstudy.core.planner import Plan
from mlstudy.errors import UserError
from mlstudy.gui.inputs import SettingSpinBox
from mlstudy.gui.today_page import plan_summary
from mlstudy.gui.worker import run_in_background
from mlstudy.services import Library
from mlstudy.services.exams import list_exams

HEADLESS_ENV = "MLSTUDY_HEADLESS_DIALOGS"
"""When set (tests), message boxes are logged instead of blocking on exec()."""
shown_messages: list[str] = []
NO_DATE_VERDICT = "With an exam date, mlstudy says whether this time is enough."


def show_error(parent: QWidget | None, message: str) -> None:
    """A user error in a message box (or recorded, when headless)."""
    shown_messages.append(message)
    if os.environ.get(HEADLESS_ENV):
        return
    box = QMessageBox(QMessageBox.Icon.Warning, "mlstudy", message, parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)  # messages quote deck text and paths
    box.exec()


headless_answers: list[bool] = []
"""Answers that ``confirm`` gives in headless mode, first in first out (default: yes)."""


def confirm(parent: QWidget | None, question: str) -> bool:
    """Ask a yes/no question (answered from ``headless_answers`` in tests)."""
    shown_messages.append(question)
    if os.environ.get(HEADLESS_ENV):
        return headless_answers.pop(0) if headless_answers else True
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "mlstudy",
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        parent,
    )
    box.setTextFormat(Qt.TextFormat.PlainText)
    return bool(box.exec() == QMessageBox.StandardButton.Yes)


def confirm_action(parent: QWidget | None, title: str, details: str, action: str) -> bool:
    """Ask before a step that replaces data: the action's own button, Cancel the default
    (Enter or Esc cancel). Answered from ``headless_answers`` in tests."""
    shown_messages.append(f"{title}\n{details}")
    if os.environ.get(HEADLESS_ENV):
        return headless_answers.pop(0) if headless_answers else True
    box = QMessageBox(QMessageBox.Icon.Warning, "mlstudy", title, parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setInformativeText(details)
    go = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.exec()
    return box.clickedButton() is go


def show_crash_dialog(trace: str, log_file: Path) -> None:
    """A bug: the traceback and where the log is, so it can be reported."""
    shown_messages.append(trace)
    if os.environ.get(HEADLESS_ENV):
        return
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        "mlstudy ran into a bug",
        f"Something went wrong inside mlstudy. Your reviews are saved.\nThe log is at {log_file}.",
    )
    box.setTextFormat(Qt.TextFormat.PlainText)  # the log path may hold any character
    box.setDetailedText(trace)
    box.exec()


class FirstRunDialog(QDialog):
    """Exam pack, optional exam date and minutes per day. Enter accepts the defaults."""

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.setWindowTitle("Welcome to mlstudy")
        self.setMinimumWidth(680)  # room for the longest exam name and its status
        settings = library.settings()
        intro = QLabel(
            "Choose your exam and how much time you have. "
            "Press Enter to accept the defaults; you can change them in Settings."
        )
        intro.setWordWrap(True)
        self.exam = QComboBox()
        self.exam.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.packs = {info.code: info for info in list_exams(library)}
        for info in self.packs.values():
            self.exam.addItem(info.label(), info.code)
        # A new library has selected the first pack that can still be taken; one that
        # studied before exam packs keeps its exam (MLS-C01).
        self.exam.setCurrentIndex(max(0, self.exam.findData(library.exam().code)))
        self.has_date = QCheckBox("I have an exam date")
        self.exam_date = QDateEdit()
        self.exam_date.setCalendarPopup(True)
        self.exam_date.setDisplayFormat("yyyy-MM-dd")
        default_day = library.today() + timedelta(days=60)
        self.exam_date.setDate(QDate(default_day.year, default_day.month, default_day.day))
        self.exam_date.setEnabled(False)
        self.has_date.toggled.connect(self.exam_date.setEnabled)
        self.minutes = SettingSpinBox("minutes_per_day", " min per day")
        self.minutes.setValue(int(settings["minutes_per_day"]))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.exam.currentIndexChanged.connect(self._show_status)
        self._show_status()
        self.verdict = QLabel(NO_DATE_VERDICT)
        self.verdict.setWordWrap(True)
        self.checking = False
        self._generation = 0
        self.check_timer = QTimer(self)
        self.check_timer.setSingleShot(True)
        self.check_timer.setInterval(300)
        self.check_timer.timeout.connect(self.check_plan)
        self.has_date.toggled.connect(self._edited)
        self.exam_date.dateChanged.connect(self._edited)
        self.minutes.valueChanged.connect(self._edited)
        form = QFormLayout()
        form.addRow("Exam pack", self.exam)
        form.addRow(self.has_date, self.exam_date)
        form.addRow("Daily time", self.minutes)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.verdict)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)  # messages quote deck text
        self.error.setStyleSheet("color: #d1242f")
        layout.addWidget(self.error)

    def _show_status(self) -> None:
        info = self.packs.get(self.exam.currentData())
        self.status.setText(info.status_note if info else "")

    def _edited(self) -> None:
        self._generation += 1
        if self.chosen_exam_date() is None:
            self.check_timer.stop()
            self.checking = False
            self.verdict.setText(NO_DATE_VERDICT)
            return
        self.verdict.setText("Checking whether this is enough…")
        self.check_timer.start()

    def check_plan(self) -> None:
        """Say whether the exam date and minutes are enough (planned in the background)."""
        exam_date = self.chosen_exam_date()
        if exam_date is None:
            return
        minutes, generation = self.minutes.value(), self._generation
        self.checking = True

        def done(plan: Plan) -> None:
            if shiboken6.isValid(self) and generation == self._generation:
                self.checking = False
                self.verdict.setText(plan_summary(plan))
                self.adjustSize()  # room for the wrapped verdict

        def failed(exc: UserError) -> None:
            if shiboken6.isValid(self) and generation == self._generation:
                self.verdict.setText(str(exc))

        def settled() -> None:
            if shiboken6.isValid(self) and generation == self._generation:
                self.checking = False

        run_in_background(
            lambda: self.library.preview_plan(exam_date, minutes), done, failed, settled
        )

    def chosen_exam_date(self) -> date | None:
        """The exam date, if the user gave one."""
        if not self.has_date.isChecked():
            return None
        q = self.exam_date.date()
        return date(q.year(), q.month(), q.day())

    def accept(self) -> None:
        """Save the choices (even the defaults: the dialog is not shown again)."""
        self.check_timer.stop()
        exam_date = self.chosen_exam_date()
        try:
            self.library.update_settings(
                exam=self.exam.currentData(),
                minutes_per_day=self.minutes.value(),
                exam_date=exam_date.isoformat() if exam_date else None,
                first_run_done=True,
            )
        except UserError as exc:
            self.error.setText(str(exc))
            return
        super().accept()

    def reject(self) -> None:
        """Closing the dialog keeps the defaults and does not ask again."""
        self.check_timer.stop()
        self.library.update_settings(first_run_done=True)
        super().reject()


class TextDialog(QDialog):
    """A read-only text (keyboard shortcuts, problems list)."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        view = QPlainTextEdit(text)
        view.setReadOnly(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(view)
        layout.addWidget(buttons)
        self.resize(560, 420)
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.view = view

    def use_fixed_font(self) -> None:
        """Show the text in the system's fixed-width font (aligned columns)."""
        self.view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.resize(680, 560)
