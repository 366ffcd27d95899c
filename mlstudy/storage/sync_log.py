"""Study on several computers, the database side: device id, outgoing events, merging.

Every function runs inside the caller's write transaction. Outgoing: the log entries
not yet sent, and changed settings and suspensions, get this device's next sequence
numbers and go to ``sync_outbox`` as their segment lines. Incoming: validated events
of another device are checked here: last-writer-wins values are compared by
(timestamp, device), and answers go to a batch that ``sync_merge`` logs idempotently (by
uid) before it replays their cards in merge order (``merge_order.py``). An answer for a
card this library does not have yet waits in ``sync_values`` until the card is there.

A merge may bring a hundred thousand entries: they go in and out as plain SQL with
tuples, and lists of ids travel as one JSON array (``json_each``).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from mlstudy.core import sync as core_sync
from mlstudy.storage.raw import raw_rows
from mlstudy.storage.schema import UNDO_KIND, Card, Setting
from mlstudy.storage.sync_merge import LogBatch, log_answers, log_top
from mlstudy.storage.sync_schema import (
    sync_device,
    sync_outbox,
    sync_peers,
    sync_values,
)

KNOWN_KINDS = frozenset({"new", "review", "drill", UNDO_KIND})
"""Log entry kinds this version merges; an event of another kind waits for an update."""


@dataclass(frozen=True, slots=True)
class Device:
    """This library's row in ``sync_device``."""

    device: str
    fingerprint: str
    next_seq: int
    written_seq: int
    exported_review_id: int
    folder: str | None


def new_device_id() -> str:
    """A random 128-bit device id (32 hex digits)."""
    return secrets.token_hex(16)


def load_device(conn: Connection) -> Device | None:
    """This library's device row, or None before the first sync."""
    row = conn.execute(
        select(
            sync_device.c.device,
            sync_device.c.fingerprint,
            sync_device.c.next_seq,
            sync_device.c.written_seq,
            sync_device.c.exported_review_id,
            sync_device.c.folder,
        ).where(sync_device.c.id == 1)
    ).first()
    return Device(*row) if row else None


def ensure_device(conn: Connection, fingerprint: str, now: str) -> tuple[Device, str | None]:
    """This library's device, made on first use; a library whose fingerprint changed
    (a data dir copied to another computer) gets a new id, and its old id becomes a
    device it merges from. Returns the device and the old id when it changed."""
    device = load_device(conn)
    if device is None:
        conn.execute(
            insert(sync_device).values(
                id=1,
                device=new_device_id(),
                fingerprint=fingerprint,
                next_seq=1,
                written_seq=0,
                exported_review_id=0,
                folder=None,
            )
        )
        return _must(load_device(conn)), None
    if device.fingerprint == fingerprint:
        return device, None
    old = device.device
    conn.execute(
        sqlite_insert(sync_peers)
        .values(device=old, applied_seq=device.next_seq - 1, seen_at=now)
        .on_conflict_do_nothing()
    )
    conn.execute(
        update(sync_device)
        .where(sync_device.c.id == 1)
        .values(device=new_device_id(), fingerprint=fingerprint, next_seq=1, written_seq=0)
    )
    return _must(load_device(conn)), old


def _must(device: Device | None) -> Device:
    if device is None:
        raise RuntimeError("the sync device row is missing")
    return device


def set_folder(conn: Connection, folder: str | None) -> None:
    """Save the sync folder (None: not syncing)."""
    conn.execute(update(sync_device).where(sync_device.c.id == 1).values(folder=folder))


_UNSENT = (
    "SELECT r.id, r.uid, c.key, r.reviewed_at, r.study_day, r.grade, r.kind, r.answer_ms, "
    "r.interval_before, r.easiness_before, r.repetitions_before, r.interval_after, "
    "r.easiness_after, r.repetitions_after, r.undoes "
    "FROM reviews r JOIN cards c ON c.id = r.card_id "
    "LEFT JOIN sync_events e ON e.review_id = r.id "
    # Imported Anki states and history stay on the computer that imported them, with
    # the deck files they belong to (those are not synced either).
    f"WHERE r.id > ? AND e.seq IS NULL AND r.kind IN ({', '.join('?' * len(KNOWN_KINDS))}) "
    "ORDER BY r.id LIMIT ?"
)
_BATCH = 50_000
"""Log entries stamped and written to the outbox at a time (a long history is sent in
batches, so its lines are never all in memory at once)."""


def collect_outgoing(
    conn: Connection, device: Device, now: str, synced_settings: Callable[[str], bool]
) -> int:
    """Give every local event not yet sent its sequence number and its outbox line;
    return how many there were.

    Args:
        synced_settings: whether a setting travels to the other computers (the theme,
            say, stays on each).
    """
    me = device.device
    seq = device.next_seq
    last_id = device.exported_review_id
    days: dict[str, tuple[date, str]] = {}
    kinds = sorted(KNOWN_KINDS)
    while batch := conn.exec_driver_sql(_UNSENT, (last_id, *kinds, _BATCH)).all():
        origins: list[tuple[int, str, int]] = []
        lines: list[tuple[str, int, str]] = []
        for rid, uid, key, at, day, grade, kind, ms, ib, eb, rb, ia, ea, ra, undoes in batch:
            parsed = days.get(day)
            if parsed is None:
                study_day = date.fromisoformat(day)
                parsed = days[day] = (study_day, study_day.isoformat())
            study_day, iso_day = parsed
            before, after = (ib, eb, rb), (ia, ea, ra)
            # An answer's line straight from its values; a tombstone (or an answer whose
            # line is not the plain one) through its event.
            line = (
                None
                if undoes
                else core_sync.answer_line(
                    seq, uid, key, at, iso_day, grade, kind, ms, before, after
                )
            )
            if line is None:
                answer = core_sync.Answer(
                    uid, key, at, study_day, grade, kind, ms, before, after, undoes
                )
                line = core_sync.event_line(core_sync.Stamped(me, seq, answer))
            origins.append((rid, me, seq))
            lines.append((me, seq, line))
            seq += 1
            last_id = rid
        # Plain SQL with tuples: a long history goes in at SQLite's own speed.
        conn.exec_driver_sql(_INSERT_ORIGIN, origins)
        conn.exec_driver_sql(_INSERT_OUTBOX, lines)
    changes = _changed_values(conn, now, synced_settings)
    for change in changes:
        _set_register(conn, change.key, change.value, change.at, me)
    if changes:
        stamped = [core_sync.Stamped(me, seq + i, change) for i, change in enumerate(changes)]
        conn.exec_driver_sql(
            _INSERT_OUTBOX, [(me, s.seq, core_sync.event_line(s)) for s in stamped]
        )
        seq += len(changes)
    # Every entry up to the newest is sent now or came from another device.
    newest = max(last_id, log_top(conn))
    if seq != device.next_seq or newest != device.exported_review_id:
        conn.execute(
            update(sync_device)
            .where(sync_device.c.id == 1)
            .values(next_seq=seq, exported_review_id=newest)
        )
    return seq - device.next_seq


_INSERT_OUTBOX = "INSERT INTO sync_outbox (device, seq, body) VALUES (?, ?, ?)"


def skip_merged(conn: Connection, top: int) -> None:
    """After a merge: when nothing local was logged since the last send (the watermark
    is still ``top``, the newest id before the merge), the merged entries need no look
    when the next pass gathers what to send."""
    conn.execute(
        update(sync_device)
        .where(sync_device.c.id == 1, sync_device.c.exported_review_id == top)
        .values(exported_review_id=log_top(conn))
    )


def _registers(conn: Connection) -> dict[str, tuple[str, str, str]]:
    rows = conn.execute(
        select(
            sync_values.c.key, sync_values.c.value, sync_values.c.at, sync_values.c.device
        ).where(_NOT_WAITING)
    )
    return {key: (value, at, device) for key, value, at, device in rows}


def _set_register(conn: Connection, key: str, value: str, at: str, device: str) -> None:
    statement = sqlite_insert(sync_values).values(key=key, value=value, at=at, device=device)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[sync_values.c.key],
            set_={"value": value, "at": at, "device": device},
        )
    )


def _changed_values(
    conn: Connection, now: str, synced_settings: Callable[[str], bool]
) -> list[core_sync.Change]:
    registers = _registers(conn)
    changes: list[core_sync.Change] = []
    for key, value in conn.execute(select(Setting.key, Setting.value).order_by(Setting.key)):
        name = f"setting:{key}"
        if synced_settings(key) and registers.get(name, (None,))[0] != value:
            changes.append(core_sync.Change(name, value, now))
    suspended = set(conn.execute(select(Card.key).where(Card.suspended.is_(True))).scalars())
    marked = {
        k.split(":", 1)[1]
        for k, (v, _a, _d) in registers.items()
        if k.startswith("suspend:") and v == "true"
    }
    for key in sorted(suspended - marked):
        changes.append(core_sync.Change(f"suspend:{key}", "true", now))
    for key in sorted(marked - suspended):
        changes.append(core_sync.Change(f"suspend:{key}", "false", now))
    return changes


def outbox_lines(conn: Connection, device: str, first: int, last: int) -> list[str]:
    """The segment lines of this device's events ``first``..``last``."""
    rows = conn.execute(
        select(sync_outbox.c.body)
        .where(sync_outbox.c.device == device, sync_outbox.c.seq.between(first, last))
        .order_by(sync_outbox.c.seq)
    )
    return list(rows.scalars())


def mark_written(conn: Connection, seq: int) -> None:
    """Segments hold every event up to ``seq``."""
    conn.execute(
        update(sync_device)
        .where(sync_device.c.id == 1, sync_device.c.written_seq < seq)
        .values(written_seq=seq)
    )


def peers(conn: Connection) -> dict[str, int]:
    """Each other device merged from, and its last sequence number merged."""
    rows = conn.execute(select(sync_peers.c.device, sync_peers.c.applied_seq))
    return {device: int(seq) for device, seq in rows}


@dataclass(frozen=True, slots=True)
class Merged:
    """What merging one device's values did (its answers are logged with the batch)."""

    received: int
    settings: dict[str, str]
    suspended: bool
    problems: tuple[str, ...]


_CARD_IDS = "SELECT key, id FROM cards WHERE key IN (SELECT value FROM json_each(?))"


_ALL_CARDS_ABOVE = 10_000
"""Above this many keys, every card's id is read (one pass over the key index) rather
than each key looked up."""


def _card_ids(conn: Connection, keys: Iterable[str]) -> dict[str, int]:
    """The ids of the cards of these keys that exist (and perhaps of others)."""
    wanted = set(keys)
    if len(wanted) > _ALL_CARDS_ABOVE:
        return dict(raw_rows(conn, "SELECT key, id FROM cards"))
    # One statement whatever the number of keys: the keys travel as one JSON array.
    return dict(raw_rows(conn, _CARD_IDS, (json.dumps(sorted(wanted)),)))


_INSERT_ORIGIN = "INSERT INTO sync_events (review_id, device, seq) VALUES (?, ?, ?)"
WAITING = "waiting:"
"""Key prefix in ``sync_values`` of an answer (or undo) waiting for its card: the
segment line of another device's event for a card this library does not have yet
(its deck has not arrived). It is merged when the card appears."""
_WAITING_END = "waiting;"  # the first key after every WAITING key
_NOT_WAITING = (sync_values.c.key < WAITING) | (sync_values.c.key >= _WAITING_END)


def _log_answers(
    conn: Connection, answers: Sequence[core_sync.Stamped], batch: LogBatch
) -> list[core_sync.Stamped]:
    """Add the answers whose card is here to ``batch``; return the others."""
    ids = _card_ids(conn, (s.event.card for s in answers if isinstance(s.event, core_sync.Answer)))
    return batch.add_answers(answers, ids)


def _keep_waiting(conn: Connection, device: str, waiting: Sequence[core_sync.Stamped]) -> None:
    rows = [
        (f"{WAITING}{device}:{s.seq:012d}", core_sync.event_line(s), s.event.at, device)
        for s in waiting
    ]
    conn.exec_driver_sql(
        "INSERT OR IGNORE INTO sync_values (key, value, at, device) VALUES (?, ?, ?, ?)", rows
    )


_WAITING_SUMMARY = (
    "SELECT count(*), count(DISTINCT json_extract(value, '$.card')), "
    "min(json_extract(value, '$.card')) FROM sync_values WHERE key >= ? AND key < ?"
)


def waiting(conn: Connection) -> tuple[int, int, str | None]:
    """Other devices' answers waiting for a card this library does not have yet: how
    many, for how many cards, and one of those cards' keys."""
    count, cards, example = conn.exec_driver_sql(_WAITING_SUMMARY, (WAITING, _WAITING_END)).one()
    return int(count), int(cards), example


def merge_waiting(conn: Connection) -> int:
    """Merge the waiting answers whose card is here now (a deck arrived); return how
    many went into the log."""
    rows = conn.execute(
        select(sync_values.c.key, sync_values.c.value, sync_values.c.device)
        .where(sync_values.c.key >= WAITING, sync_values.c.key < _WAITING_END)
        .order_by(sync_values.c.key)
    ).all()
    by_device: dict[str, list[core_sync.Stamped]] = {}
    for _key, line, device in rows:
        data = json.loads(line)
        event = core_sync.event_from_json(data)  # validated when it came, checked again
        by_device.setdefault(str(device), []).append(core_sync.Stamped(device, data["seq"], event))
    batch = LogBatch()
    for _device, events in sorted(by_device.items()):
        _log_answers(conn, events, batch)
    merged = [f"{WAITING}{device}:{seq:012d}" for _c, _a, device, seq, *_ in batch.entries]
    conn.exec_driver_sql(
        "DELETE FROM sync_values WHERE key IN (SELECT value FROM json_each(?))",
        (json.dumps(merged),),
    )
    return log_answers(conn, batch)


def merge_events(
    conn: Connection,
    device: str,
    events: Sequence[core_sync.Stamped],
    now: str,
    setting_ok: Callable[[str, str], bool],
    batch: LogBatch,
) -> Merged:
    """Merge one other device's events (consecutive, after its last merged one).

    Answers and tombstones go to ``batch``, which the caller logs (``sync_merge``); one
    for a card this library does not have yet is kept waiting (``merge_waiting``). An event of
    a kind this version does not know stops the merge of that device there (an update
    of mlstudy will merge it). Values change when their stamp is newer.

    Args:
        setting_ok: whether a setting's value (JSON text) is valid here.
    """
    problems: list[str] = []
    applied = peers(conn).get(device, 0)
    todo = [e for e in events if e.seq > applied]
    stop = next(
        (
            i
            for i, e in enumerate(todo)
            if isinstance(e.event, core_sync.Answer) and e.event.kind not in KNOWN_KINDS
        ),
        None,
    )
    if stop is not None:
        problems.append(
            f"device {device[:8]}: event {todo[stop].seq} is of a kind this mlstudy does not "
            "know; update mlstudy to merge it and what follows"
        )
        todo = todo[:stop]
    answers = [e for e in todo if isinstance(e.event, core_sync.Answer)]
    waiting = _log_answers(conn, answers, batch)
    if waiting:
        _keep_waiting(conn, device, waiting)
    received = 0
    registers = _registers(conn)
    settings: dict[str, str] = {}
    suspended = False
    for stamped in todo:
        change = stamped.event
        if not isinstance(change, core_sync.Change):
            continue
        received += 1
        held = registers.get(change.key)
        if not core_sync.wins((change.at, device), (held[1], held[2]) if held else None):
            continue
        kind, name = change.key.split(":", 1)
        if kind == "setting" and not setting_ok(name, change.value):
            problems.append(f"device {device[:8]}: setting {name} has an invalid value; kept ours")
            continue
        registers[change.key] = (change.value, change.at, device)
        _set_register(conn, change.key, change.value, change.at, device)
        if kind == "setting":
            settings[name] = change.value
        else:
            on = change.value == "true"
            result = conn.execute(update(Card).where(Card.key == name).values(suspended=on))
            suspended = suspended or bool(result.rowcount)
    if todo:
        last = todo[-1].seq
        statement = sqlite_insert(sync_peers).values(device=device, applied_seq=last, seen_at=now)
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=[sync_peers.c.device], set_={"applied_seq": last, "seen_at": now}
            )
        )
    if settings:
        for key, value in settings.items():
            statement = sqlite_insert(Setting).values(key=key, value=value)
            conn.execute(
                statement.on_conflict_do_update(index_elements=[Setting.key], set_={"value": value})
            )
    return Merged(received, settings, suspended, tuple(problems))
