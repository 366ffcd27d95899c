"""SQLite files from paths that may hold any character, and what makes one ours and whole.

A data dir on Windows (``%LOCALAPPDATA%``) can contain ``#``, ``?`` and ``%``: every
URL that names a database file is built here, with escaping, never by pasting a path
into a string. A candidate for ``restore`` passes the full check in ``validate_candidate``
before anything touches the live file.
"""

from __future__ import annotations

import sqlite3
from functools import lru_cache
from pathlib import Path

from sqlalchemy import URL, create_engine
from sqlalchemy.pool import StaticPool

APPLICATION_ID = 0x6D6C7374
"""``PRAGMA application_id`` of every mlstudy database (the bytes "mlst")."""


def engine_url(path: Path) -> URL:
    """The SQLAlchemy URL of a database file; the path is passed through unparsed."""
    return URL.create("sqlite", database=str(path))


def readonly_uri(path: Path) -> str:
    """A ``file:`` URI that opens a database read-only, with the path percent-escaped."""
    return Path(path).absolute().as_uri() + "?mode=ro"


def connect_readonly(path: Path) -> sqlite3.Connection:
    """A read-only sqlite3 connection on an existing file (never creates one)."""
    return sqlite3.connect(readonly_uri(path), uri=True)


def check_file(path: Path, *, full: bool = False) -> str:
    """ "ok", or why a file is not a usable SQLite database.

    Any failure counts as damage, not only SQLite's own errors: a damaged file can make
    the driver raise anything (``UnicodeDecodeError`` on a garbled schema, for one).
    """
    try:
        if not path.is_file():
            return "not a regular file"
        if path.stat().st_size == 0:
            return "the file is empty"
        conn = connect_readonly(path)
        try:
            pragma = "integrity_check" if full else "quick_check"
            rows = [str(r[0]) for r in conn.execute(f"PRAGMA {pragma}").fetchall()]
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except Exception as exc:  # whatever a damaged file raises is damage
        return f"{type(exc).__name__}: {exc}"
    return "ok" if rows == ["ok"] else "; ".join(rows[:3])


def read_header(path: Path) -> tuple[int, int]:
    """``(user_version, application_id)`` of a database file (read-only)."""
    conn = connect_readonly(path)
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    finally:
        conn.close()
    return version, app_id


Shape = dict[str, frozenset[str]]


def shape_of(conn: sqlite3.Connection) -> Shape:
    """Every table (SQLite's own left out) and its column names."""
    names = [
        str(r[0])
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {
        name: frozenset(str(row[1]) for row in conn.execute(f'PRAGMA table_info("{name}")'))
        for name in names
    }


@lru_cache(maxsize=1)
def expected_shape() -> Shape:
    """The tables and columns of a database at today's schema: the migrations run on an
    empty in-memory database."""
    return _migrated_shape(sqlite3.connect(":memory:", check_same_thread=False), 0)


def _migrated_shape(conn: sqlite3.Connection, version: int) -> Shape:
    """The shape a database reaches when the migrations from ``version`` run on it."""
    from mlstudy.storage.database import MIGRATIONS

    engine = create_engine("sqlite://", creator=lambda: conn, poolclass=StaticPool)
    try:
        for step in MIGRATIONS[version:]:
            with engine.begin() as connection:
                step(connection)
        return shape_of(conn)
    finally:
        engine.dispose()
        conn.close()


def _shape_after_migrating(path: Path, version: int) -> Shape:
    """The shape a database file would have once migrated (on a copy in memory)."""
    source = connect_readonly(path)
    try:
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        source.backup(copy)
    finally:
        source.close()
    return _migrated_shape(copy, version)


def validate_candidate(path: Path, newest_version: int) -> str | None:
    """None when a file is a whole mlstudy database this version can read, else why not.

    Checked in order: it is a regular file, SQLite's full integrity check passes, its
    application id is ours (or unset, as in databases written before ids were set), its
    schema version is known, and every table and column is exactly what that version has.
    """
    problem = check_file(path, full=True)
    if problem != "ok":
        return f"not a usable database ({problem})"
    try:
        version, app_id = read_header(path)
    except Exception as exc:  # a damaged file may raise anything
        return f"not a usable database ({type(exc).__name__}: {exc})"
    if app_id not in (0, APPLICATION_ID):
        return f"a database of another program (application id {app_id:#x})"
    if version == 0 or version > newest_version:
        return f"not an mlstudy database this version can read (schema {version})"
    try:
        # An older schema is judged by what the migrations make of it (on a copy).
        shape = _shape_after_migrating(path, version)
    except Exception as exc:  # a look-alike can make a migration fail in any way
        return f"not an mlstudy database of schema {version} ({type(exc).__name__}: {exc})"
    want = expected_shape()
    if shape != want:
        missing = sorted(set(want) - set(shape))
        extra = sorted(set(shape) - set(want))
        changed = sorted(t for t in set(want) & set(shape) if want[t] != shape[t])
        detail = "; ".join(
            part
            for part in (
                f"missing tables {', '.join(missing)}" if missing else "",
                f"unknown tables {', '.join(extra)}" if extra else "",
                f"other columns in {', '.join(changed)}" if changed else "",
            )
            if part
        )
        return f"not an mlstudy database of schema {version} ({detail})"
    return None
