"""Study on several computers from the app: sync passes at start, when the shared folder
changes (debounced), every few minutes and on close, all off the UI thread."""

from __future__ import annotations

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from mlstudy.errors import UserError
from mlstudy.gui.worker import run_in_background
from mlstudy.services import Library
from mlstudy.services.sync import SUBFOLDER, SyncResult

DEBOUNCE_MS = 2000
"""A sync tool writes a file in bursts: wait for it to settle."""
EVERY_MS = 5 * 60 * 1000


class SyncWatcher(QObject):
    """Runs ``library.sync.run`` in the background and reports each result."""

    synced = Signal(object)
    """Emitted with the ``SyncResult`` of each pass (None: no folder chosen)."""
    failed = Signal(str)

    def __init__(self, library: Library, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.sync_now)
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(lambda _p: self._debounce.start())
        self._every = QTimer(self)
        self._every.setInterval(EVERY_MS)
        self._every.timeout.connect(self.sync_now)
        self._every.start()
        self._running = False
        self._again = False

    def watch(self) -> None:
        """(Re)build the watch list: the shared folder and each device's folder in it."""
        old = [*self._watcher.directories(), *self._watcher.files()]
        if old:
            self._watcher.removePaths(old)
        folder = self.library.sync.folder()
        if folder is None:
            return
        root = folder / SUBFOLDER
        wanted = [str(folder)]
        if root.is_dir():
            wanted.append(str(root))
            wanted.extend(str(p) for p in root.iterdir() if p.is_dir())
        self._watcher.addPaths(wanted)

    def sync_now(self) -> None:
        """A pass in the background now (a request during a pass runs one more after)."""
        if self._running:
            self._again = True
            return
        self._running = True
        run_in_background(self.library.sync.run, self._done, self._error, self._settled)

    def _settled(self) -> None:
        self._running = False

    def _done(self, result: SyncResult | None) -> None:
        self.watch()  # a new device's folder may have appeared
        self.synced.emit(result)
        if self._again:
            self._again = False
            self.sync_now()

    def _error(self, exc: UserError) -> None:
        self.failed.emit(str(exc))
