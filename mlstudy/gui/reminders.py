"""The daily reminder through the system tray while the app runs (Settings ▸ Reminder).

A timer checks once a minute, on the library's clock in the study day's time zone:
past the chosen time, on a study day it has not shown on, with cards left, the tray
shows "23 cards, about 12 minutes left today". Clicking the message opens Today.
Without a system tray (some Linux desktops, offscreen tests) the text goes to the
status bar instead.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QSystemTrayIcon, QWidget

from mlstudy.core.reminder import parse_reminder_time, reminder_due, reminder_text
from mlstudy.gui.bus import ChangeBus
from mlstudy.services import Library

CHECK_EVERY_MS = 60_000


class Reminder(QObject):
    """Checks the clock and shows the day's reminder once."""

    reminder_shown = Signal(str)

    def __init__(self, library: Library, bus: ChangeBus, window: QWidget) -> None:
        super().__init__(window)
        self.library = library
        self.bus = bus
        self.window = window
        self.last_shown: date | None = None
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(window.windowIcon(), self)
            self.tray.messageClicked.connect(self.open_today)
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> bool:
        """Show the reminder if it is due now; True when it was shown."""
        setting = self.library.settings().get("reminder_time")
        if not setting:
            return False
        context = self.library.context
        now = context.clock().astimezone(context.tz)
        today = self.library.today()
        counts = self.library.counts()
        if not reminder_due(now, parse_reminder_time(setting), today, self.last_shown, counts.left):
            return False
        self.last_shown = today
        text = reminder_text(counts.due, counts.new, counts.drill)
        if self.tray is not None:
            self.tray.show()
            self.tray.showMessage("mlstudy", text, QSystemTrayIcon.MessageIcon.Information)
        else:
            self.bus.status_message.emit(f"Reminder: {text}")
        self.reminder_shown.emit(text)
        return True

    def open_today(self) -> None:
        """Bring the window forward on Today (the reminder was clicked)."""
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()
        self.bus.navigate_requested.emit("today")
