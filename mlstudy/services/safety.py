"""Data safety around the database: start-up checks, backups, restore, environment faults."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from mlstudy import paths
from mlstudy.errors import UserError
from mlstudy.storage.backup import (
    backup_name,
    check_database_file,
    copy_database,
    list_backups,
    move_aside,
    schema_version_of,
)
from mlstudy.storage.database import SCHEMA_VERSION


class DamagedLibraryError(UserError):
    """The database failed its check at start; it was moved aside, never overwritten."""

    def __init__(self, damaged: Path, reason: str, backup: Path | None) -> None:
        offer = (
            f' The newest good backup is {backup}; restore it with: mlstudy restore "{backup}"'
            if backup
            else " There is no backup to restore."
        )
        super().__init__(
            f"the library database was damaged ({reason}). It was moved to {damaged}.{offer}"
        )
        self.damaged = damaged
        self.reason = reason
        self.backup = backup


def newest_good_backup(data_dir: Path) -> Path | None:
    """The newest backup that passes SQLite's quick check and this version can read."""
    for backup in list_backups(paths.backups_dir(data_dir)):
        if (
            check_database_file(backup.path) == "ok"
            and schema_version_of(backup.path) <= SCHEMA_VERSION
        ):
            return backup.path
    return None


CLEAN_MARKER = "mlstudy.clean"
"""Written at a clean close with the database's size and mtime; removed at open."""


def _file_stamp(path: Path) -> str:
    info = path.stat()
    return f"{info.st_size}:{info.st_mtime_ns}"


def mark_clean_close(data_dir: Path) -> None:
    """Record that the database was closed cleanly, as it is on disk now."""
    database = paths.database_path(data_dir)
    wal = database.with_name(database.name + "-wal")
    if database.exists() and not (wal.exists() and wal.stat().st_size):
        (data_dir / CLEAN_MARKER).write_text(_file_stamp(database), encoding="ascii")


def _untouched_since_clean_close(data_dir: Path, database: Path) -> bool:
    marker = data_dir / CLEAN_MARKER
    wal = database.with_name(database.name + "-wal")
    try:
        stamp = marker.read_text(encoding="ascii")
        marker.unlink()  # a crash from here on leaves no marker: the next start checks fully
    except OSError:
        return False
    return stamp == _file_stamp(database) and not (wal.exists() and wal.stat().st_size)


def check_at_start(data_dir: Path, now: datetime) -> None:
    """Quick-check an existing database; move a damaged one aside and say what to do.

    SQLite's quick check reads the whole file (half a second at a million reviews), so it
    is skipped when the file is exactly as a clean close left it; after a crash, a copy,
    or any change by another program it always runs. A database from a newer mlstudy is
    refused here, before anything opens it for writing.
    """
    database = paths.database_path(data_dir)
    if not database.exists():
        return
    if _untouched_since_clean_close(data_dir, database):
        problem = "ok"
    else:
        problem = check_database_file(database)
    if problem != "ok":
        damaged = move_aside(database, now)
        raise DamagedLibraryError(damaged, problem, newest_good_backup(data_dir))
    version = schema_version_of(database)
    if version > SCHEMA_VERSION:
        raise UserError(
            f"{database}: this database was written by a newer mlstudy (schema {version}; this "
            f"version knows up to {SCHEMA_VERSION}). Update mlstudy; the file was not changed."
        )


def take_backup(data_dir: Path, now: datetime, reason: str = "") -> Path:
    """Copy the live database into the backups folder; return the new file."""
    target = paths.backups_dir(data_dir) / backup_name(now, reason)
    copy_database(paths.database_path(data_dir), target)
    return target


def validate_backup(file: Path) -> None:
    """Refuse a file that is not a readable mlstudy database of a known schema."""
    if not file.is_file():
        raise UserError(f"{file}: no such backup file")
    problem = check_database_file(file)
    if problem != "ok":
        raise UserError(f"{file}: not a usable database ({problem}); nothing was restored")
    version = schema_version_of(file)
    if version == 0 or version > SCHEMA_VERSION:
        raise UserError(
            f"{file}: not an mlstudy database this version can read (schema "
            f"{version}); nothing was restored"
        )
    conn = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()
    if not {"cards", "reviews", "card_states"} <= tables:
        raise UserError(f"{file}: not an mlstudy database; nothing was restored")


@contextmanager
def environment_errors(what: str) -> Iterator[None]:
    """Turn a full disk, a read-only file or a permission problem into a clear UserError.

    The transaction that hit the error has been rolled back by then: nothing partial stays.
    """
    try:
        yield
    except DBAPIError as exc:
        original = exc.orig
        text = str(original).lower()
        if "full" in text:
            raise UserError(
                f"{what}: the disk is full; nothing was saved. Free some space and try again."
            ) from None
        if "readonly" in text or "read-only" in text or "permission" in text:
            raise UserError(
                f"{what}: the library is read-only ({original}); nothing was saved"
            ) from None
        if "unable to open" in text or "disk i/o" in text:
            raise UserError(f"{what}: {original}; nothing was saved") from None
        raise
