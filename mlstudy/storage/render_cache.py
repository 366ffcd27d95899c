"""A cache of rendered card HTML in ``<data dir>/cache/``, keyed by the markdown's digest.

Rendering markdown is the slow part of an Anki export (about 0.4 ms a field); cards
change rarely, so an export keeps what it rendered and the next one renders only what
changed. The cache is derived data: a plain SQLite file of its own (not the library's
database), valid for one ``decks.render.RENDER_VERSION`` and emptied when that
changes; a damaged file is deleted and started again. Entries an export did not use
are dropped at its end, so the file holds one export's worth at most.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

_CHUNK = 500  # digests per IN (...): well under SQLite's variable limit


class RenderCache:
    """Rendered HTML by digest of the markdown, for one renderer version."""

    def __init__(self, path: Path, version: str) -> None:
        self.path = path
        self.version = version
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = self._open()
        except sqlite3.DatabaseError:
            path.unlink(missing_ok=True)  # a damaged cache: start again
            self._conn = self._open()

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("CREATE TABLE IF NOT EXISTS meta (version TEXT NOT NULL)")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS html "
                "(digest TEXT PRIMARY KEY, html TEXT NOT NULL, used INTEGER NOT NULL) "
                "WITHOUT ROWID"
            )
            row = conn.execute("SELECT version FROM meta").fetchone()
            if row is None or row[0] != self.version:
                conn.execute("DELETE FROM html")
                conn.execute("DELETE FROM meta")
                conn.execute("INSERT INTO meta VALUES (?)", (self.version,))
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    def lookup(self, digests: Sequence[str]) -> dict[str, str]:
        """The cached HTML of those digests that are in the cache."""
        found: dict[str, str] = {}
        try:
            for start in range(0, len(digests), _CHUNK):
                chunk = digests[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(
                    f"SELECT digest, html FROM html WHERE digest IN ({marks})", chunk
                )
                found.update(rows)
        except sqlite3.DatabaseError:
            return {}  # a cache that cannot be read is a cache with nothing in it
        return found

    def keep(self, fresh: Mapping[str, str], used: Iterable[str]) -> None:
        """Add ``fresh`` entries, keep the ``used`` ones, drop all others.

        Failures are ignored: the cache only ever saves time.
        """
        try:
            self._conn.execute("BEGIN")
            (last,) = self._conn.execute("SELECT coalesce(max(used), 0) FROM html").fetchone()
            stamp = int(last) + 1  # this export's generation
            self._conn.executemany(
                "INSERT OR REPLACE INTO html VALUES (?, ?, ?)",
                ((digest, html, stamp) for digest, html in fresh.items()),
            )
            self._conn.executemany(
                "UPDATE html SET used = ? WHERE digest = ?", ((stamp, d) for d in used)
            )
            self._conn.execute("DELETE FROM html WHERE used <> ?", (stamp,))
            self._conn.execute("COMMIT")
        except sqlite3.DatabaseError:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")

    def close(self) -> None:
        """Close the file."""
        self._conn.close()
