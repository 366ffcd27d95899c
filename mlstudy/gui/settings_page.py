"""The Settings page: theme, font size, limits, day start, exam date, deck folders."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from mlstudy.errors import UserError
from mlstudy.gui.bus import ChangeBus
from mlstudy.gui.dialogs import confirm_action
from mlstudy.gui.exam_picker import ExamPicker
from mlstudy.gui.inputs import SettingSpinBox, date_input
from mlstudy.gui.theme import set_role
from mlstudy.services import Changes, Library, SyncReport
from mlstudy.services.sync import SyncResult

THEME_LABELS = {"system": "Follow the system", "light": "Light", "dark": "Dark"}
KEPT_EXAM_DATE = "unticked_exam_date"
"""View state: the exam date shown while the Exam date box is unticked."""
SAVED_NAMES = {
    "theme": "theme",
    "font_size": "card font size",
    "new_per_day": "new cards per day",
    "day_start_hour": "start of the study day",
    "minutes_per_day": "study time per day",
    "exam_date": "exam date",
    "suspend_leeches": "leeches",
    "reminder_time": "daily reminder",
    "deck_folders": "deck folders",
}


def local_time(moment: datetime) -> str:
    """A UTC moment as the computer's local date and time, "2026-12-05 09:30"."""
    return f"{moment.astimezone():%Y-%m-%d %H:%M}"


class SettingsPage(QWidget):
    """Every change is validated and saved at once; an error names the field."""

    sync_requested = Signal()
    """Asks for a sync pass with the other computers (the folder was chosen, or Sync now)."""

    def __init__(self, library: Library, bus: ChangeBus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.bus = bus
        self._loading = False
        self.exam = ExamPicker(library, bus)
        self.theme = QComboBox()
        for key, label in THEME_LABELS.items():
            self.theme.addItem(label, key)
        self.font_size = SettingSpinBox("font_size", " px")
        self.new_per_day = SettingSpinBox("new_per_day")
        self.day_start = SettingSpinBox("day_start_hour", ":00")
        self.minutes = SettingSpinBox("minutes_per_day", " min")
        self.has_date = QCheckBox("Exam date")
        self.has_reminder = QCheckBox("Daily reminder at")
        self.has_reminder.setToolTip(
            "While mlstudy runs, the system tray says how many cards and minutes are left"
        )
        self.reminder_time = QTimeEdit()
        self.reminder_time.setDisplayFormat("HH:mm")
        self.suspend_leeches = QCheckBox("Suspend a card when it becomes a leech (failed 8 times)")
        self.suspend_leeches.setToolTip(
            "Off: a leech stays in study with a hint to rewrite it or read its source"
        )
        self.exam_date = date_input()
        self.folders = QListWidget()
        self.folders.setMaximumHeight(90)
        add = QPushButton("Add folder…")
        add.clicked.connect(self._add_folder)
        remove = QPushButton("Remove")
        remove.clicked.connect(self._remove_folder)
        self.problems = QPlainTextEdit()
        self.problems.setReadOnly(True)
        self.problems.setPlaceholderText("Deck problems appear here, as path:line: message.")
        self.problems.setMaximumHeight(140)
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)  # messages quote deck text
        set_role(self.error, "error")
        self.error.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Exam", self.exam)
        form.addRow("Theme", self.theme)
        form.addRow("Card font size", self.font_size)
        form.addRow("New cards per day", self.new_per_day)
        form.addRow("A study day starts at", self.day_start)
        form.addRow("Study time per day", self.minutes)
        form.addRow(self.has_date, self.exam_date)
        form.addRow("Leeches", self.suspend_leeches)
        form.addRow(self.has_reminder, self.reminder_time)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addLayout(form)
        layout.addWidget(QLabel(f"Your deck folders (besides {library.deck_folders()[0]}):"))
        layout.addWidget(self.folders)
        layout.addLayout(buttons)
        layout.addWidget(QLabel("Deck problems"))
        layout.addWidget(self.problems)
        layout.addWidget(QLabel("Backups (automatic every 30 minutes of changes and on close)"))
        self.backups = QListWidget()
        self.backups.setMaximumHeight(110)
        self.backups.setToolTip("Times are your computer's local time")
        layout.addWidget(self.backups)
        backup_buttons = QHBoxLayout()
        backup_now = QPushButton("Back up now")
        backup_now.clicked.connect(self.backup_now)
        self.restore_button = QPushButton("Restore selected…")
        self.restore_button.setEnabled(False)
        self.restore_button.setToolTip("Select a backup in the list first")
        self.restore_button.clicked.connect(self.restore_selected)
        self.backups.itemSelectionChanged.connect(
            lambda: self.restore_button.setEnabled(self._selected_backup() is not None)
        )
        backup_buttons.addWidget(backup_now)
        backup_buttons.addWidget(self.restore_button)
        backup_buttons.addStretch(1)
        layout.addLayout(backup_buttons)
        layout.addWidget(QLabel("Study on several computers"))
        self.sync_folder = QLabel()
        self.sync_folder.setTextFormat(Qt.TextFormat.PlainText)  # a path is data
        self.sync_folder.setWordWrap(True)
        self.sync_status = QPlainTextEdit()
        self.sync_status.setReadOnly(True)
        self.sync_status.setMaximumHeight(90)
        self.sync_status.setPlaceholderText(
            "Choose a folder that Syncthing, Dropbox or OneDrive keeps in step on each "
            "computer; your answers travel through it. The database never goes there."
        )
        choose = QPushButton("Choose sync folder…")
        choose.clicked.connect(self._choose_sync_folder)
        sync_now = QPushButton("Sync now")
        sync_now.clicked.connect(self.sync_requested.emit)
        sync_buttons = QHBoxLayout()
        sync_buttons.addWidget(choose)
        sync_buttons.addWidget(sync_now)
        sync_buttons.addStretch(1)
        layout.addWidget(self.sync_folder)
        layout.addLayout(sync_buttons)
        layout.addWidget(self.sync_status)
        layout.addWidget(self.error)
        layout.addStretch(1)
        # The page is longer than a small window: it scrolls instead of squeezing rows.
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        self.refresh()
        self.theme.currentIndexChanged.connect(
            lambda _i: self._save(theme=self.theme.currentData())
        )
        self.font_size.valueChanged.connect(lambda v: self._save(font_size=v))
        self.new_per_day.valueChanged.connect(lambda v: self._save(new_per_day=v))
        self.day_start.valueChanged.connect(lambda v: self._save(day_start_hour=v))
        self.minutes.valueChanged.connect(lambda v: self._save(minutes_per_day=v))
        self.suspend_leeches.toggled.connect(lambda on: self._save(suspend_leeches=on))
        self.has_reminder.toggled.connect(lambda _c: self._save_reminder())
        self.reminder_time.timeChanged.connect(lambda _t: self._save_reminder())
        self.has_date.toggled.connect(lambda _c: self._save_exam_date())
        self.exam_date.dateChanged.connect(lambda _d: self._save_exam_date())

    def refresh(self, changes: Changes | None = None) -> None:
        """Show the stored settings."""
        self._loading = True
        try:
            s = self.library.settings()
            self.exam.refresh(changes)
            self.theme.setCurrentIndex(max(0, self.theme.findData(s["theme"])))
            self.font_size.setValue(int(s["font_size"]))
            self.new_per_day.setValue(int(s["new_per_day"]))
            self.day_start.setValue(int(s["day_start_hour"]))
            self.minutes.setValue(int(s["minutes_per_day"]))
            self.suspend_leeches.setChecked(bool(s["suspend_leeches"]))
            reminder = s["reminder_time"]
            self.has_reminder.setChecked(bool(reminder))
            self.reminder_time.setEnabled(bool(reminder))
            hours, _sep, minutes = str(reminder or "19:00").partition(":")
            self.reminder_time.setTime(QTime(int(hours), int(minutes)))
            exam_date = date.fromisoformat(s["exam_date"]) if s["exam_date"] else None
            self.has_date.setChecked(exam_date is not None)
            self.exam_date.setEnabled(exam_date is not None)
            shown = exam_date or self._kept_exam_date()
            self.exam_date.setDate(QDate(shown.year, shown.month, shown.day))
            self.folders.clear()
            self.folders.addItems(list(s["deck_folders"]))
            self._list_backups()
            folder = self.library.sync.folder()
            self.sync_folder.setText(
                f"Sync folder: {folder}" if folder else "Not syncing: no folder chosen."
            )
        finally:
            self._loading = False

    def _kept_exam_date(self) -> date:
        """The date shown while Exam date is unticked: the one unticked, if still ahead."""
        today = self.library.today()
        kept = self.library.view_state(KEPT_EXAM_DATE)
        try:
            day = date.fromisoformat(str(kept)) if kept else None
        except ValueError:
            day = None
        return day if day is not None and day > today else today + timedelta(days=60)

    def _list_backups(self) -> None:
        self.backups.clear()
        for backup in self.library.backups():
            item = QListWidgetItem(
                f"{local_time(backup.taken_at)}  ·  "
                f"{backup.size / 1024:.0f} KB  ·  {backup.path.name}"
            )
            item.setData(Qt.ItemDataRole.UserRole, str(backup.path))
            item.setData(Qt.ItemDataRole.UserRole + 1, local_time(backup.taken_at))
            self.backups.addItem(item)
        if not self.backups.count():
            empty = QListWidgetItem(
                "No backup yet: one is taken after 30 minutes of changes, and on close."
            )
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.backups.addItem(empty)
        self.restore_button.setEnabled(False)

    def _selected_backup(self) -> QListWidgetItem | None:
        item = self.backups.currentItem()
        selected = item is not None and item.isSelected()
        return item if selected and item.data(Qt.ItemDataRole.UserRole) else None

    def backup_now(self) -> None:
        """Take a backup now."""
        try:
            path = self.library.backup_now("manual")
        except UserError as exc:
            self.error.setText(str(exc))
            return
        self._list_backups()
        self.bus.status_message.emit(f"Backed up to {path}")

    def restore_selected(self) -> None:
        """Restore the selected backup after confirmation (the current state is backed up)."""
        item = self._selected_backup()
        if item is None:
            self.error.setText("Select a backup to restore.")
            return
        path = Path(str(item.data(Qt.ItemDataRole.UserRole)))
        taken = str(item.data(Qt.ItemDataRole.UserRole + 1))
        if not confirm_action(
            self,
            f"Restore the backup of {taken}?",
            f"Your library as it is now (every answer, card state and setting) is replaced "
            f"by the backup of {taken}: what you did since then is no longer shown.\n\n"
            "Your current library is backed up first, so you can go back to it.",
            "Restore",
        ):
            return
        try:
            previous = self.library.restore(path)
        except UserError as exc:
            self.error.setText(str(exc))
            return
        self.bus.publish(Changes(reviews=True, content=True, settings=True, plan=True))
        self.bus.status_message.emit(
            f"Restored {path.name}; previous state saved as {previous.name}"
        )
        self.refresh()

    def show_sync_report(self, report: SyncReport) -> None:
        """List the problems of the last deck sync (empty when the decks are clean)."""
        self.problems.setPlainText("\n".join(report.problems))

    def show_sync_result(self, result: SyncResult | None) -> None:
        """Show the last sync pass: when, the devices seen, and any problem."""
        if result is None:
            self.sync_status.clear()
            return
        lines = [
            f"Last sync {local_time(result.at)}: {result.devices} computer(s) seen, "
            f"{result.sent} sent, {result.received} received.",
            *result.problems,
        ]
        self.sync_status.setPlainText("\n".join(lines))

    def show_sync_failure(self, message: str) -> None:
        """Show why a sync pass could not run (the folder is gone, say)."""
        self.sync_status.setPlainText(f"Sync failed: {message}")

    def _choose_sync_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose the shared sync folder")
        if folder:
            self.set_sync_folder(folder)

    def set_sync_folder(self, folder: str) -> None:
        """Sync through ``folder`` from now on, and run a pass."""
        try:
            self.library.sync.set_folder(Path(folder))
        except UserError as exc:
            self.error.setText(str(exc))
            return
        self.error.clear()
        self.refresh()
        self.sync_requested.emit()

    def _save(self, **values: object) -> None:
        if self._loading:
            return
        try:
            changes = self.library.update_settings(**values)
        except UserError as exc:
            self.error.setText(str(exc))
            self.refresh()
            return
        self.error.clear()
        self.bus.publish(changes)
        names = ", ".join(SAVED_NAMES.get(key, key.replace("_", " ")) for key in values)
        self.bus.status_message.emit(f"Saved: {names}")

    def _save_reminder(self) -> None:
        on = self.has_reminder.isChecked()
        self.reminder_time.setEnabled(on)
        self._save(reminder_time=self.reminder_time.time().toString("HH:mm") if on else None)

    def _save_exam_date(self) -> None:
        if self._loading:
            return
        self.exam_date.setEnabled(self.has_date.isChecked())
        if not self.has_date.isChecked():
            # The date stays in the field (and for the next start), ready to tick again.
            q = self.exam_date.date()
            self.library.save_view_state(
                KEPT_EXAM_DATE, date(q.year(), q.month(), q.day()).isoformat()
            )
            self._save(exam_date=None)
            return
        q = self.exam_date.date()
        chosen = date(q.year(), q.month(), q.day())
        self._save(exam_date=chosen.isoformat())

    def _add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a deck folder")
        if folder:
            self.add_folder(folder)

    def add_folder(self, folder: str) -> None:
        """Add a deck folder and sync it."""
        current = list(self.library.settings()["deck_folders"])
        if folder not in current:
            self._save(deck_folders=[*current, folder])
            self.refresh()
            self.bus.changes_made.emit(Changes(content=True, settings=True))

    def _remove_folder(self) -> None:
        item = self.folders.currentItem()
        if item is None:
            return
        current = [f for f in self.library.settings()["deck_folders"] if f != item.text()]
        self._save(deck_folders=current)
        self.refresh()

    def keyPressEvent(self, event: object) -> None:
        """Esc goes back to Today."""
        from PySide6.QtGui import QKeyEvent

        if isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Escape:
            self.bus.navigate_requested.emit("today")
            return
        super().keyPressEvent(event)  # type: ignore[arg-type]
