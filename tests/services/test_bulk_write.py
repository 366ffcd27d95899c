"""A write of tens of megabytes (a merge) commits to the write-ahead log only; a thread
folds the log into the database file afterwards, and later writes fold as usual. A write
whose card ids are checked by its caller leaves SQLite's foreign-key look-ups out, and
only that write."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import pytest
from sqlalchemy import Connection

from mlstudy.services import Library
from tests.conftest import FakeClock

ROWS = 3000
"""Settings of 2 KB each: some 1,500 pages, over SQLite's 1,000-page fold threshold."""


@pytest.fixture
def library(tmp_path: Path, pack: Path, clock: FakeClock) -> Iterator[Library]:
    opened = Library.open(tmp_path / "lib", clock=clock, tz=UTC, content_root=pack, lock=False)
    yield opened
    opened.close()


def _write_big(library: Library, prefix: str, fold_later: bool) -> None:
    with library.context.write("writing", fold_later=fold_later) as conn:
        conn.exec_driver_sql(
            "INSERT INTO settings (key, value) VALUES (?, ?)",
            [(f"{prefix}{i}", "x" * 2000) for i in range(ROWS)],
        )


def _database_size(library: Library) -> int:
    return (library.data_dir / "mlstudy.sqlite3").stat().st_size


def test_the_folding_thread_brings_the_write_into_the_database_file(library: Library) -> None:
    library.context.finish_folding()
    before = _database_size(library)
    _write_big(library, "a", fold_later=True)
    library.context.finish_folding()
    assert _database_size(library) > before + ROWS * 2000


def test_the_commit_itself_does_not_fold(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    library.context.finish_folding()
    started: list[int] = []
    monkeypatch.setattr(
        library.context, "_fold_in_background", lambda: started.append(_database_size(library))
    )
    before = _database_size(library)
    _write_big(library, "a", fold_later=True)
    assert started == [before]  # committed, and the file not grown: the pages wait in the log


def test_writes_after_it_fold_as_they_commit(library: Library) -> None:
    _write_big(library, "a", fold_later=True)
    library.context.finish_folding()
    before = _database_size(library)
    _write_big(library, "b", fold_later=False)
    assert _database_size(library) > before + ROWS * 2000  # SQLite folded it at commit


def _foreign_keys(conn: Connection) -> int:
    return int(conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one())


def test_keys_checked_turns_the_look_ups_off_for_that_write_only(library: Library) -> None:
    with library.context.write("merging", keys_checked=True) as conn:
        assert _foreign_keys(conn) == 0
    with library.context.write("answering") as conn:
        assert _foreign_keys(conn) == 1
    with library.context.read() as conn:
        assert _foreign_keys(conn) == 1
