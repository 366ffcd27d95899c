"""A cache of rendered card HTML in ``<data dir>/cache/``, keyed by the markdown's digest.

Rendering markdown is the slow part of an Anki export (about 0.2 ms a field that
needs the full parser); cards change rarely, so an export keeps what it rendered and
the next one renders only what changed. The cache is derived data: a plain SQLite file
of its own (not the library's database), valid for one ``decks.render.RENDER_VERSION``
and emptied when that changes; a damaged file is deleted and started again. Entries an
export did not use are dropped at its end, so the file holds one export's worth at most.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

_CHUNK = 500  # digests per IN (...): well under SQLite's variable limit
_SCAN_FROM = 5_000  # digests from which a lookup reads the whole file instead


_FORMAT = "2"
"""The file's own layout (digests as 16-byte blobs); part of the version it holds."""


class RenderCache:
    """Rendered HTML by digest of the markdown, for one renderer version."""

    def __init__(self, path: Path, version: str) -> None:
        self.path = path
        self.version = f"{version}/{_FORMAT}"
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = self._open()
        except sqlite3.DatabaseError:
            path.unlink(missing_ok=True)  # a damaged cache: start again
            self._conn = self._open()

    def _open(self) -> sqlite3.Connection:
        # One thread at a time, not always the one that opened it (``keep`` may run on
        # another while the export finishes its package).
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            # Derived data: a crash may lose the last export's entries, never the file.
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("CREATE TABLE IF NOT EXISTS meta (version TEXT NOT NULL)")
            row = conn.execute("SELECT version FROM meta").fetchone()
            if row is None or row[0] != self.version:
                conn.execute("DROP TABLE IF EXISTS html")
                conn.execute("DELETE FROM meta")
                conn.execute("INSERT INTO meta VALUES (?)", (self.version,))
            conn.execute(
                "CREATE TABLE IF NOT EXISTS html "
                "(digest BLOB PRIMARY KEY, html TEXT NOT NULL) WITHOUT ROWID"
            )
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    def lookup(self, digests: Sequence[bytes]) -> dict[bytes, str]:
        """The cached HTML of those digests that are in the cache."""
        found: dict[bytes, str] = {}
        try:
            if len(digests) > _SCAN_FROM:
                # The file holds one export's worth: reading it all beats asking for each.
                wanted = set(digests)
                rows = self._conn.execute("SELECT digest, html FROM html")
                found.update(row for row in rows if row[0] in wanted)
                return found
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

    def keep(self, fresh: Mapping[bytes, str], used: Collection[bytes]) -> None:
        """Add ``fresh`` entries, keep the ``used`` ones, drop all others.

        Failures are ignored: the cache only ever saves time.
        """
        try:
            self._conn.execute("BEGIN")
            # In key order: appended to the table's B-tree rather than scattered through it.
            self._conn.executemany(
                "INSERT OR REPLACE INTO html VALUES (?, ?)", sorted(fresh.items())
            )
            kept = len(fresh) + sum(1 for digest in used if digest not in fresh)
            (held,) = self._conn.execute("SELECT count(*) FROM html").fetchone()
            if held > kept:  # entries this export did not use (an older text of a card)
                self._conn.execute("CREATE TEMP TABLE IF NOT EXISTS used (digest BLOB)")
                self._conn.execute("DELETE FROM temp.used")
                self._conn.executemany(
                    "INSERT INTO temp.used VALUES (?)",
                    ((d,) for d in itertools.chain(fresh, used)),
                )
                self._conn.execute(
                    "DELETE FROM html WHERE digest NOT IN (SELECT digest FROM temp.used)"
                )
                self._conn.execute("DELETE FROM temp.used")
            self._conn.execute("COMMIT")
        except sqlite3.DatabaseError:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")

    def close(self) -> None:
        """Close the file."""
        self._conn.close()
