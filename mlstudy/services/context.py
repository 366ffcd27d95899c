"""What every service of an open library shares: folders, engine, clock, the one
writer and the change bus."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, tzinfo
from pathlib import Path

from sqlalchemy import Connection, Engine

from mlstudy.services import safety
from mlstudy.services.bus import ChangeBus
from mlstudy.services.types import Changes

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
    def write(self, doing: str) -> Iterator[Connection]:
        """One transaction under the writer lock; environment errors become UserErrors
        that name ``doing`` ("saving your answer")."""
        with self.writer, safety.environment_errors(doing), self.engine.begin() as conn:
            yield conn

    def publish(self, changes: Changes, *, data: bool = True) -> Changes:
        """After a commit: count it as a change of library data (unless ``data`` is
        False) and tell the change bus."""
        if data:
            with self.writer:
                self._generation += 1
        return self.bus.publish(changes)
