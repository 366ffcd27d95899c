"""The bookkeeping tables of study on several computers, and their migration.

- ``sync_device``: this library's device id, the fingerprint that tells a copied data
  dir, the next sequence number, how far the segments are written, the sync folder.
- ``sync_events``: the origin (device, sequence) of every log entry sent or received;
  the merge order of the log is (timestamp, device, sequence).
- ``sync_outbox``: every event this device wrote, as its segment line, so a segment
  lost in a crash (or a deleted folder) is written again with the same bytes.
- ``sync_peers``: per other device, the last sequence number merged.
- ``sync_values``: last-writer-wins registers (settings, suspensions) and their stamp;
  under keys ``waiting:<device>:<seq>``, other devices' answers that wait for a card
  this library does not have yet (their segment lines; ``sync_log.merge_waiting``).
"""

from __future__ import annotations

from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, Text

metadata = MetaData()

sync_device = Table(
    "sync_device",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("device", String(32), nullable=False),
    Column("fingerprint", Text, nullable=False),
    Column("next_seq", Integer, nullable=False),
    Column("written_seq", Integer, nullable=False),
    Column("exported_review_id", Integer, nullable=False),
    Column("folder", Text),
)
sync_events = Table(
    "sync_events",
    metadata,
    Column("review_id", Integer, primary_key=True),
    Column("device", String(32), nullable=False),
    Column("seq", Integer, nullable=False),
)
sync_outbox = Table(
    "sync_outbox",
    metadata,
    Column("device", String(32), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("body", Text, nullable=False),
)
sync_peers = Table(
    "sync_peers",
    metadata,
    Column("device", String(32), primary_key=True),
    Column("applied_seq", Integer, nullable=False),
    Column("seen_at", Text, nullable=False),
)
sync_values = Table(
    "sync_values",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
    Column("at", Text, nullable=False),
    Column("device", String(32), nullable=False),
)


def add_sync_tables(conn: Connection) -> None:
    """Schema migration: the sync bookkeeping tables (self-contained plain SQL, so later
    model changes cannot alter it and it can take any place in the migration list)."""
    statements = (
        "CREATE TABLE IF NOT EXISTS sync_device (id INTEGER NOT NULL PRIMARY KEY, "
        "device VARCHAR(32) NOT NULL, fingerprint TEXT NOT NULL, next_seq INTEGER NOT NULL, "
        "written_seq INTEGER NOT NULL, exported_review_id INTEGER NOT NULL, folder TEXT)",
        "CREATE TABLE IF NOT EXISTS sync_events (review_id INTEGER NOT NULL PRIMARY KEY, "
        "device VARCHAR(32) NOT NULL, seq INTEGER NOT NULL)",
        "CREATE UNIQUE INDEX IF NOT EXISTS ux_sync_events_origin ON sync_events (device, seq)",
        "CREATE TABLE IF NOT EXISTS sync_outbox (device VARCHAR(32) NOT NULL, "
        "seq INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (device, seq))",
        "CREATE TABLE IF NOT EXISTS sync_peers (device VARCHAR(32) NOT NULL PRIMARY KEY, "
        "applied_seq INTEGER NOT NULL, seen_at TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS sync_values (key TEXT NOT NULL PRIMARY KEY, "
        "value TEXT NOT NULL, at TEXT NOT NULL, device VARCHAR(32) NOT NULL)",
    )
    for statement in statements:
        conn.exec_driver_sql(statement)
