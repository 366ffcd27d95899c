"""Every committed fixture database (one per released schema version) migrates intact."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from mlstudy.services import Library
from mlstudy.storage import database
from tests.conftest import FakeClock

FIXTURES = sorted(
    (Path(__file__).parents[1] / "fixtures").glob("schema-v*.sqlite3"),
    key=lambda path: int(path.stem.removeprefix("schema-v")),  # v10 after v9
)


def test_there_is_a_fixture_for_the_current_schema() -> None:
    assert f"schema-v{database.SCHEMA_VERSION}.sqlite3" in [f.name for f in FIXTURES]


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_fixture_migrates_with_data_intact(fixture: Path, tmp_path: Path, pack: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(fixture, data / "mlstudy.sqlite3")
    clock = FakeClock(datetime(2026, 11, 3, 12, tzinfo=UTC))
    fixture_version = int(fixture.stem.removeprefix("schema-v"))
    with Library.open(data, clock=clock, tz=UTC, content_root=pack, sync=False) as library:
        with library.engine.connect() as conn:
            assert database.schema_version(conn) == database.SCHEMA_VERSION
            wrong_days = conn.exec_driver_sql(
                "SELECT count(*) FROM reviews WHERE day_number IS NULL OR day_number != "
                "CAST(julianday(study_day) - 1721424.5 AS INTEGER)"
            ).scalar()
            assert wrong_days == 0  # version 3 backfills the day ordinal
            reviews = conn.execute(
                text("SELECT card_id, study_day, grade, kind FROM reviews ORDER BY id")
            ).all()
        assert [tuple(r) for r in reviews] == [
            (1, "2026-11-01", 5, "new"),
            (2, "2026-11-01", 4, "new"),
            (3, "2026-11-01", 2, "new"),
            (1, "2026-11-02", 4, "review"),
            (2, "2026-11-02", 5, "review"),
            (3, "2026-11-02", 5, "review"),
        ]
        card = library.card(3)
        assert (card.repetitions, card.easiness, card.interval_days, card.lapses) == (2, 2.6, 6, 1)
        assert card.suspended
        assert library.settings()["exam_date"] == "2027-01-15"
        assert library.settings()["theme"] == "dark"
        assert library.integrity() == "ok"
        backups = [b.path.name for b in library.backups()]
    if fixture_version < database.SCHEMA_VERSION:
        assert any(f"before-migration-from-v{fixture_version}" in n for n in backups)


def test_a_migration_runs_after_a_backup(
    tmp_path: Path, pack: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mechanism itself, with a next migration added for the test."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURES[-1], data / "mlstudy.sqlite3")
    calls: list[str] = []

    def add_column(conn: Connection) -> None:
        calls.append("migrated")
        conn.exec_driver_sql("ALTER TABLE cards ADD COLUMN note TEXT DEFAULT ''")

    migrations = [*database.MIGRATIONS, add_column]
    monkeypatch.setattr(database, "MIGRATIONS", migrations)
    monkeypatch.setattr(database, "SCHEMA_VERSION", len(migrations))
    monkeypatch.setattr("mlstudy.services.safety.SCHEMA_VERSION", len(migrations))
    clock = FakeClock(datetime(2026, 11, 3, 12, tzinfo=UTC))
    with Library.open(data, clock=clock, tz=UTC, content_root=pack, sync=False) as library:
        with library.engine.connect() as conn:
            assert database.schema_version(conn) == database.SCHEMA_VERSION
            assert conn.exec_driver_sql("SELECT count(*) FROM reviews").scalar() == 6
        (backup,) = library.backups()
        assert backup.path.name.endswith(f"before-migration-from-v{len(migrations) - 1}.sqlite3")
    assert calls == ["migrated"]


def test_version_4_makes_the_log_append_only_and_moves_view_state(
    tmp_path: Path, pack: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    database_file = data / "mlstudy.sqlite3"
    shutil.copy(FIXTURES[0].with_name("schema-v3.sqlite3"), database_file)
    raw = sqlite3.connect(database_file)
    raw.execute("INSERT INTO settings VALUES ('window_geometry', '\"AdnQyw==\"')")
    raw.commit()
    raw.close()
    clock = FakeClock(datetime(2026, 11, 3, 12, tzinfo=UTC))
    with Library.open(data, clock=clock, tz=UTC, content_root=pack, sync=False) as library:
        with library.engine.connect() as conn:
            uids = conn.exec_driver_sql("SELECT uid FROM reviews").scalars().all()
            assert len(set(uids)) == len(uids) == 6 and all(len(u) == 32 for u in uids)
        assert "window_geometry" not in library.settings()
        assert library.view_state("window_geometry") == "AdnQyw=="
        card = library.card(1)
        library.answer(card.id, 4)
        library.undo()
        with library.engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT id, kind FROM reviews ORDER BY id").all()
        assert [tuple(r) for r in rows][-2:] == [(7, "review"), (8, "undo")]
        library.answer(card.id, 4)
        with library.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT max(id) FROM reviews").scalar() == 9
        assert library.integrity() == "ok"


def test_practice_history_survives_in_the_schema_5_fixture(tmp_path: Path, pack: Path) -> None:
    """Schema 5 adds practice attempts: a finished one scores, an open one resumes."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURES[4], data / "mlstudy.sqlite3")
    clock = FakeClock(datetime(2026, 11, 5, 12, tzinfo=UTC))
    with Library.open(data, clock=clock, tz=UTC, content_root=pack, sync=False) as library:
        [finished] = library.practice.history()
        assert (finished.mode, finished.score.questions, finished.score.correct) == ("exam", 1, 0)
        resumed = library.practice.unfinished()
        assert resumed is not None
        assert (resumed.mode, resumed.elapsed_ms, resumed.items[0].answer) == (
            "practice",
            5000,
            None,
        )
        assert library.practice.card_reason(1) == "missed in the practice exam of 2026-11-04"


def test_version_7_ranks_new_cards_by_task_on_the_next_sync(tmp_path: Path, pack: Path) -> None:
    """Schema 7 adds a new-card rank; the migration makes the next sync read every deck."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURES[4], data / "mlstudy.sqlite3")
    clock = FakeClock(datetime(2026, 11, 5, 12, tzinfo=UTC))
    with Library.open(data, clock=clock, tz=UTC, content_root=pack) as library:
        with library.engine.connect() as conn:
            ranks = dict(conn.exec_driver_sql("SELECT key, new_rank FROM cards").all())
            indexes = {r[1] for r in conn.exec_driver_sql("PRAGMA index_list(cards)")}
            placed = {r[1] for r in conn.exec_driver_sql("PRAGMA index_list(placements)")}
        # The small pack: t-eta is task 3.4 (the fourth of domain 3), t-lasso has none.
        assert (ranks["t-firehose"], ranks["t-eta"], ranks["t-recall"]) == (1, 3, 4)
        assert ranks["t-lasso"] == 999
        # Schema 9 moves the new-card order index from the cards to their placements.
        assert "ix_cards_new" not in indexes and "ix_cards_new_order" not in indexes
        assert "ix_placements_new_order" in placed


def test_version_8_indexes_existing_cards_and_follows_deck_edits(
    tmp_path: Path, pack: Path
) -> None:
    """Schema 8 adds a full-text index over the cards: built at migration, then kept in step."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURES[5], data / "mlstudy.sqlite3")
    clock = FakeClock(datetime(2026, 11, 5, 12, tzinfo=UTC))
    with Library.open(data, clock=clock, tz=UTC, content_root=pack, sync=False) as library:
        with library.engine.connect() as conn:
            found = conn.exec_driver_sql(
                "SELECT c.key FROM cards_fts JOIN cards c ON c.id = cards_fts.rowid "
                "WHERE cards_fts MATCH '\"harmonic\"'"
            ).all()
        assert [r[0] for r in found] == ["fx-f1"]  # indexed by the migration
        deck = pack / "mls-c01" / "cards" / "d3.md"
        deck.write_text(deck.read_text("utf-8").replace("Lasso", "Sparse lasso"), "utf-8")
        library.sync_content()
        with library.engine.connect() as conn:
            hits = conn.exec_driver_sql(
                "SELECT rowid FROM cards_fts WHERE cards_fts MATCH '\"sparse\"'"
            ).all()
            # FTS5 raises when the index and the cards table disagree.
            conn.exec_driver_sql(
                "INSERT INTO cards_fts (cards_fts, rank) VALUES ('integrity-check', 1)"
            )
            conn.rollback()
        assert [library.card(r[0]).key for r in hits] == ["t-lasso"]
        assert library.integrity() == "ok"


def test_version_9_keeps_mls_selected_and_shows_shared_history_under_mla(
    tmp_path: Path,
) -> None:
    """A library that studied MLS-C01 before exam packs: after the upgrade MLS-C01 stays
    selected with its settings, and a card MLA-C01 borrows shows its history there."""
    from mlstudy.paths import content_dir
    from mlstudy.services.exams import list_exams, select_exam
    from mlstudy.services.stats import library_stats
    from tests.fixtures.make_schema_fixture import DECK

    content = tmp_path / "content"
    (content / "mls-c01" / "cards").mkdir(parents=True)
    shutil.copy(content_dir() / "mls-c01" / "exam.toml", content / "mls-c01" / "exam.toml")
    (content / "mls-c01" / "cards" / "fixture.md").write_text(DECK, encoding="utf-8")
    (content / "mla-c01" / "shared").mkdir(parents=True)
    shutil.copy(content_dir() / "mla-c01" / "exam.toml", content / "mla-c01" / "exam.toml")
    (content / "mla-c01" / "shared" / "d2.toml").write_text(
        '"fx-recall" = "2.3"\n', encoding="utf-8"
    )
    data = tmp_path / "data"
    data.mkdir()
    v8 = next(f for f in FIXTURES if f.name == "schema-v8.sqlite3")  # before exam packs
    shutil.copy(v8, data / "mlstudy.sqlite3")
    clock = FakeClock(datetime(2026, 11, 3, 12, tzinfo=UTC))
    with Library.open(data, clock=clock, tz=UTC, content_root=content) as library:
        assert library.exam().code == "MLS-C01"
        settings = library.settings()
        assert (settings["exam_date"], settings["new_per_day"], settings["theme"]) == (
            "2027-01-15",
            5,
            "dark",
        )
        assert settings["deck_exam"] == "MLS-C01"  # user decks naming no exam stay there
        recall = library.card(1)
        assert (recall.key, recall.domain, recall.repetitions) == ("fx-recall", 3, 2)
        packs = {p.code: p for p in list_exams(library)}
        assert (packs["MLA-C01"].cards, packs["MLA-C01"].shared_cards) == (1, 1)
        select_exam(library, "MLA-C01")
        shared = library.card(1)
        assert (shared.domain, shared.task, shared.repetitions) == (2, "2.3", 2)
        stats = library_stats(library)
        assert stats["exam"]["code"] == "MLA-C01" and stats["exam"]["exam_date"] is None
        assert next(d for d in stats["domains"] if d["number"] == 2)["mastery"] > 0
        select_exam(library, "MLS-C01")
        assert library.settings()["exam_date"] == "2027-01-15"
        assert library.practice.history()  # the practice exam of the fixture is MLS-C01's
