"""Study on several computers, the database side: device id, outgoing events, merging.

Every function runs inside the caller's write transaction. Outgoing: the log entries
not yet sent, and changed settings and suspensions, get this device's next sequence
numbers and go to ``sync_outbox`` as their segment lines. Incoming: validated events
of another device are inserted idempotently (a log entry by its uid), last-writer-wins
values are compared by (timestamp, device), and the affected cards are replayed in
merge order (``merge_order.py``).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, bindparam, func, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from mlstudy.core import sync as core_sync
from mlstudy.core.models import ReviewKind
from mlstudy.core.replay import ReplayAnswer, ReplayedState, apply_answer, replay_states
from mlstudy.core.sync import LoggedAnswer, merged_kinds
from mlstudy.storage.merge_order import cards_log
from mlstudy.storage.schema import UNDO_KIND, Card, CardState, Review, Setting
from mlstudy.storage.study import STATE_COLUMNS, ExamRule, StateRow, state_row, write_state
from mlstudy.storage.sync_schema import (
    sync_device,
    sync_events,
    sync_outbox,
    sync_peers,
    sync_values,
)

KNOWN_KINDS = frozenset({"new", "review", "drill", UNDO_KIND})
"""Log entry kinds this version merges; an event of another kind waits for an update."""
_CHUNK = 900


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


def _stamp(device: Device, at: str, events: list[core_sync.Event]) -> list[core_sync.Stamped]:
    return [core_sync.Stamped(device.device, device.next_seq + i, e) for i, e in enumerate(events)]


_UNSENT = (
    select(
        Review.id,
        Review.uid,
        Card.key,
        Review.reviewed_at,
        Review.study_day,
        Review.grade,
        Review.kind,
        Review.answer_ms,
        Review.interval_before,
        Review.easiness_before,
        Review.repetitions_before,
        Review.interval_after,
        Review.easiness_after,
        Review.repetitions_after,
        Review.undoes,
    )
    .join(Card, Card.id == Review.card_id)
    .outerjoin(sync_events, sync_events.c.review_id == Review.id)
    .where(
        Review.id > bindparam("after"),
        sync_events.c.seq.is_(None),
        # Imported Anki states and history stay on the computer that imported them,
        # with the deck files they belong to (those are not synced either).
        Review.kind.in_(KNOWN_KINDS),
    )
    .order_by(Review.id)
)


def collect_outgoing(
    conn: Connection, device: Device, now: str, synced_settings: Callable[[str], bool]
) -> int:
    """Give every local event not yet sent its sequence number and its outbox line;
    return how many there were.

    Args:
        synced_settings: whether a setting travels to the other computers (the theme,
            say, stays on each).
    """
    events: list[core_sync.Event] = []
    review_ids: list[int] = []
    last_id = device.exported_review_id
    for row in conn.execute(_UNSENT, {"after": device.exported_review_id}):
        last_id = int(row.id)
        events.append(
            core_sync.Answer(
                uid=row.uid,
                card=row.key,
                at=row.reviewed_at,
                day=date.fromisoformat(row.study_day),
                grade=int(row.grade),
                kind=row.kind,
                answer_ms=int(row.answer_ms),
                before=(row.interval_before, row.easiness_before, row.repetitions_before),
                after=(row.interval_after, row.easiness_after, row.repetitions_after),
                undoes=row.undoes,
            )
        )
        review_ids.append(last_id)
    changes = _changed_values(conn, now, synced_settings)
    events.extend(changes)
    stamped = _stamp(device, now, events)
    if review_ids:
        conn.execute(
            insert(sync_events),
            [
                {"review_id": rid, "device": device.device, "seq": s.seq}
                for rid, s in zip(review_ids, stamped, strict=False)
            ],
        )
    for change in changes:
        _set_register(conn, change.key, change.value, change.at, device.device)
    if stamped:
        conn.execute(
            insert(sync_outbox),
            [
                {"device": device.device, "seq": s.seq, "body": core_sync.event_line(s)}
                for s in stamped
            ],
        )
    # Every entry up to the newest is sent now or came from another device.
    newest = max(last_id, log_top(conn))
    if stamped or newest != device.exported_review_id:
        conn.execute(
            update(sync_device)
            .where(sync_device.c.id == 1)
            .values(next_seq=device.next_seq + len(stamped), exported_review_id=newest)
        )
    return len(stamped)


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
        select(sync_values.c.key, sync_values.c.value, sync_values.c.at, sync_values.c.device)
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
    """What merging one device's events did."""

    received: int
    cards: frozenset[int]
    settings: dict[str, str]
    suspended: bool
    problems: tuple[str, ...]


def _card_ids(conn: Connection, keys: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    ordered = sorted(keys)
    for start in range(0, len(ordered), _CHUNK):
        rows = conn.execute(
            select(Card.key, Card.id).where(Card.key.in_(ordered[start : start + _CHUNK]))
        )
        found.update({key: int(cid) for key, cid in rows})
    return found


_INSERT_LOG = (
    "INSERT OR IGNORE INTO reviews (uid, card_id, reviewed_at, study_day, day_number, grade, "
    "kind, interval_before, easiness_before, repetitions_before, interval_after, "
    "easiness_after, repetitions_after, answer_ms, undoes) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def merge_events(
    conn: Connection,
    device: str,
    events: Sequence[core_sync.Stamped],
    now: str,
    setting_ok: Callable[[str, str], bool],
) -> Merged:
    """Merge one other device's events (consecutive, after its last merged one).

    Answers and tombstones go into the log unless their uid is there already; a card
    this library does not have is reported and its event skipped. An event of a kind
    this version does not know stops the merge of that device there (an update of
    mlstudy will merge it). Values change when their stamp is newer.

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
    ids = _card_ids(conn, {e.event.card for e in answers if isinstance(e.event, core_sync.Answer)})
    rows: list[tuple[object, ...]] = []
    origin: dict[str, int] = {}
    missing: set[str] = set()
    for stamped in answers:
        answer = stamped.event
        assert isinstance(answer, core_sync.Answer)
        card_id = ids.get(answer.card)
        if card_id is None:
            missing.add(answer.card)
            continue
        origin[answer.uid] = stamped.seq
        rows.append(
            (
                answer.uid,
                card_id,
                answer.at,
                answer.day.isoformat(),
                answer.day.toordinal(),
                answer.grade,
                answer.kind,
                *answer.before,
                *answer.after,
                answer.answer_ms,
                answer.undoes,
            )
        )
    if missing:
        problems.append(
            f"device {device[:8]}: {len(missing)} card(s) answered there are not in this "
            f"library (e.g. {sorted(missing)[0]}); their answers were skipped"
        )
    cards: set[int] = set()
    received = 0
    if rows:
        top = conn.execute(select(func.coalesce(func.max(Review.id), 0))).scalar_one()
        # Plain SQL with tuples: a hundred thousand rows go in at SQLite's own speed.
        conn.exec_driver_sql(_INSERT_LOG, rows)
        new_rows = conn.exec_driver_sql(
            "SELECT id, uid, card_id FROM reviews WHERE id > ?", (top,)
        ).all()
        conn.exec_driver_sql(
            "INSERT INTO sync_events (review_id, device, seq) VALUES (?, ?, ?)",
            [(rid, device, origin[uid]) for rid, uid, _c in new_rows],
        )
        cards.update(int(c) for _r, _u, c in new_rows)
        received += len(new_rows)
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
    return Merged(received, frozenset(cards), settings, suspended, tuple(problems))


_STATES = select(CardState.card_id, *STATE_COLUMNS)


def log_top(conn: Connection) -> int:
    """The newest log id now: entries above it after a merge are the merged ones."""
    return int(conn.execute(select(func.coalesce(func.max(Review.id), 0))).scalar_one())


_MERGED = (
    "SELECT r.card_id, r.reviewed_at, e.device, e.seq, r.study_day, r.grade, r.kind "
    "FROM reviews r JOIN sync_events e ON e.review_id = r.id WHERE r.id > ?"
)


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


def replay_merged(conn: Connection, top: int, rule: ExamRule | None) -> frozenset[int]:
    """Bring the states of the cards that got log entries above ``top`` (a merge) up to
    date; return those cards.

    A card whose merged answers all come after everything it had (in merge order, and
    on later study days) continues from its stored state; any other card (an undo, an
    answer that lands in its past) is replayed from its whole log. Both give the state
    a replay of the whole log in merge order gives.
    """
    merged: dict[int, list[LoggedAnswer]] = {}
    full: set[int] = set()
    for card_id, at, device, seq, day, grade, kind in conn.exec_driver_sql(_MERGED, (top,)):
        if kind == UNDO_KIND:
            full.add(int(card_id))
            continue
        merged.setdefault(int(card_id), []).append(
            LoggedAnswer((at, device, seq), date.fromisoformat(day), int(grade), str(kind))
        )
    cards = sorted(merged.keys() | full)
    latest: dict[int, tuple[str, str]] = {}
    before: dict[int, StateRow] = {}
    for part in _chunks(cards):
        for card_id, at, day in conn.execute(
            select(Review.card_id, func.max(Review.reviewed_at), func.max(Review.study_day))
            .where(Review.card_id.in_(part), Review.id <= top)
            .group_by(Review.card_id)
        ):
            latest[int(card_id)] = (str(at), str(day))
        for row in conn.execute(_STATES.where(CardState.card_id.in_(part))):
            before[int(row[0])] = StateRow(*row[1:])
    after: dict[int, ReplayedState | None] = {}
    for card_id, answers in merged.items():
        if card_id in full:
            continue
        previous = before.get(card_id)
        last = latest.get(card_id)
        first = min(answers, key=lambda a: a.order)
        fresh = last is None
        later = last is not None and first.order[0] > last[0] and first.day.isoformat() > last[1]
        if not (fresh or (later and previous is not None)):
            full.add(card_id)
            continue
        state = previous.replayed() if previous else None
        for answer, kind in merged_kinds(answers, reviewed_before=previous is not None):
            replay = ReplayAnswer(card_id, answer.day, answer.grade, ReviewKind(kind))
            state = apply_answer(state, replay)
        after[card_id] = state
    for card_id, states in cards_log(conn, full).items():
        after[card_id] = replay_states(states).get(card_id)
    for card_id in full - after.keys():
        after[card_id] = None  # every answer of it undone
    _write_states(conn, after, before, rule)
    return frozenset(cards)


def _write_states(
    conn: Connection,
    after: dict[int, ReplayedState | None],
    before: dict[int, StateRow],
    rule: ExamRule | None,
) -> None:
    updates: list[dict[str, object]] = []
    inserts: list[dict[str, object]] = []
    for card_id, state in after.items():
        row = state_row(state, card_id, rule) if state else None
        previous = before.get(card_id)
        if row == previous:
            continue
        if row is not None and previous is not None:
            updates.append({"key": card_id, **_values(row)})
        elif row is not None:
            inserts.append({"card_id": card_id, **_values(row)})
        else:
            write_state(conn, card_id, None, previous)
    columns = list(_values_columns())
    if updates:
        assignments = ", ".join(f"{c} = ?" for c in columns)
        conn.exec_driver_sql(
            f"UPDATE card_states SET {assignments} WHERE card_id = ?",
            [(*(u[c] for c in columns), u["key"]) for u in updates],
        )
    if inserts:
        names = ", ".join(["card_id", *columns])
        marks = ", ".join("?" * (len(columns) + 1))
        conn.exec_driver_sql(
            f"INSERT INTO card_states ({names}) VALUES ({marks})",
            [(i["card_id"], *(i[c] for c in columns)) for i in inserts],
        )
    reviewed = sorted(card_id for card_id, state in after.items() if state is not None)
    unreviewed = sorted(card_id for card_id, state in after.items() if state is None)
    for ids, is_new in ((reviewed, False), (unreviewed, True)):
        for part in _chunks(ids):
            conn.execute(update(Card).where(Card.id.in_(part)).values(is_new=is_new))


def _values_columns() -> tuple[str, ...]:
    return (
        "repetitions",
        "easiness",
        "interval_days",
        "due_day",
        "last_day",
        "exam_due_day",
        "reviews",
        "lapses",
    )


def _values(row: StateRow) -> dict[str, object]:
    return {
        "repetitions": row.repetitions,
        "easiness": row.easiness,
        "interval_days": row.interval_days,
        "due_day": row.due_day,
        "last_day": row.last_day,
        "exam_due_day": row.exam_due_day,
        "reviews": row.reviews,
        "lapses": row.lapses,
    }
