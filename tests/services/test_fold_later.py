"""A write of tens of megabytes (a merge) commits to the write-ahead log only; a thread
folds the log into the database file afterwards, and later writes fold as usual."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import pytest

from mlstudy.services import Library
from tests.conftest import FakeClock

ROWS = 3000
"""Settings of 2 KB each: some 1,500 pages, over SQLite's 1,000-page fold threshold."""


@pytest.fixture
def library(tmp_path: Path, pack: Path, clock: FakeClock) -> Library:
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
