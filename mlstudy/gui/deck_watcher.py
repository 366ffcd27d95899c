"""Watch the deck folders and sync edits in the background, reporting any problems."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from mlstudy.errors import UserError
from mlstudy.gui.worker import run_in_background
from mlstudy.services import Library, SyncReport

DEBOUNCE_MS = 400


class DeckWatcher(QObject):
    """Re-syncs decks shortly after any watched file or folder changes."""

    synced = Signal(object)
    """Emitted with the ``SyncReport`` of each background sync."""
    failed = Signal(str)

    def __init__(self, library: Library, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self._watcher = QFileSystemWatcher(self)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.sync_now)
        self._watcher.fileChanged.connect(self._changed)
        self._watcher.directoryChanged.connect(self._changed)
        self._running = False
        self._again = False
        self.watch()

    def watched_paths(self) -> list[str]:
        """Every folder and card file being watched."""
        return [*self._watcher.directories(), *self._watcher.files()]

    def watch(self) -> None:
        """(Re)build the watch list from the bundled pack and the user's deck folders."""
        old = self.watched_paths()
        if old:
            self._watcher.removePaths(old)
        roots = [self.library.content_root, *self.library.deck_folders()]
        wanted: list[str] = []
        for root in roots:
            if not root.is_dir():
                continue
            for folder in [root, *(p for p in root.rglob("*") if p.is_dir())]:
                wanted.append(str(folder))
                wanted.extend(str(f) for f in sorted(Path(folder).glob("*.md")))
        if wanted:
            self._watcher.addPaths(wanted)

    def _changed(self, _path: str) -> None:
        self._timer.start()

    def sync_now(self) -> None:
        """Sync in the background now (a change during a sync triggers one more)."""
        if self._running:
            self._again = True
            return
        self._running = True
        run_in_background(self.library.sync_content, self._done, self._error, self._settled)

    def _settled(self) -> None:
        self._running = False

    def _done(self, report: SyncReport) -> None:
        self.watch()  # editors often replace files, which drops them from the watch list
        self.synced.emit(report)
        if self._again:
            self._again = False
            self.sync_now()

    def _error(self, exc: UserError) -> None:
        self.failed.emit(str(exc))
