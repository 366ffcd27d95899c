"""Backups, restore, damaged databases, migrations and environment faults."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from mlstudy.errors import UserError
from mlstudy.services import Library
from mlstudy.services.safety import DamagedLibraryError
from mlstudy.storage.backup import BackupFile, backups_to_keep
from tests.conftest import FakeClock


def answer_some(library: Library, count: int) -> None:
    for _ in range(count):
        card = library.next_card()
        assert card is not None
        library.answer(card.id, 5)


def test_backup_and_restore_round_trip(library: Library, clock: FakeClock) -> None:
    answer_some(library, 2)
    backup = library.backup_now("manual")
    assert backup.parent == library.data_dir / "backups"
    answer_some(library, 2)
    assert library.counts().studied == 4
    clock.advance(seconds=5)
    previous = library.restore(backup)
    assert library.counts().studied == 2
    assert previous.name.endswith("-before-restore.sqlite3")
    assert library.integrity() == "ok"
    clock.advance(seconds=5)
    library.restore(previous)
    assert library.counts().studied == 4


def test_restore_refuses_a_file_that_is_not_a_library(library: Library, tmp_path: Path) -> None:
    answer_some(library, 1)
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    for bad in (junk, other, tmp_path / "missing.sqlite3"):
        with pytest.raises(UserError, match=r"nothing was restored|no such backup"):
            library.restore(bad)
    assert library.counts().studied == 1
    assert library.backups() == []


def test_auto_backup_only_when_changed_and_every_30_minutes(
    library: Library, clock: FakeClock
) -> None:
    assert library.maybe_auto_backup() is not None  # the first open imported the decks
    clock.advance(minutes=31)
    assert library.maybe_auto_backup() is None  # nothing changed since
    answer_some(library, 1)
    assert library.maybe_auto_backup() is not None
    answer_some(library, 1)
    clock.advance(minutes=10)
    assert library.maybe_auto_backup() is None
    clock.advance(minutes=21)
    assert library.maybe_auto_backup() is not None
    assert len(library.backups()) == 3


def test_close_backs_up_when_data_changed(tmp_path: Path, pack: Path, clock: FakeClock) -> None:
    with Library.open(tmp_path / "d", clock=clock, tz=UTC, content_root=pack) as lib:
        answer_some(lib, 1)
    with Library.open(tmp_path / "d", clock=clock, tz=UTC, content_root=pack) as lib:
        assert [b.path.name.endswith("-close.sqlite3") for b in lib.backups()] == [True]


def test_thinning_policy_keeps_the_documented_set() -> None:
    today = date(2026, 11, 29)
    start = datetime(2026, 11, 29, 18)
    backups = [
        BackupFile(Path(f"b{i}"), start - timedelta(hours=6 * i)) for i in range(4 * 400)
    ]  # four a day (00, 06, 12, 18 h) for 400 days
    keep = backups_to_keep(backups, today)
    kept = [b for b in backups if b.path in keep]
    recent = [b for b in kept if b.taken_at.date() >= today - timedelta(days=1)]
    older = [b for b in kept if b not in recent]
    assert len(recent) == 8  # every backup of today and yesterday
    for days_ago in range(2, 14):  # the newest of each of the 12 days before
        day = today - timedelta(days=days_ago)
        assert [b.taken_at.hour for b in older if b.taken_at.date() == day] == [18]
    assert len({(b.taken_at.year, b.taken_at.month) for b in older}) == 9
    assert len({b.taken_at.isocalendar()[:2] for b in older}) >= 10
    assert len(older) <= 12 + 10 + 9
    assert min(b.taken_at for b in older) >= datetime(2026, 3, 1)
    assert len(keep) < len(backups)


def damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 3])
    elif how == "random":
        middle = len(data) // 2
        noise = bytes((i * 97 + 13) % 256 for i in range(8192))
        path.write_bytes(data[:4096] + noise + data[4096 + len(noise) :] if middle else data)
    else:
        path.write_bytes(b"")


@pytest.mark.parametrize("how", ["truncated", "random", "zero"])
def test_damaged_database_is_moved_aside_and_a_backup_offered(
    tmp_path: Path, pack: Path, clock: FakeClock, how: str
) -> None:
    data = tmp_path / "d"
    with Library.open(data, clock=clock, tz=UTC, content_root=pack) as lib:
        answer_some(lib, 3)
        good = lib.backup_now("manual")
    database = data / "mlstudy.sqlite3"
    for extra in ("-wal", "-shm"):
        Path(str(database) + extra).unlink(missing_ok=True)
    damage(database, how)
    damaged_bytes = database.read_bytes()
    clock.advance(minutes=1)
    with pytest.raises(DamagedLibraryError) as caught:
        Library.open(data, clock=clock, tz=UTC, content_root=pack)
    error = caught.value
    assert error.backup == good
    assert error.damaged.read_bytes() == damaged_bytes  # moved, never overwritten
    assert "mlstudy restore" in str(error)
    assert not database.exists()
    with Library.open(data, clock=clock, tz=UTC, content_root=pack) as lib:
        lib.restore(good)
        assert lib.counts().studied == 3


def test_newer_schema_is_refused_and_left_untouched(
    tmp_path: Path, pack: Path, clock: FakeClock
) -> None:
    data = tmp_path / "d"
    Library.open(data, clock=clock, tz=UTC, content_root=pack).close()
    database = data / "mlstudy.sqlite3"
    conn = sqlite3.connect(database)
    conn.execute("PRAGMA user_version=99")
    conn.commit()
    conn.close()
    before = hashlib.sha256(database.read_bytes()).hexdigest()
    with pytest.raises(UserError, match="newer mlstudy"):
        Library.open(data, clock=clock, tz=UTC, content_root=pack)
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before


def test_read_only_data_dir_is_a_clear_error(
    tmp_path: Path, pack: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Root ignores permission bits: inject the error the OS gives everyone else.
        real_mkdir = Path.mkdir

        def refuse(self: Path, *args: object, **kwargs: object) -> None:
            if self.is_relative_to(folder):
                raise PermissionError(13, "Permission denied", str(self))
            real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(Path, "mkdir", refuse)
    try:
        with pytest.raises(
            UserError, match=f"cannot create the data dir {folder}: Permission denied"
        ):
            Library.open(folder, content_root=pack)
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_full_disk_keeps_everything_consistent(library: Library) -> None:
    answer_some(library, 1)
    with library.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
        conn.rollback()
    # Cap the file at its current size on every new connection: the next write hits
    # SQLITE_FULL exactly like a full disk.
    from sqlalchemy import event

    event.listen(
        library.engine, "connect", lambda dbapi, _r: dbapi.execute(f"PRAGMA max_page_count={pages}")
    )
    library.engine.dispose()
    big = "x" * 200_000
    with pytest.raises(UserError, match="disk is full"):
        library.update_settings(deck_folders=[big] * 20)
    assert library.settings()["deck_folders"] == []
    assert library.counts().studied == 1
    assert library.integrity() == "ok"


def test_full_check_is_skipped_only_for_an_untouched_cleanly_closed_file(
    tmp_path: Path, pack: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlstudy.services import safety

    checks: list[Path] = []
    real = safety.check_database_file
    monkeypatch.setattr(
        safety, "check_database_file", lambda path: checks.append(path) or real(path)
    )
    data = tmp_path / "d"
    Library.open(data, clock=clock, tz=UTC, content_root=pack).close()
    Library.open(data, clock=clock, tz=UTC, content_root=pack).close()
    assert checks == []  # closed cleanly and untouched since
    crashed = Library.open(data, clock=clock, tz=UTC, content_root=pack)
    crashed.engine.dispose()
    crashed._lock.release()  # type: ignore[union-attr]  # as if the process died
    Library.open(data, clock=clock, tz=UTC, content_root=pack).close()
    assert len(checks) == 1  # no clean-close marker: checked in full
    database = data / "mlstudy.sqlite3"
    os.utime(database, ns=(1, 1))  # touched by something else
    Library.open(data, clock=clock, tz=UTC, content_root=pack).close()
    assert len(checks) == 2
