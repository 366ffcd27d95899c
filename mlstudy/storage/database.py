"""Open the SQLite database: pragmas for durability, schema version and migrations."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text

from mlstudy.errors import UserError
from mlstudy.storage.integrity import APPLICATION_ID, engine_url
from mlstudy.storage.practice import add_practice_tables
from mlstudy.storage.raw import driver
from mlstudy.storage.schema import Base
from mlstudy.storage.sync_schema import add_sync_tables

V1_TABLES = ("exams", "domains", "tasks", "cards", "card_states", "reviews", "settings")


def _create_v1(conn: Connection) -> None:
    # A new database gets today's tables at once; the later migrations then only add
    # what an older database lacks.
    tables = [Base.metadata.tables[name] for name in V1_TABLES]
    Base.metadata.create_all(conn, tables=tables)
    # Versions 7 and 9 index and copy ``cards.is_new``, which version 10 drops: a new
    # database has it until then, as every older one does.
    conn.exec_driver_sql("ALTER TABLE cards ADD COLUMN is_new BOOLEAN NOT NULL DEFAULT 1")


def _add_deck_files(conn: Connection) -> None:
    Base.metadata.tables["deck_files"].create(conn, checkfirst=True)


def _add_day_number(conn: Connection) -> None:
    columns = {row[1] for row in conn.exec_driver_sql("PRAGMA table_info(reviews)")}
    if "day_number" not in columns:
        conn.exec_driver_sql("ALTER TABLE reviews ADD COLUMN day_number INTEGER")
    conn.exec_driver_sql(
        "UPDATE reviews SET day_number = CAST(julianday(study_day) - 1721424.5 AS INTEGER)"
    )


_LOG_COLUMNS = (
    "id, card_id, reviewed_at, study_day, day_number, grade, kind, interval_before, "
    "interval_after, easiness_before, easiness_after, repetitions_before, repetitions_after, "
    "answer_ms"
)


def _append_only_log(conn: Connection) -> None:
    """Version 4: an append-only review log, and view state apart from settings.

    The log table is rebuilt with AUTOINCREMENT (an id is never used twice, even after
    the newest row was deleted by an older mlstudy's undo), a random ``uid`` per entry
    and ``undoes`` for tombstones. Window geometry moves from ``settings`` to
    ``view_state``. Written in plain SQL so that later model changes cannot alter it.
    """
    columns = {row[1] for row in conn.exec_driver_sql("PRAGMA table_info(reviews)")}
    if "uid" not in columns:  # a database made before version 4
        conn.exec_driver_sql(
            "CREATE TABLE reviews_v4 ("
            "id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "
            "uid VARCHAR(32) DEFAULT (lower(hex(randomblob(16)))) NOT NULL, "
            "card_id INTEGER NOT NULL REFERENCES cards (id), "
            "reviewed_at VARCHAR(32) NOT NULL, study_day VARCHAR(10) NOT NULL, "
            "day_number INTEGER, grade INTEGER NOT NULL, kind VARCHAR(8) NOT NULL, "
            "interval_before INTEGER NOT NULL, interval_after INTEGER NOT NULL, "
            "easiness_before INTEGER NOT NULL, easiness_after INTEGER NOT NULL, "
            "repetitions_before INTEGER NOT NULL, repetitions_after INTEGER NOT NULL, "
            "answer_ms INTEGER NOT NULL, undoes VARCHAR(32))"
        )
        conn.exec_driver_sql(
            f"INSERT INTO reviews_v4 ({_LOG_COLUMNS}) SELECT {_LOG_COLUMNS} FROM reviews "
            "ORDER BY id"
        )
        conn.exec_driver_sql("DROP TABLE reviews")
        conn.exec_driver_sql("ALTER TABLE reviews_v4 RENAME TO reviews")
        conn.exec_driver_sql("CREATE INDEX ix_reviews_day ON reviews (study_day)")
        conn.exec_driver_sql("CREATE INDEX ix_reviews_card ON reviews (card_id, id)")
    conn.exec_driver_sql("CREATE UNIQUE INDEX IF NOT EXISTS ux_reviews_uid ON reviews (uid)")
    conn.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS ix_reviews_undoes ON reviews (undoes) WHERE undoes IS NOT NULL"
    )
    conn.exec_driver_sql(
        "CREATE TABLE IF NOT EXISTS view_state "
        "(key VARCHAR(64) NOT NULL PRIMARY KEY, value TEXT NOT NULL)"
    )
    conn.exec_driver_sql(
        "INSERT OR REPLACE INTO view_state (key, value) "
        "SELECT key, value FROM settings WHERE key = 'window_geometry'"
    )
    conn.exec_driver_sql("DELETE FROM settings WHERE key = 'window_geometry'")


def _add_new_card_order(conn: Connection) -> None:
    """Version 7: new cards within a domain by task statement, then deck position.

    Adds ``cards.new_rank`` and an index that leads with it, and forgets the deck file
    fingerprints so the next content sync reads every deck again and ranks its cards.
    Written in plain SQL so that later model changes cannot alter it.
    """
    columns = {row[1] for row in conn.exec_driver_sql("PRAGMA table_info(cards)")}
    if "new_rank" not in columns:
        conn.exec_driver_sql("ALTER TABLE cards ADD COLUMN new_rank INTEGER NOT NULL DEFAULT 0")
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_cards_new")
    conn.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS ix_cards_new_order ON cards "
        "(exam_id, is_new, archived, suspended, domain, new_rank, position)"
    )
    conn.exec_driver_sql("DELETE FROM deck_files WHERE path NOT LIKE 'questions:%'")


def _add_text_index(conn: Connection) -> None:
    """Version 8: a full-text index of the cards' question, answer and id for Browse.

    An FTS5 table over ``cards`` (external content: the text is not stored twice) with
    the unicode61 word tokenizer, accents folded, and prefix indexes so that a search
    word matches the words it begins. Triggers keep it in step with every write to
    those columns (the content sync's inserts and updates); existing cards are indexed
    here. Self-contained plain SQL.
    """
    conn.exec_driver_sql(
        "CREATE VIRTUAL TABLE IF NOT EXISTS cards_fts USING fts5("
        "question, answer, key, content='cards', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
    )
    _add_text_triggers(conn)
    conn.exec_driver_sql("INSERT INTO cards_fts (cards_fts) VALUES ('rebuild')")


def _add_text_triggers(conn: Connection) -> None:
    conn.exec_driver_sql(
        "CREATE TRIGGER IF NOT EXISTS cards_fts_insert AFTER INSERT ON cards BEGIN "
        "INSERT INTO cards_fts (rowid, question, answer, key) "
        "VALUES (new.id, new.question, new.answer, new.key); END"
    )
    conn.exec_driver_sql(
        "CREATE TRIGGER IF NOT EXISTS cards_fts_delete AFTER DELETE ON cards BEGIN "
        "INSERT INTO cards_fts (cards_fts, rowid, question, answer, key) "
        "VALUES ('delete', old.id, old.question, old.answer, old.key); END"
    )
    conn.exec_driver_sql(
        "CREATE TRIGGER IF NOT EXISTS cards_fts_update "
        "AFTER UPDATE OF question, answer, key ON cards BEGIN "
        "INSERT INTO cards_fts (cards_fts, rowid, question, answer, key) "
        "VALUES ('delete', old.id, old.question, old.answer, old.key); "
        "INSERT INTO cards_fts (rowid, question, answer, key) "
        "VALUES (new.id, new.question, new.answer, new.key); END"
    )


PER_EXAM_SETTINGS = ("exam_date", "minutes_per_day", "weekdays_off", "dates_off")
"""Settings each exam pack keeps for itself (stored as ``<code>.<key>``, the code in lower
case: ``mls-c01.exam_date``) since version 9."""
UPGRADED_EXAM = "MLS-C01"
"""The one exam pack of libraries made before version 9."""


def _add_placements(conn: Connection) -> None:
    """Version 9: a card may serve several exam packs; settings per exam pack.

    ``placements`` holds a card's place (domain, task, new-card order) in each exam it
    serves: its home placement, filled here from ``cards`` and kept in step by
    triggers, and the shared ones the content sync writes. The flags that the queue
    filters on (new, archived, suspended) are mirrored so that the next new card of a
    domain is one index seek; the old index on ``cards`` is dropped.

    A library with any history or saved setting keeps its exam (MLS-C01 unless it chose
    another), its exam date, minutes and days off become that exam's, and user decks
    without an ``exam:`` line stay in that exam (``deck_exam``). Self-contained SQL.
    """
    conn.exec_driver_sql(
        "CREATE TABLE IF NOT EXISTS placements ("
        "exam_id INTEGER NOT NULL REFERENCES exams (id), "
        "card_id INTEGER NOT NULL REFERENCES cards (id) ON DELETE CASCADE, "
        "domain INTEGER NOT NULL, task VARCHAR(16), "
        "new_rank INTEGER NOT NULL DEFAULT 0, position INTEGER NOT NULL DEFAULT 0, "
        "is_new BOOLEAN NOT NULL DEFAULT 1, archived BOOLEAN NOT NULL DEFAULT 0, "
        "suspended BOOLEAN NOT NULL DEFAULT 0, home BOOLEAN NOT NULL DEFAULT 1, "
        "PRIMARY KEY (exam_id, card_id))"
    )
    conn.exec_driver_sql(
        "INSERT OR REPLACE INTO placements (exam_id, card_id, domain, task, new_rank, position, "
        "is_new, archived, suspended, home) SELECT exam_id, id, domain, task, new_rank, "
        "position, is_new, archived, suspended, 1 FROM cards"
    )
    conn.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS ix_placements_new_order ON placements "
        "(exam_id, is_new, archived, suspended, domain, new_rank, position)"
    )
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_placements_card ON placements (card_id)")
    conn.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS ix_placements_shared ON placements (exam_id, card_id) "
        "WHERE home IS 0"
    )
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_cards_new_order")
    home = (
        "INSERT OR REPLACE INTO placements (exam_id, card_id, domain, task, new_rank, "
        "position, is_new, archived, suspended, home) VALUES (new.exam_id, new.id, "
        "new.domain, new.task, new.new_rank, new.position, new.is_new, new.archived, "
        "new.suspended, 1)"
    )
    conn.exec_driver_sql(
        "CREATE TRIGGER IF NOT EXISTS placements_home_insert AFTER INSERT ON cards "
        f"BEGIN {home}; END"
    )
    conn.exec_driver_sql(
        "CREATE TRIGGER IF NOT EXISTS placements_home_update "
        "AFTER UPDATE OF exam_id, domain, task, new_rank, position ON cards "
        "WHEN old.exam_id IS NOT new.exam_id OR old.domain IS NOT new.domain "
        "OR old.task IS NOT new.task OR old.new_rank IS NOT new.new_rank "
        "OR old.position IS NOT new.position BEGIN "
        "DELETE FROM placements WHERE card_id = new.id AND home = 1; "
        f"{home}; END"
    )
    conn.exec_driver_sql(
        "CREATE TRIGGER IF NOT EXISTS placements_flags "
        "AFTER UPDATE OF is_new, archived, suspended ON cards "
        "WHEN old.is_new IS NOT new.is_new OR old.archived IS NOT new.archived "
        "OR old.suspended IS NOT new.suspended BEGIN "
        "UPDATE placements SET is_new = new.is_new, archived = new.archived, "
        "suspended = new.suspended WHERE card_id = new.id; END"
    )
    existing = conn.exec_driver_sql(
        "SELECT EXISTS (SELECT 1 FROM reviews) OR EXISTS (SELECT 1 FROM settings)"
    ).scalar_one()
    if existing:
        conn.exec_driver_sql(
            f"INSERT OR IGNORE INTO settings (key, value) VALUES ('exam', '\"{UPGRADED_EXAM}\"')"
        )
        conn.exec_driver_sql(
            "INSERT OR IGNORE INTO settings (key, value) "
            "SELECT 'deck_exam', value FROM settings WHERE key = 'exam'"
        )
        for key in PER_EXAM_SETTINGS:
            conn.exec_driver_sql(
                "INSERT OR REPLACE INTO settings (key, value) "
                f"SELECT '{UPGRADED_EXAM.lower()}.' || key, value FROM settings "
                f"WHERE key = '{key}'"
            )
            conn.exec_driver_sql(f"DELETE FROM settings WHERE key = '{key}'")
        conn.exec_driver_sql(
            f"UPDATE view_state SET key = 'plan_today/{UPGRADED_EXAM}' WHERE key = 'plan_today'"
        )


def _new_flag_on_placements(conn: Connection) -> None:
    """Version 10: the new-card flag lives on the placements alone.

    ``cards.is_new`` is dropped: marking a card reviewed wrote its whole row (question
    and answer text) to the write-ahead log, for a flag that the queue reads from
    ``placements`` anyway. The writers now set ``placements.is_new`` of every placement
    of the card (``study.set_new``); a card's home placement starts new unless the card
    has a state. The triggers that copied the flag are recreated without it (DROP COLUMN
    refuses a column a trigger names), and every placement's flag is set to "no
    ``card_states`` row", which it should already be. Self-contained SQL.

    Raises:
        UserError: SQLite is older than 3.35 (no DROP COLUMN); this step changes nothing.
    """
    if sqlite3.sqlite_version_info < (3, 35):
        raise UserError(
            "Upgrading this library to schema 10 needs SQLite 3.35 or newer; this Python "
            f"has SQLite {sqlite3.sqlite_version}. Run mlstudy with a newer Python build."
        )
    for trigger in ("placements_home_insert", "placements_home_update", "placements_flags"):
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
    home = (
        "INSERT OR REPLACE INTO placements (exam_id, card_id, domain, task, new_rank, "
        "position, is_new, archived, suspended, home) VALUES (new.exam_id, new.id, "
        "new.domain, new.task, new.new_rank, new.position, "
        "NOT EXISTS (SELECT 1 FROM card_states WHERE card_id = new.id), new.archived, "
        "new.suspended, 1)"
    )
    conn.exec_driver_sql(
        f"CREATE TRIGGER placements_home_insert AFTER INSERT ON cards BEGIN {home}; END"
    )
    conn.exec_driver_sql(
        "CREATE TRIGGER placements_home_update "
        "AFTER UPDATE OF exam_id, domain, task, new_rank, position ON cards "
        "WHEN old.exam_id IS NOT new.exam_id OR old.domain IS NOT new.domain "
        "OR old.task IS NOT new.task OR old.new_rank IS NOT new.new_rank "
        "OR old.position IS NOT new.position BEGIN "
        "DELETE FROM placements WHERE card_id = new.id AND home = 1; "
        f"{home}; END"
    )
    conn.exec_driver_sql(
        "CREATE TRIGGER placements_flags AFTER UPDATE OF archived, suspended ON cards "
        "WHEN old.archived IS NOT new.archived OR old.suspended IS NOT new.suspended BEGIN "
        "UPDATE placements SET archived = new.archived, suspended = new.suspended "
        "WHERE card_id = new.id; END"
    )
    no_state = "(NOT EXISTS (SELECT 1 FROM card_states WHERE card_id = placements.card_id))"
    conn.exec_driver_sql(
        f"UPDATE placements SET is_new = {no_state} WHERE is_new IS NOT {no_state}"
    )
    conn.exec_driver_sql("ALTER TABLE cards DROP COLUMN is_new")


MIGRATIONS: list[Callable[[Connection], None]] = [
    _create_v1,
    _add_deck_files,
    _add_day_number,
    _append_only_log,
    add_practice_tables,
    add_sync_tables,
    _add_new_card_order,
    _add_text_index,
    _add_placements,
    _new_flag_on_placements,
]
"""Ordered migrations; entry i brings a database from version i to i + 1. Append only."""
SCHEMA_VERSION = len(MIGRATIONS)


def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Autocommit at the driver level so SQLAlchemy's BEGIN is the one transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _on_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN")


@contextmanager
def bulk_write(conn: Connection, *, fold_later: bool, keys_checked: bool) -> Iterator[None]:
    """Settings of ``conn`` for one large write; enter it outside a transaction, around one.

    Args:
        fold_later: commits only append to the write-ahead log, which is not folded
            into the database file (``fold_log`` does it afterwards, off the writer's time).
        keys_checked: SQLite does not look up every row's card (or other parent row):
            the caller took the ids from their tables in the same transaction, and
            nothing deletes a card.
    """
    sqlite = driver(conn)
    (pages,) = sqlite.execute("PRAGMA wal_autocheckpoint").fetchone()
    (keys,) = sqlite.execute("PRAGMA foreign_keys").fetchone()
    if fold_later:
        sqlite.execute("PRAGMA wal_autocheckpoint=0")
    if keys_checked:
        sqlite.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        sqlite.execute(f"PRAGMA wal_autocheckpoint={int(pages)}")
        sqlite.execute(f"PRAGMA foreign_keys={int(keys)}")


def fold_log(engine: Engine) -> None:
    """Copy the write-ahead log's pages into the database file: a passive checkpoint,
    which waits for no reader or writer (what it cannot copy yet, a later one does)."""
    with engine.connect() as conn:
        driver(conn).execute("PRAGMA wal_checkpoint(PASSIVE)")


def create_db_engine(path: Path) -> Engine:
    """An engine on a SQLite file with WAL, ``synchronous=FULL`` and explicit transactions."""
    engine = create_engine(engine_url(path), future=True)
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def schema_version(conn: Connection) -> int:
    """The database's ``PRAGMA user_version``."""
    return int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())


def migrate(
    engine: Engine, path: Path, backup: Callable[[Path, int], Path | None] | None = None
) -> int:
    """Bring the database to ``SCHEMA_VERSION``; return the version it had before.

    A database written by a newer mlstudy is refused and left untouched. An existing
    database is backed up (through ``backup``) before any migration runs.
    """
    with engine.connect() as conn:
        version = schema_version(conn)
        conn.rollback()
    if version > SCHEMA_VERSION:
        raise UserError(
            f"{path}: this database was written by a newer mlstudy (schema {version}; this "
            f"version knows up to {SCHEMA_VERSION}). Update mlstudy; the file was not changed."
        )
    if version == SCHEMA_VERSION:
        _claim(engine)
        return version
    if version > 0 and backup is not None:
        backup(path, version)
    for step in range(version, SCHEMA_VERSION):
        with engine.begin() as conn:
            MIGRATIONS[step](conn)
            conn.exec_driver_sql(f"PRAGMA user_version={step + 1}")
    _claim(engine)
    return version


def _claim(engine: Engine) -> None:
    """Mark the database as mlstudy's (``restore`` refuses files of other programs)."""
    with engine.connect() as conn:
        app_id = int(conn.exec_driver_sql("PRAGMA application_id").scalar_one())
        conn.rollback()
    if app_id != APPLICATION_ID:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")


def quick_check(engine: Engine) -> str:
    """SQLite's ``PRAGMA quick_check``: "ok" or the first problem found."""
    with engine.connect() as conn:
        rows = conn.execute(text("PRAGMA quick_check")).scalars().all()
        conn.rollback()
    return "ok" if rows == ["ok"] else "; ".join(str(r) for r in rows[:5])
