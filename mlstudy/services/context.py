"""What every service of an open library shares: folders, engine, clock, the one
writer and the change bus."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, tzinfo
from pathlib import Path

from sqlalchemy import Connection, Engine

from mlstudy.services import safety
from mlstudy.services.bus import ChangeBus
from mlstudy.services.types import Changes
from mlstudy.storage.database import bulk_write, fold_log

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


class LibraryContext:
    """The data dir, database engine, clock, writer and change bus of one library.

    Attributes:
        data_dir: the library's folder.
        engine: the SQLite engine (replaced by a restore, under the writer lock).
        clock: returns the current aware UTC time.
        tz: the local zone of study days (None: the system's).
        content_root: the bundled content folder.
        bus: the change bus every cache subscribes on.
    """

    def __init__(
        self, data_dir: Path, engine: Engine, clock: Clock, tz: tzinfo | None, content_root: Path
    ) -> None:
        self.data_dir = data_dir
        self.engine = engine
        self.clock = clock
        self.tz = tz
        self.content_root = content_root
        self.bus = ChangeBus()
        self.writer = threading.RLock()
        """Held by every write, so writes run one at a time in a fixed order."""
        self._generation = 0
        self._folding: threading.Thread | None = None

    @property
    def generation(self) -> int:
        """How many committed writes changed library data (a backup compares it)."""
        return self._generation

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection of its own for reading (any thread; never blocks the writer)."""
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def write(
        self, doing: str, *, fold_later: bool = False, keys_checked: bool = False
    ) -> Iterator[Connection]:
        """One transaction under the writer lock; environment errors become UserErrors
        that name ``doing`` ("saving your answer").

        Args:
            fold_later: for a write of tens of megabytes (a merge): its commit only
                appends to the write-ahead log, and a thread folds the log into the
                database file afterwards. Otherwise SQLite folds it as it commits,
                while the writer lock is held and the caller waits.
            keys_checked: the caller writes only card ids it read in the transaction
                (a merge): SQLite's foreign-key look-up of every row is left out.
        """
        if not (fold_later or keys_checked):
            with self.writer, safety.environment_errors(doing), self.engine.begin() as conn:
                yield conn
            return
        with self.writer, safety.environment_errors(doing), self.engine.connect() as conn:
            with bulk_write(conn, fold_later=fold_later, keys_checked=keys_checked), conn.begin():
                yield conn
            if fold_later:
                self._fold_in_background()

    def _fold_in_background(self) -> None:
        self.finish_folding()
        engine = self.engine
        self._folding = threading.Thread(
            target=_fold, args=(engine,), name="mlstudy-fold-log", daemon=True
        )
        self._folding.start()

    def finish_folding(self) -> None:
        """Wait until the write-ahead log of a ``fold_later`` write is folded (before the
        engine is closed or replaced)."""
        folding = self._folding
        if folding is not None:
            folding.join()
            self._folding = None

    def publish(self, changes: Changes, *, data: bool = True) -> Changes:
        """After a commit: count it as a change of library data (unless ``data`` is
        False) and tell the change bus."""
        if data:
            with self.writer:
                self._generation += 1
        return self.bus.publish(changes)


def _fold(engine: Engine) -> None:
    try:
        fold_log(engine)
    except Exception as exc:  # the next commit folds the log instead
        log.warning("could not fold the write-ahead log into the database: %s", exc)
