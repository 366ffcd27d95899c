"""Backups with SQLite's online backup API, the thinning policy, and damaged-file handling."""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from mlstudy.errors import UserError
from mlstudy.storage.integrity import check_file, connect_readonly

BACKUP_PREFIX = "mlstudy-"
BACKUP_SUFFIX = ".sqlite3"
STAMP_FORMAT = "%Y%m%d-%H%M%S"
BAD_SUFFIX = ".bad"
"""Added to a backup that failed its check after writing: never listed, never thinned."""
_NAME_RE = re.compile(
    r"^mlstudy-(?P<stamp>\d{8}-\d{6})(?:\.(?P<micro>\d{6}))?(?:-(?P<counter>\d+))?(?:-.*)?"
    r"\.sqlite3$"
)
KEEP_DAILY = 12
KEEP_WEEKLY = 10
KEEP_MONTHLY = 9


@dataclass(frozen=True, slots=True)
class BackupFile:
    """A backup in the backups folder, with the UTC moment in its name."""

    path: Path
    taken_at: datetime

    @property
    def size(self) -> int:
        """Bytes on disk."""
        return self.path.stat().st_size


def backup_name(moment: datetime, reason: str = "", counter: int = 1) -> str:
    """``mlstudy-20261129-101500.123456[-2][-reason].sqlite3`` (UTC, microseconds).

    The counter (left out when 1) tells apart backups taken in the same microsecond.
    """
    stamp = f"{moment.strftime(STAMP_FORMAT)}.{moment.microsecond:06d}"
    count = f"-{counter}" if counter > 1 else ""
    suffix = f"-{reason}" if reason else ""
    return f"{BACKUP_PREFIX}{stamp}{count}{suffix}{BACKUP_SUFFIX}"


def unique_backup_path(folder: Path, moment: datetime, reason: str = "") -> Path:
    """A backup path in ``folder`` that no file (flagged ones included) has yet."""
    counter = 1
    while True:
        path = folder / backup_name(moment, reason, counter)
        flagged = path.with_name(path.name + BAD_SUFFIX)
        if not (os.path.lexists(path) or os.path.lexists(flagged)):
            return path
        counter += 1


def parse_backup_name(path: Path) -> datetime | None:
    """The moment a backup was taken, from its file name (None for other files).

    Names from before sub-second stamps (``mlstudy-20261129-101500-auto.sqlite3``) parse too.
    """
    match = _NAME_RE.match(path.name)
    if match is None:
        return None
    try:
        moment = datetime.strptime(match["stamp"], STAMP_FORMAT)
    except ValueError:
        return None
    return moment.replace(microsecond=int(match["micro"] or 0))


def _order(path: Path) -> int:
    match = _NAME_RE.match(path.name)
    return int(match["counter"] or 1) if match else 0


def list_backups(folder: Path) -> list[BackupFile]:
    """Backups in a folder, newest first: regular files with a backup's name only
    (a folder or a device named like one is not a backup)."""
    if not folder.is_dir():
        return []
    found = [
        BackupFile(p, m)
        for p in folder.iterdir()
        if (m := parse_backup_name(p)) is not None and p.is_file() and not p.is_symlink()
    ]
    return sorted(found, key=lambda b: (b.taken_at, _order(b.path), b.path.name), reverse=True)


def _is_damage(exc: sqlite3.Error) -> bool:
    """Whether SQLite says the file itself is damaged (the backup API gives no code)."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or (
        "malformed" in text or "not a database" in text
    )


class DamagedSourceError(UserError):
    """The database being copied could not be read: it is damaged."""


def copy_database(source: Path, target: Path, what: str = "the backup") -> None:
    """Copy a live database consistently (WAL included) with the SQLite backup API.

    The copy is written next to the target and renamed into place, so a crash never
    leaves a half-written file under a backup's name. ``what`` names the target in an
    error ("the backup", "the library database").
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        src = connect_readonly(source)
        try:
            dst = sqlite3.connect(partial)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=DELETE")
            finally:
                dst.close()
        finally:
            src.close()
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as exc:
        partial.unlink(missing_ok=True)
        if isinstance(exc, sqlite3.Error) and _is_damage(exc):
            raise DamagedSourceError(f"{source} could not be read ({exc})") from None
        raise UserError(f"could not write {what} {target}: {exc}") from None


def check_database_file(path: Path) -> str:
    """ "ok", or why a file is not a usable SQLite database (quick check, read-only)."""
    return check_file(path)


def flag_bad(path: Path) -> Path:
    """Rename a backup that failed its check so it is never listed, restored or thinned."""
    flagged = path.with_name(path.name + BAD_SUFFIX)
    os.replace(path, flagged)
    return flagged


def schema_version_of(path: Path) -> int:
    """``PRAGMA user_version`` of a database file (read-only)."""
    conn = connect_readonly(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def move_aside(path: Path, moment: datetime) -> Path:
    """Rename a damaged database (and its WAL/SHM files) out of the way; never delete it."""
    stamp = f"{moment.strftime(STAMP_FORMAT)}.{moment.microsecond:06d}"
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    counter = 1
    while os.path.lexists(target):
        counter += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{counter}")
    os.replace(path, target)
    for extra in ("-wal", "-shm"):
        side = path.with_name(path.name + extra)
        if side.exists():
            os.replace(side, target.with_name(target.name + extra))
    return target


def backups_to_keep(backups: Iterable[BackupFile], today: date) -> set[Path]:
    """The thinning policy: all of today and yesterday, then the newest backup of each of
    the last 12 days, 10 weeks and 9 months that have one."""
    ordered = sorted(backups, key=lambda b: (b.taken_at, _order(b.path)), reverse=True)
    keep: set[Path] = set()
    days: set[date] = set()
    weeks: set[tuple[int, int]] = set()
    months: set[tuple[int, int]] = set()
    for backup in ordered:
        day = backup.taken_at.date()
        if day >= today - timedelta(days=1):
            keep.add(backup.path)
            continue
        if day not in days and len(days) < KEEP_DAILY:
            days.add(day)
            keep.add(backup.path)
        week = day.isocalendar()[:2]
        if week not in weeks and len(weeks) < KEEP_WEEKLY:
            weeks.add(week)
            keep.add(backup.path)
        month = (day.year, day.month)
        if month not in months and len(months) < KEEP_MONTHLY:
            months.add(month)
            keep.add(backup.path)
    return keep


def thin_backups(folder: Path, today: date) -> list[Path]:
    """Delete backups the policy does not keep; return what was deleted."""
    backups = list_backups(folder)
    keep = backups_to_keep(backups, today)
    removed = []
    for backup in backups:
        if backup.path not in keep:
            backup.path.unlink(missing_ok=True)
            removed.append(backup.path)
    return removed
