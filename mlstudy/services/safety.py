"""Data safety around the database: start-up checks, backups, restore, environment faults."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from mlstudy import paths
from mlstudy.errors import UserError
from mlstudy.storage.backup import (
    DamagedSourceError,
    check_database_file,
    copy_database,
    flag_bad,
    list_backups,
    move_aside,
    schema_version_of,
    unique_backup_path,
)
from mlstudy.storage.database import SCHEMA_VERSION
from mlstudy.storage.integrity import check_file, validate_candidate


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
        if validate_candidate(backup.path, SCHEMA_VERSION) is None:
            return backup.path
    return None


CLEAN_MARKER = "mlstudy.clean"
"""Written at a clean close with the database's size and mtime; removed at open."""
CHECKED_MARKER = "mlstudy.checked"
"""The UTC moment of the last full start-up check (ISO text)."""
CHECK_EVERY = timedelta(days=1)
"""A clean close skips the start-up check for at most this long: silent corruption
(a disk or another program changing bytes but not size and mtime) is found within a day."""


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
        _note_checked(data_dir, now)  # the file about to be created is whole
        return
    clean = _untouched_since_clean_close(data_dir, database)
    if clean and _checked_recently(data_dir, now):
        problem = "ok"
    else:
        problem = check_database_file(database)
        if problem == "ok":
            _note_checked(data_dir, now)
    if problem == "ok":
        try:
            version = schema_version_of(database)
        except Exception as exc:  # anything a damaged file raises is damage
            problem = f"{type(exc).__name__}: {exc}"
    if problem != "ok":
        try:
            damaged = move_aside(database, now)
        except OSError as exc:
            raise UserError(
                f"the library database {database} is damaged ({problem}) and could not be "
                f"moved aside ({exc.strerror or exc}); nothing was changed"
            ) from None
        raise DamagedLibraryError(damaged, problem, newest_good_backup(data_dir))
    if version > SCHEMA_VERSION:
        raise UserError(
            f"{database}: this database was written by a newer mlstudy (schema {version}; this "
            f"version knows up to {SCHEMA_VERSION}). Update mlstudy; the file was not changed."
        )


def _checked_recently(data_dir: Path, now: datetime) -> bool:
    try:
        last = datetime.fromisoformat((data_dir / CHECKED_MARKER).read_text(encoding="ascii"))
    except (OSError, ValueError, UnicodeDecodeError):
        return False
    if last.tzinfo is None or now.tzinfo is None:
        return False
    return timedelta(0) <= now - last < CHECK_EVERY


def _note_checked(data_dir: Path, now: datetime) -> None:
    with suppress(OSError):  # unwritten, the next start checks again: slower, never less safe
        (data_dir / CHECKED_MARKER).write_text(now.isoformat(), encoding="ascii")


class BadBackupError(UserError):
    """A backup just written failed its check: the live database is likely damaged."""


def take_backup(data_dir: Path, now: datetime, reason: str = "") -> Path:
    """Copy the live database into the backups folder, check the copy; return the new file.

    A copy that fails SQLite's quick check is renamed to ``*.bad`` (never listed, so it
    never takes a good backup's place in thinning) and a ``BadBackupError`` says so.
    """
    target = unique_backup_path(paths.backups_dir(data_dir), now, reason)
    try:
        copy_database(paths.database_path(data_dir), target)
    except DamagedSourceError as exc:
        raise BadBackupError(
            f"no backup was taken: the library database {exc}, so it may be damaged. "
            "Older backups were left alone. Close mlstudy: the next start checks the library."
        ) from None
    problem = check_file(target)
    if problem != "ok":
        flagged = flag_bad(target)
        raise BadBackupError(
            f"the backup just taken failed its check ({problem}), so the library database "
            f"may be damaged. It was kept as {flagged}; older backups were left alone. "
            "Close mlstudy: the next start checks the library."
        )
    return target


def validate_backup(file: Path) -> None:
    """Refuse a file that is not a whole mlstudy database of a known schema: full
    integrity check, application id, schema version and the exact tables and columns."""
    if not file.is_file():
        raise UserError(f"{file}: no such backup file")
    problem = validate_candidate(file, SCHEMA_VERSION)
    if problem is not None:
        raise UserError(f"{file}: {problem}; nothing was restored")


def replace_database(data_dir: Path, file: Path) -> None:
    """Copy a validated backup over the live database (closed by the caller)."""
    database = paths.database_path(data_dir)
    staged = database.with_name(database.name + ".restoring")
    try:
        copy_database(file, staged, what="the new library database")
    except UserError as exc:
        raise UserError(
            f"could not restore {file}: {exc}. The library database {database} was not changed."
        ) from None
    for extra in ("-wal", "-shm"):
        database.with_name(database.name + extra).unlink(missing_ok=True)
    try:
        os.replace(staged, database)
    except OSError as exc:
        staged.unlink(missing_ok=True)
        raise UserError(
            f"could not replace the library database {database} with {file}: {exc}"
        ) from None


@contextmanager
def environment_errors(what: str) -> Iterator[None]:
    """Turn a full disk, a read-only file or a permission problem into a clear UserError.

    The transaction that hit the error has been rolled back by then: nothing partial stays.
    """
    try:
        yield
    except (DBAPIError, sqlite3.Error) as exc:  # the driver's own, from bulk writes
        original = exc.orig if isinstance(exc, DBAPIError) else exc
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
