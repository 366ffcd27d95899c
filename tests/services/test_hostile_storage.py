"""Hostile paths and damaged files around the database (issue 13, findings 2, 4, 5, 8, 9,
11, 17, 19): every one of these broke the library before."""

from __future__ import annotations

import errno
import os
import sqlite3
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from mlstudy.errors import UserError
from mlstudy.services import Library
from mlstudy.services.safety import BadBackupError, DamagedLibraryError
from mlstudy.storage.integrity import APPLICATION_ID, check_file
from tests.conftest import FakeClock

ODD_NAMES = ["lib #1", "lib ?mode=rw", "lib %41", "bibliothèque données", "x&y=z;w"]


def answer_some(library: Library, count: int) -> None:
    for _ in range(count):
        card = library.next_card()
        assert card is not None
        library.answer(card.id, 5)


def table_names(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()


def corrupt_in_place(database: Path) -> None:
    """Garble the last page of a closed database, keeping its size and mtime."""
    info = database.stat()
    data = bytearray(database.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    start = len(data) - page_size
    data[start : start + 64] = bytes(range(200, 255)) + bytes(9)
    database.write_bytes(bytes(data))
    os.utime(database, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert check_file(database) != "ok"


@pytest.mark.parametrize("name", ODD_NAMES)
def test_data_dirs_with_url_characters_back_up_and_restore(
    tmp_path: Path, pack: Path, clock: FakeClock, name: str
) -> None:
    data = tmp_path / name / "data"
    with Library.open(data, clock=clock, tz=UTC, content_root=pack) as library:
        answer_some(library, 2)
        backup = library.backup_now("manual")
        assert {"cards", "reviews", "card_states"} <= table_names(backup)  # not an empty file
        answer_some(library, 1)
        clock.advance(seconds=1)
        library.restore(backup)  # a backup in a folder named with '#' is accepted
        assert library.counts().studied == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["content", name])


def test_data_dirs_differing_after_a_question_mark_do_not_share_a_database(
    tmp_path: Path, pack: Path, clock: FakeClock
) -> None:
    first, second = tmp_path / "d?a", tmp_path / "d?b"
    with Library.open(first, clock=clock, tz=UTC, content_root=pack) as library:
        answer_some(library, 2)
    with Library.open(second, clock=clock, tz=UTC, content_root=pack) as library:
        assert library.counts().studied == 0
    assert (first / "mlstudy.sqlite3").is_file() and (second / "mlstudy.sqlite3").is_file()


def test_a_start_up_check_that_raises_anything_counts_as_damage(
    tmp_path: Path, pack: Path, clock: FakeClock
) -> None:
    data = tmp_path / "d"
    with Library.open(data, clock=clock, tz=UTC, content_root=pack) as library:
        good = library.backup_now("manual")
    database = data / "mlstudy.sqlite3"
    conn = sqlite3.connect(database)
    conn.execute("PRAGMA writable_schema=ON")
    # A garbled name in the schema: the driver raises UnicodeDecodeError, not sqlite3.Error.
    conn.execute("UPDATE sqlite_master SET name = CAST(X'73ff' AS TEXT) WHERE name='settings'")
    conn.commit()
    conn.close()
    clock.advance(minutes=1)
    with pytest.raises(DamagedLibraryError) as caught:
        Library.open(data, clock=clock, tz=UTC, content_root=pack)
    assert "UnicodeDecodeError" in caught.value.reason
    assert caught.value.backup == good
    assert not database.exists() and caught.value.damaged.is_file()


def test_silent_corruption_after_a_clean_close_is_found_within_a_day(
    tmp_path: Path, pack: Path, clock: FakeClock
) -> None:
    data = tmp_path / "d"
    with Library.open(data, clock=clock, tz=UTC, content_root=pack) as library:
        answer_some(library, 3)
    database = data / "mlstudy.sqlite3"
    assert (data / "mlstudy.clean").is_file()
    corrupt_in_place(database)
    clock.advance(days=1, minutes=1)
    with pytest.raises(DamagedLibraryError):
        Library.open(data, clock=clock, tz=UTC, content_root=pack)


def test_a_backup_of_a_damaged_database_is_flagged_and_spares_the_good_ones(
    tmp_path: Path, pack: Path, clock: FakeClock
) -> None:
    data = tmp_path / "d"
    library = Library.open(data, clock=clock, tz=UTC, content_root=pack)
    try:
        answer_some(library, 2)
        good = library.backup_now("manual")
        library.engine.dispose()  # checkpoints the WAL into the file
        corrupt_in_place(data / "mlstudy.sqlite3")
        clock.advance(days=40)
        # Either the copy cannot read the damaged file, or the copy fails its check and
        # is flagged: both say so, and neither takes a good backup's place.
        with pytest.raises(BadBackupError, match="may be damaged"):
            library.backup_now("manual")
        assert [b.path for b in library.backups()] == [good]
        assert len(list((data / "backups").glob("*.bad"))) <= 1
    finally:
        library._dirty = False  # no backup on close: the file is damaged on purpose
        library.close()


def look_alike(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE cards (id INTEGER PRIMARY KEY, front TEXT);"
        "CREATE TABLE reviews (id INTEGER PRIMARY KEY, note TEXT);"
        "CREATE TABLE card_states (card_id INTEGER, x TEXT);"
        "CREATE TABLE settings (key TEXT, value TEXT);"
        "PRAGMA user_version=3;"
    )
    conn.commit()
    conn.close()


def test_restore_refuses_a_look_alike_and_a_foreign_database(
    library: Library, tmp_path: Path, clock: FakeClock
) -> None:
    answer_some(library, 2)
    fake = tmp_path / "look-alike.sqlite3"
    look_alike(fake)
    with pytest.raises(UserError, match="nothing was restored"):
        library.restore(fake)
    foreign = library.backup_now("manual")
    conn = sqlite3.connect(foreign)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    conn.execute("PRAGMA application_id=1234")
    conn.commit()
    conn.close()
    with pytest.raises(UserError, match="another program"):
        library.restore(foreign)
    assert library.counts().studied == 2
    assert library.integrity() == "ok"


def test_two_restores_in_the_same_moment_keep_both_safety_copies(
    library: Library, clock: FakeClock
) -> None:
    answer_some(library, 1)
    backup = library.backup_now("manual")
    answer_some(library, 2)
    first = library.restore(backup)  # the clock does not move between the two
    answer_some(library, 3)
    second = library.restore(backup)
    assert first != second and first.is_file() and second.is_file()
    library.restore(first)
    assert library.counts().studied == 3
    library.restore(second)
    assert library.counts().studied == 4


def test_a_folder_named_like_a_backup_is_not_thinned(library: Library, clock: FakeClock) -> None:
    folder = library.data_dir / "backups" / "mlstudy-20200101-000000-auto.sqlite3"
    folder.mkdir(parents=True)
    answer_some(library, 1)
    library.backup_now("manual")
    assert folder.is_dir()
    assert all(b.path != folder for b in library.backups())


def test_a_restore_failing_on_a_full_disk_names_the_library_file(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer_some(library, 2)
    backup = library.backup_now("manual")
    answer_some(library, 1)
    calls: list[int] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) > 1:  # the safety copy fits; the restored copy does not
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr("mlstudy.storage.backup.os.fsync", fsync)
    database = library.data_dir / "mlstudy.sqlite3"
    with pytest.raises(UserError) as caught:
        library.restore(backup)
    message = str(caught.value)
    assert "No space left" in message
    assert f"the backup {database}" not in message
    assert f"library database {database} was not changed" in message
    monkeypatch.undo()
    assert library.counts().studied == 3


@pytest.mark.parametrize("how", ["directory", "permission"])
def test_an_unwritable_lock_file_is_a_clear_error(
    tmp_path: Path, pack: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    data = tmp_path / "d"
    data.mkdir()
    (data / "decks").mkdir()
    if how == "directory":
        (data / "mlstudy.lock").mkdir()
    else:  # what a read-only data dir gives a normal user (root ignores permission bits)
        real_open = open

        def refuse(file: object, *args: object, **kwargs: object) -> object:
            if str(file).endswith("mlstudy.lock"):
                raise PermissionError(errno.EACCES, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

        monkeypatch.setattr("builtins.open", refuse)
    with pytest.raises(UserError, match=r"cannot open the lock file .*mlstudy\.lock"):
        Library.open(data, content_root=pack)


def test_old_style_backup_names_still_list_and_restore(library: Library, clock: FakeClock) -> None:
    answer_some(library, 1)
    backup = library.backup_now("manual")
    old = backup.with_name("mlstudy-20261101-101500-auto.sqlite3")
    backup.rename(old)
    assert [b.path for b in library.backups()] == [old]
    assert library.backups()[0].taken_at == (clock.now - timedelta(days=1)).replace(
        hour=10, minute=15, second=0, tzinfo=None
    )
    library.restore(old)
    assert library.counts().studied == 1


@pytest.mark.parametrize("version", [1, 2, 3])
def test_backups_of_every_released_schema_pass_the_restore_check(
    library: Library, tmp_path: Path, version: int
) -> None:
    import shutil

    fixture = Path(__file__).parent.parent / "fixtures" / f"schema-v{version}.sqlite3"
    old = tmp_path / f"old-v{version}.sqlite3"
    shutil.copy(fixture, old)
    library.restore(old)  # application id unset and an older shape: still ours
    assert library.integrity() == "ok"
    with library.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA application_id").scalar() == APPLICATION_ID
