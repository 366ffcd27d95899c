"""The application API that the CLI and the GUI both call. Never imports Qt.

Concurrency model: one writer, many readers. Every write (an answer, undo, redo, a
deck sync, settings, suspension, a restore) runs in one transaction inside
``LibraryContext.write`` (``services/context.py``), which holds the context's writer
lock, so writes are serialized in one order whatever thread makes them; a service
whose write must agree with state it keeps (the undo stacks, a settings change and the
rescheduling it causes) holds the same re-entrant lock around both. Slow preparation
(parsing deck files) happens before the lock is taken. Reads take a connection of
their own from the engine's pool (``LibraryContext.read``) and never wait for the
writer: SQLite in WAL mode gives each a consistent snapshot. After its commit a write
publishes the ``Changes`` it made on the change bus (``services/bus.py``); each cache
subscribes to the kinds of change it depends on and drops its value there, and a
reader that started before a change does not store what it read (today's answers
keep an epoch for this). Backups copy with SQLite's backup API outside the lock and
compare the write generation from before the copy with the current one, so a write
that lands during a copy is backed up next.
"""

from mlstudy.services.library import Library
from mlstudy.services.types import CardView, Changes, SyncReport, TodayCounts

__all__ = ["CardView", "Changes", "Library", "SyncReport", "TodayCounts"]
