"""Backups of an open library: on demand, automatic when data changed, and restore."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mlstudy import paths
from mlstudy.services import safety
from mlstudy.services.context import LibraryContext
from mlstudy.services.types import Changes
from mlstudy.storage.backup import BackupFile, list_backups, thin_backups
from mlstudy.storage.database import create_db_engine, migrate

AUTO_BACKUP_EVERY = timedelta(minutes=30)


class BackupService:
    """Takes and restores backups; knows whether data changed since the last one.

    "Changed" compares the context's write generation with the generation a backup
    started at: a write that commits while a copy runs is not in it, and leaves the
    library marked changed, so the next automatic backup or the one at close takes it.
    """

    def __init__(self, context: LibraryContext) -> None:
        self._context = context
        self._backed_up = context.generation
        self._last_auto: datetime | None = None
        self._lock = threading.Lock()  # one backup at a time

    @property
    def dirty(self) -> bool:
        """True when library data changed since the last backup started."""
        return self._context.generation != self._backed_up

    def backup_now(self, reason: str = "") -> Path:
        """Take a backup now and thin old ones by the policy; return the new file."""
        with self._lock:
            generation = self._context.generation  # what the copy holds at least
            path = safety.take_backup(self._context.data_dir, self._context.clock(), reason)
            thin_backups(paths.backups_dir(self._context.data_dir), self._context.clock().date())
            self._backed_up = generation
            self._last_auto = self._context.clock()
        return path

    def maybe_auto_backup(self) -> Path | None:
        """Back up when data changed and the last automatic backup is 30 minutes old."""
        if not self.dirty:
            return None
        now = self._context.clock()
        if self._last_auto is None:
            newest = self.backups()
            self._last_auto = newest[0].taken_at.replace(tzinfo=UTC) if newest else None
        if self._last_auto and now - self._last_auto < AUTO_BACKUP_EVERY:
            return None
        return self.backup_now("auto")

    def backups(self) -> list[BackupFile]:
        """Backups of this library, newest first."""
        return list_backups(paths.backups_dir(self._context.data_dir))

    def restore(self, file: Path) -> tuple[Path, Changes]:
        """Replace the database with a backup, after backing up the current one.

        Returns the backup of the current state taken first and the change to publish.
        The file is checked before anything changes; a bad file changes nothing.
        """
        file = Path(file)
        safety.validate_backup(file)
        context = self._context
        with self._lock, context.writer:  # no backup copies the file being replaced
            safety_copy = safety.take_backup(context.data_dir, context.clock(), "before-restore")
            context.finish_folding()
            context.engine.dispose()
            database = paths.database_path(context.data_dir)
            safety.replace_database(context.data_dir, file)
            context.engine = create_db_engine(database)
            migrate(context.engine, database)
        changes = context.publish(
            Changes(reviews=True, content=True, settings=True, plan=True, queue=True, restored=True)
        )
        return safety_copy, changes

    def count_as_backed_up(self) -> None:
        """Treat what the database holds now as backed up (right after a restore)."""
        self._backed_up = self._context.generation
