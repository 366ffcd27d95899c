"""Schema 6 (study on several computers): the migration and the schema-6 fixture."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from mlstudy.services import Library
from mlstudy.storage import sync_log
from mlstudy.storage.sync_schema import add_sync_tables
from tests.conftest import FakeClock

FIXTURES = Path(__file__).parents[1] / "fixtures"
SYNC_TABLES = {"sync_device", "sync_events", "sync_outbox", "sync_peers", "sync_values"}


def _tables(library: Library) -> set[str]:
    with library.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {str(r[0]) for r in rows}


def test_a_schema_5_library_gains_the_sync_tables_and_keeps_its_log(
    tmp_path: Path, pack: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURES / "schema-v5.sqlite3", data / "mlstudy.sqlite3")
    clock = FakeClock(datetime(2026, 11, 3, 12, tzinfo=UTC))
    with Library.open(data, clock=clock, tz=UTC, content_root=pack, sync=False) as library:
        assert _tables(library) >= SYNC_TABLES
        with library.engine.connect() as conn:
            assert sync_log.load_device(conn) is None
            reviews = conn.exec_driver_sql("SELECT count(*) FROM reviews").scalar()
        assert reviews == 6
        with library.engine.begin() as conn:
            add_sync_tables(conn)  # self-contained and repeatable: it may be renumbered


def test_the_schema_6_fixture_copied_elsewhere_gets_a_new_device_id(
    tmp_path: Path, pack: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURES / "schema-v6.sqlite3", data / "mlstudy.sqlite3")
    (tmp_path / "sync").mkdir()
    clock = FakeClock(datetime(2026, 11, 3, 12, tzinfo=UTC))
    with Library.open(data, clock=clock, tz=UTC, content_root=pack, sync=False) as library:
        with library.engine.connect() as conn:
            before = sync_log.load_device(conn)
        assert before is not None and before.written_seq > 0
        library.sync.set_folder(tmp_path / "sync")
        result = library.sync.run()
        assert result is not None and result.problems == ()
        with library.engine.connect() as conn:
            after = sync_log.load_device(conn)
            peers = sync_log.peers(conn)
        assert after is not None and after.device != before.device
        # The old id's events were already sent: the copy merges from it, never as it.
        assert peers == {before.device: before.next_seq - 1}
        # Only what schema 9 wrote is new: the exam date, now MLS-C01's own.
        assert result.sent == 1
