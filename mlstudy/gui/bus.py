"""One signal that carries every ``Changes`` value; pages refresh from it."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from mlstudy.services import Changes


class ChangeBus(QObject):
    """Pages emit what a service call changed; every page listens and redraws what it shows.

    No page reaches into another: they only share this bus and the library.
    """

    changes_made = Signal(object)
    """Emitted with a ``Changes`` value after a mutating service call."""
    status_message = Signal(str)
    """A short message for the status bar (success, or a user error's text)."""
    navigate_requested = Signal(str)
    """Ask the main window to show a page by name ("today", "review", ...)."""
    card_requested = Signal(str)
    """Ask the main window to show a card (by its key) in Browse."""

    def publish(self, changes: Changes | None) -> None:
        """Emit ``changes_made`` when there is something to report."""
        if changes is not None:
            self.changes_made.emit(changes)
