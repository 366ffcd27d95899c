"""Backups with SQLite's online backup API, the thinning policy, and damaged-file handling."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from mlstudy.errors import UserError

BACKUP_PREFIX = "mlstudy-"
BACKUP_SUFFIX = ".sqlite3"
STAMP_FORMAT = "%Y%m%d-%H%M%S"
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


def backup_name(moment: datetime, reason: str = "") -> str:
    """``mlstudy-20261129-101500[-reason].sqlite3`` (UTC)."""
    suffix = f"-{reason}" if reason else ""
    return f"{BACKUP_PREFIX}{moment.strftime(STAMP_FORMAT)}{suffix}{BACKUP_SUFFIX}"


def parse_backup_name(path: Path) -> datetime | None:
    """The moment a backup was taken, from its file name (None for other files)."""
    name = path.name
    if not (name.startswith(BACKUP_PREFIX) and name.endswith(BACKUP_SUFFIX)):
        return None
    stamp = name[len(BACKUP_PREFIX) : len(BACKUP_PREFIX) + 15]
    try:
        return datetime.strptime(stamp, STAMP_FORMAT)
    except ValueError:
        return None


def list_backups(folder: Path) -> list[BackupFile]:
    """Backups in a folder, newest first."""
    if not folder.is_dir():
        return []
    found = [BackupFile(p, m) for p in folder.iterdir() if (m := parse_backup_name(p)) is not None]
    return sorted(found, key=lambda b: (b.taken_at, b.path.name), reverse=True)


def copy_database(source: Path, target: Path) -> None:
    """Copy a live database consistently (WAL included) with the SQLite backup API.

    The copy is written next to the target and renamed into place, so a crash never
    leaves a half-written file under a backup's name.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
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
        raise UserError(f"could not write the backup {target}: {exc}") from None


def check_database_file(path: Path) -> str:
    """ "ok", or why a file is not a usable SQLite database (quick check, read-only)."""
    try:
        if path.stat().st_size == 0:
            return "the file is empty"
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except (OSError, sqlite3.Error) as exc:
        return str(exc)
    return "ok" if rows == ["ok"] else "; ".join(str(r) for r in rows[:3])


def schema_version_of(path: Path) -> int:
    """``PRAGMA user_version`` of a database file (read-only)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def move_aside(path: Path, moment: datetime) -> Path:
    """Rename a damaged database (and its WAL/SHM files) out of the way; never delete it."""
    stamp = moment.strftime(STAMP_FORMAT)
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    os.replace(path, target)
    for extra in ("-wal", "-shm"):
        side = path.with_name(path.name + extra)
        if side.exists():
            os.replace(side, target.with_name(target.name + extra))
    return target


def backups_to_keep(backups: Iterable[BackupFile], today: date) -> set[Path]:
    """The thinning policy: all of today and yesterday, then the newest backup of each of
    the last 12 days, 10 weeks and 9 months that have one."""
    ordered = sorted(backups, key=lambda b: b.taken_at, reverse=True)
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
