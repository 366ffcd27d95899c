"""Schema 10: the new-card flag lives on the placements alone, and every writer of card
states keeps it right on every placement of the card (its home one and a shared one)."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from mlstudy.core.interop import ImportedSchedule
from mlstudy.core.sm2 import Sm2State
from mlstudy.errors import UserError
from mlstudy.services import Library
from mlstudy.services.exams import select_exam
from mlstudy.storage import database
from mlstudy.storage.interop import CardProgress, apply_progress
from tests.packs import card_id, two_pack_library, two_packs
from tests.sync.helpers import SyncTool, open_device

FIXTURES = Path(__file__).parents[1] / "fixtures"
WRONG_FLAGS = text(
    "SELECT exam_id, card_id, is_new FROM placements WHERE is_new IS NOT "
    "(NOT EXISTS (SELECT 1 FROM card_states WHERE card_id = placements.card_id))"
)


def wrong_flags(engine: Engine) -> list[tuple[int, int, bool]]:
    """Placements whose flag disagrees with "the card has no state row"."""
    with engine.connect() as conn:
        return [(int(e), int(c), bool(n)) for e, c, n in conn.execute(WRONG_FLAGS)]


def flags(library: Library, key: str) -> dict[str, bool]:
    """The new-card flag of each placement of a card, by exam code."""
    with library.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT e.code, p.is_new FROM placements p JOIN exams e ON e.id = p.exam_id "
                "WHERE p.card_id = :card"
            ),
            {"card": card_id(library, key)},
        )
        return {str(code): bool(is_new) for code, is_new in rows}


# A library with both small packs; t-recall serves MLS-C01 and, shared, MLA-C01.
library = pytest.fixture(two_pack_library, name="library")


def test_a_new_library_keeps_the_flag_on_the_placements_only(library: Library) -> None:
    with library.engine.connect() as conn:
        columns = {row[1] for row in conn.exec_driver_sql("PRAGMA table_info(cards)")}
    assert "is_new" not in columns
    assert flags(library, "t-recall") == {"MLS-C01": True, "MLA-C01": True}
    assert wrong_flags(library.engine) == []


def test_answer_undo_and_redo_set_every_placement(library: Library) -> None:
    select_exam(library, "MLS-C01")
    library.answer(card_id(library, "t-recall"), 4)
    assert flags(library, "t-recall") == {"MLS-C01": False, "MLA-C01": False}
    select_exam(library, "MLA-C01")
    assert library.counts().new == 3  # MLA-C01 no longer offers it as a new card
    library.undo()
    assert flags(library, "t-recall") == {"MLS-C01": True, "MLA-C01": True}
    assert library.counts().new == 4
    library.redo()
    assert flags(library, "t-recall") == {"MLS-C01": False, "MLA-C01": False}
    assert wrong_flags(library.engine) == []


def test_an_imported_anki_state_sets_every_placement(library: Library) -> None:
    schedule = ImportedSchedule(Sm2State(2, 250, 6), date(2026, 11, 1))
    with library.context.write("test") as conn:
        result = apply_progress(
            conn, [CardProgress("t-recall", schedule)], library.now().isoformat(), None
        )
    assert result.states == 1
    assert flags(library, "t-recall") == {"MLS-C01": False, "MLA-C01": False}
    assert wrong_flags(library.engine) == []


def test_a_card_mapped_in_later_brings_its_flag(library: Library, tmp_path: Path) -> None:
    """The content sync gives a new shared placement the card's flag: no state, new."""
    select_exam(library, "MLS-C01")
    library.answer(card_id(library, "t-kds"), 4)
    shared = tmp_path / "content" / "mla-c01" / "shared" / "mls.toml"
    shared.write_text('"t-kds" = "1.1"\n"t-lasso" = "2.1"\n', encoding="utf-8")
    assert library.sync_content().changes.content
    assert flags(library, "t-kds") == {"MLS-C01": False, "MLA-C01": False}
    assert flags(library, "t-lasso") == {"MLS-C01": True, "MLA-C01": True}
    assert wrong_flags(library.engine) == []


def test_a_sync_merge_sets_every_placement_both_ways(tmp_path: Path) -> None:
    content = two_packs(tmp_path / "content")
    a = open_device(tmp_path, "a", content)
    b = open_device(tmp_path, "b", content)
    tool = SyncTool([a, b])
    a.answer("t-recall", 5)
    a.sync()
    tool.deliver_all()
    assert b.sync()["received"] == 1
    assert flags(b.library, "t-recall") == {"MLS-C01": False, "MLA-C01": False}
    assert wrong_flags(b.library.engine) == []
    a.clock.advance(minutes=1)
    a.library.undo()  # the merge replays the card: every answer undone, new again
    a.sync()
    tool.deliver_all()
    assert b.sync()["received"] == 1
    assert flags(b.library, "t-recall") == {"MLS-C01": True, "MLA-C01": True}
    assert wrong_flags(b.library.engine) == []
    a.library.close()
    b.library.close()


def _v9_copy(tmp_path: Path) -> Path:
    """The v9 fixture with wrong flags on both placements of card 1 (which has a state)
    and on the home placement of a card 4 added without a state."""
    path = tmp_path / "mlstudy.sqlite3"
    shutil.copy(FIXTURES / "schema-v9.sqlite3", path)
    raw = sqlite3.connect(path)
    with raw:
        raw.execute(
            "INSERT INTO cards (id, key, exam_id, domain, task, question, answer, tags, "
            "source_url, file, line, position, new_rank, content_hash, archived, suspended, "
            "is_new, created_at) SELECT 4, 'fx-new', exam_id, domain, task, 'Q?', 'A.', '', "
            "'', file, 99, 9, new_rank, 'x', 0, 0, 1, created_at FROM cards WHERE id = 3"
        )
        raw.execute("UPDATE placements SET is_new = 1 WHERE card_id = 1")
        raw.execute("UPDATE placements SET is_new = 0 WHERE card_id = 4")
        assert raw.execute("SELECT count(*) FROM placements WHERE card_id = 1").fetchone() == (2,)
    raw.close()
    return path


def test_version_10_moves_the_flag_and_keeps_the_triggers(tmp_path: Path) -> None:
    path = _v9_copy(tmp_path)
    engine = database.create_db_engine(path)
    try:
        assert database.migrate(engine, path) == 9
        assert wrong_flags(engine) == []
        with engine.begin() as conn:
            placed: dict[int, int] = dict(
                conn.exec_driver_sql("SELECT card_id, is_new FROM placements").all()
            )
            assert (placed[1], placed[4]) == (0, 1)
            columns = {row[1] for row in conn.exec_driver_sql("PRAGMA table_info(cards)")}
            assert "is_new" not in columns and "suspended" in columns
            conn.exec_driver_sql("UPDATE cards SET suspended = 1, archived = 1 WHERE id = 1")
            conn.exec_driver_sql(
                "INSERT INTO cards (id, key, exam_id, domain, task, question, answer, tags, "
                "source_url, file, line, position, new_rank, content_hash, archived, "
                "suspended, created_at) SELECT 5, 'fx-later', exam_id, domain, task, 'Q?', "
                "'A.', '', '', file, 100, 10, new_rank, 'y', 0, 0, created_at "
                "FROM cards WHERE id = 3"
            )
            conn.exec_driver_sql("UPDATE cards SET domain = 1 WHERE id = 2")  # home moves
            rows = conn.exec_driver_sql(
                "SELECT card_id, home, archived, suspended, is_new FROM placements "
                "WHERE card_id IN (1, 2, 5) ORDER BY card_id, home"
            ).all()
        assert [tuple(r) for r in rows] == [
            (1, 0, 1, 1, 0),  # the shared placement follows the card's flags
            (1, 1, 1, 1, 0),
            (2, 1, 0, 0, 0),  # a reviewed card's moved home placement stays not new
            (5, 1, 0, 0, 1),  # a card added later starts new
        ]
        assert database.quick_check(engine) == "ok"
    finally:
        engine.dispose()


def test_version_10_refuses_an_sqlite_without_drop_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _v9_copy(tmp_path)
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 34, 1))
    engine = database.create_db_engine(path)
    try:
        with pytest.raises(UserError, match=r"needs SQLite 3\.35 or newer"):
            database.migrate(engine, path)
        with engine.connect() as conn:
            assert database.schema_version(conn) == 9
            columns = {row[1] for row in conn.exec_driver_sql("PRAGMA table_info(cards)")}
        assert "is_new" in columns  # rolled back whole
    finally:
        engine.dispose()
